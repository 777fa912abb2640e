#pragma once
#include <QWidget>

class QLabel;
class QPushButton;
class QSlider;

namespace ds::ui {

// "Threshold: [slider] value (n defects) [Reset]": the slider spans the run's scores (and
// the threshold), so every step moves the threshold by the same share of them.
class ThresholdBar : public QWidget {
    Q_OBJECT
public:
    explicit ThresholdBar(QWidget* parent = nullptr);

    // The scores of the run shown; no scores (and a threshold of 0): nothing to adjust.
    void setScoreRange(double low, double high, double threshold);
    // Shows threshold with how many images it flags; moveSlider: also place the slider (not
    // while the user drags it, so it does not jump to its own rounding).
    void showThreshold(double threshold, int defects, bool moveSlider);
    void setAdjustable(bool adjustable);
    void clear();
    QSlider* slider() const { return slider_; }
    QPushButton* resetButton() const { return reset_; }

Q_SIGNALS:
    void moved(double threshold); // by the user, on the slider
    void resetRequested();

private:
    double sliderToThreshold(int value) const;
    int thresholdToSlider(double threshold) const;

    QSlider* slider_ = nullptr;
    QLabel* value_ = nullptr;
    QPushButton* reset_ = nullptr;
    double low_ = 0.0;
    double high_ = 1.0;
};

} // namespace ds::ui
