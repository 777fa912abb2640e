#pragma once
// Helpers that several of ProjectFile's source files share; not for use outside them.
#include "core/ProjectTypes.h"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ds::project_file {

// Masks are stored as lossless PNGs.
std::vector<std::uint8_t> maskPng(const cv::Mat& mask);

// The mask as stored, after checking that it covers the image exactly.
std::vector<std::uint8_t> encodeMask(const cv::Mat& mask, const ImageRecord& image);

// what: the stored mask's owner for the message, e.g. "the mask of image 3".
cv::Mat decodeMask(const std::vector<std::uint8_t>& png, const std::string& path, const std::string& what);

} // namespace ds::project_file
