#pragma once
#include "core/metrics/Metrics.h"

#include <QRect>
#include <QString>
#include <QWidget>

#include <vector>

class QCustomPlot;
class QCPCurve;
class QLabel;

namespace ds::ui {

// ROC curves of several models on the same images, overlaid in one plot, each in a colour
// of its own; the legend, under the plot so it never covers a curve, names each model with
// its image AUROC ("0.987 · PatchCore 256").
class RocComparePlot : public QWidget {
    Q_OBJECT
public:
    struct Curve {
        QString name;
        ds::RocCurve roc;
        double auroc = 0.0;
    };

    explicit RocComparePlot(QWidget* parent = nullptr);

    // Replaces the curves. note is shown under the plot (e.g. which models have no curve);
    // empty hides it.
    void setCurves(const std::vector<Curve>& curves, const QString& note = {});

    // For tests: the curves shown, and the legend text of one.
    int curveCount() const { return int(curves_.size()); }
    QString legendText(int curve) const;
    // Where the legend and the curves' area are, in the plot's pixels.
    QRect legendRect() const;
    QRect curvesRect() const;

private:
    QCustomPlot* plot_ = nullptr;
    std::vector<QCPCurve*> curves_;
    QLabel* note_ = nullptr;
};

} // namespace ds::ui
