#pragma once
#include <opencv2/core.hpp>

namespace ds {

// Renders an anomaly map over an image for people: the map (any size, CV_32F) is resized
// to the image, coloured with the JET colormap over [threshold / 2, threshold * 3 / 2],
// blended at opacity, and the regions at or above threshold are outlined.
// image: CV_32FC3 RGB [0, 1]. Returns CV_8UC3 BGR, ready for cv::imwrite.
cv::Mat renderOverlay(const cv::Mat& image, const cv::Mat& anomalyMap, double threshold, double opacity = 0.45);

// The anomaly map alone as a JET-coloured CV_8UC3 BGR image, same colour scale.
cv::Mat renderHeatmap(const cv::Mat& anomalyMap, double threshold);

} // namespace ds
