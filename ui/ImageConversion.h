#pragma once
#include <QImage>
#include <opencv2/core.hpp>

namespace ds::ui {

// A CV_8UC3 BGR image (what core's renderOverlay / renderHeatmap return) as a QImage
// that owns a copy of the pixels. Returns a null QImage for an empty or other-typed Mat.
QImage bgrMatToQImage(const cv::Mat& bgr);

} // namespace ds::ui
