#pragma once
#include "core/metrics/Threshold.h"

#include <QPoint>
#include <QWidget>

#include <optional>
#include <vector>

class QCustomPlot;
class QCPBars;
class QCPCurve;
class QCPGraph;
class QCPItemStraightLine;
class QCPTextElement;
class QLabel;
class QPushButton;
class QMouseEvent;

namespace ds::ui {

// How the image-level threshold judges a run: a score histogram (good vs defective vs
// unlabelled) with the threshold as a vertical line that can be clicked or dragged, the ROC
// curve with the current operating point, the confusion counts and the F1-optimal threshold
// as a suggestion. Labels are 1 = defective, 0 = good, -1 = unknown (histogram only). The ROC
// curve, counts and suggestion need both classes; otherwise a note says so.
class ThresholdPlots : public QWidget {
    Q_OBJECT
public:
    explicit ThresholdPlots(QWidget* parent = nullptr);

    void setScores(std::vector<float> scores, std::vector<int> labels);
    double threshold() const { return threshold_; }
    bool hasBothClasses() const { return hasBoth_; }
    // Counts at the current threshold (all zero without both classes).
    ds::Confusion confusion() const { return confusion_; }
    double auroc() const { return auroc_; }
    QString summaryText() const;
    // F1-optimal threshold on the labelled scores; nullopt without both classes.
    std::optional<double> suggestedThreshold() const { return suggested_; }
    // A line under the counts saying what the labels rest on, e.g. "44 labels, 12 from reviewers".
    void setLabelNote(const QString& note);

    // For tests: the histogram plot and the pixel (in its coordinates) of score x.
    QWidget* histogramWidget() const;
    QPoint histogramPoint(double x) const;

public Q_SLOTS:
    // Moves the line; does not emit thresholdChanged.
    void setThreshold(double threshold);

Q_SIGNALS:
    // The user clicked or dragged on the histogram.
    void thresholdChanged(double threshold);

private:
    void histogramMouse(QMouseEvent* event, bool press);
    void rebuild();
    void updateThresholdViews();

    std::vector<float> scores_;
    std::vector<int> labels_;
    double threshold_ = 0.0;
    bool hasBoth_ = false;
    double auroc_ = 0.0;
    ds::Confusion confusion_;

    QCustomPlot* histogram_ = nullptr;
    QCPBars* goodBars_ = nullptr;
    QCPBars* defectBars_ = nullptr;
    QCPItemStraightLine* histogramLine_ = nullptr;
    QCustomPlot* roc_ = nullptr;
    QCPTextElement* rocTitle_ = nullptr;
    QCPCurve* rocCurve_ = nullptr;
    QCPGraph* operatingPoint_ = nullptr;
    QLabel* summary_ = nullptr;
    QPushButton* useSuggested_ = nullptr;
    QCPBars* unknownBars_ = nullptr;
    std::vector<float> labelledScores_; // scores_ with a known label, and those labels
    std::vector<int> labelledLabels_;
    std::optional<double> suggested_;
    QString labelNote_;
};

} // namespace ds::ui
