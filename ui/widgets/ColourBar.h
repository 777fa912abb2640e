#pragma once
#include "core/data/Overlay.h"

#include <QImage>
#include <QWidget>

#include <optional>

namespace ds::ui {

// The heatmap's key: the colormap from the low end of its scale to the high end, the two
// values at its ends, and a mark where the threshold sits.
class ColourBar : public QWidget {
    Q_OBJECT
public:
    explicit ColourBar(QWidget* parent = nullptr);

    void setColormap(int colormap); // a cv::ColormapTypes value
    void setScale(const ds::ColourScale& scale);
    void setThreshold(double threshold);
    ds::ColourScale scale() const { return scale_; }
    double threshold() const { return threshold_; }

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QImage ramp_;
    ds::ColourScale scale_;
    double threshold_ = 0.5;
};

} // namespace ds::ui
