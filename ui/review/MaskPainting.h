#pragma once
#include <opencv2/core.hpp>

#include <vector>

namespace ds::ui {

// What the mask tools do to a CV_8UC1 mask, at the image's resolution. Points are in
// continuous image coordinates: pixel (x, y) covers [x, x + 1) × [y, y + 1), so a pixel is
// painted when its centre (x + 0.5, y + 0.5) lies in the painted shape.

// Sets to value every pixel whose centre is within radius of the segment from → to (a
// round brush dragged along it).
void paintSegment(cv::Mat& mask, cv::Point2d from, cv::Point2d to, double radius, uchar value);

// Sets to value every pixel whose centre lies inside the polygon (even-odd rule).
void fillPolygon(cv::Mat& mask, const std::vector<cv::Point2d>& vertices, uchar value);

// The region of similar colour around seed: pixels 4-connected to it whose every channel is
// within tolerance (levels of 0..255) of the seed pixel's. image: CV_8UC3. Returns CV_8U
// 0 / 255 at the image's size; all zero when seed is off the image.
cv::Mat similarColourRegion(const cv::Mat& image, cv::Point seed, int tolerance);

// The predicted defect region as the overlay outlines it: the anomaly map (CV_32F, any
// size) resized bilinearly to size, at or above threshold. Returns CV_8U 0 / 255.
cv::Mat predictedRegion(const cv::Mat& anomalyMap, cv::Size size, double threshold);

} // namespace ds::ui
