#pragma once
#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <vector>

namespace ds {

// Anomaly heatmaps are stored as a 16-bit grayscale PNG of
// round((value - min) / (max - min) * 65535) plus the float range [min, max]: a quarter of
// raw float32 before compression, and fine enough to threshold. A decoded value is within
// (max - min) / 65535 of the original (plus float32 rounding of the value itself).

// map32f: non-empty CV_32FC1 of finite values, in the detector's score units. Returns the
// PNG bytes and the map's range in outMin / outMax. A constant map encodes as all zeros
// with outMin == outMax. Throws ds::Error on a wrong type or NaN / infinite values.
std::vector<std::uint8_t> encodeHeatmap(const cv::Mat& map32f, float& outMin, float& outMax);

// Inverse of encodeHeatmap: returns a CV_32FC1 map in [min, max]. Throws ds::InputError
// when png is not a 16-bit grayscale PNG (a damaged project).
cv::Mat decodeHeatmap(const std::vector<std::uint8_t>& png, float min, float max);

} // namespace ds
