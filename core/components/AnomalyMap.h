#pragma once
#include <opencv2/core.hpp>

namespace ds {

// Turns a coarse map of patch scores (CV_32F, h x w) into the anomaly map at the model's
// input resolution: bilinear upsampling to side x side, then a Gaussian blur of
// sigma = 4 px per 256 px of side, as PaDiM and PatchCore do.
cv::Mat finishAnomalyMap(const cv::Mat& patchScores, int side);

} // namespace ds
