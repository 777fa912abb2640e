#pragma once
#include <opencv2/core.hpp>

namespace ds {

// Turns a coarse map of patch scores (CV_32F, h x w) of an image the backbone saw at
// inputSize into the anomaly map at side x side: bilinear upsampling to inputSize, a
// Gaussian blur of sigma = 4 px per 256 px of side (as PaDiM and PatchCore do), then
// resizing to the square every result shares.
cv::Mat finishAnomalyMap(const cv::Mat& patchScores, const cv::Size& inputSize, int side);

// DRAEM's image score for a pixel map (CV_32F) of an image seen at inputSize: the largest
// mean over a square window of 21 px per 256 px of its longer side (one bright pixel is
// noise, a defect covers an area).
float largestWindowMean(const cv::Mat& map, const cv::Size& inputSize);
// The window means themselves: the map whose maximum largestWindowMean() is.
cv::Mat windowMeans(const cv::Mat& map, const cv::Size& inputSize);

} // namespace ds
