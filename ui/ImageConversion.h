#pragma once
#include <QImage>
#include <QString>
#include <opencv2/core.hpp>

namespace ds::ui {

// A CV_8UC3 BGR image (what core's renderOverlay / renderHeatmap return) as a QImage
// that owns a copy of the pixels. Returns a null QImage for an empty or other-typed Mat.
QImage bgrMatToQImage(const cv::Mat& bgr);

// A CV_32FC3 RGB image in [0, 1] (what core's loadImageRgb returns) as an 8-bit QImage that
// owns its pixels. Returns a null QImage for an empty or other-typed Mat.
QImage rgbFloatMatToQImage(const cv::Mat& rgb);

// "Images (*.png *.jpg …)" for file dialogs: the formats core reads.
QString imageFileFilter();

} // namespace ds::ui
