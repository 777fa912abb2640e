#pragma once
#include <opencv2/core.hpp>

#include <string>

namespace ds {

// Decodes PNG, JPEG, BMP, TIFF or WebP (8- or 16-bit; grey, RGB or RGBA) into CV_32FC3,
// RGB channel order, values in [0, 1]; alpha is dropped. Throws ds::InputError whose
// message names the path and the reason (missing, empty, truncated, not an image, too large).
// With expectedSha256 (a project image's content hash at import) a file whose bytes differ
// is refused as changed or moved since import.
cv::Mat loadImageRgb(const std::string& path, const std::string& expectedSha256 = {});

// Decodes a ground-truth mask: any non-zero pixel is defect. Returns CV_8U of 0/255.
// greyLevels (optional) is set when the file held values other than 0 and its maximum
// (anti-aliased or JPEG-compressed masks), which the 0/255 result hides.
cv::Mat loadMask(const std::string& path, bool* greyLevels = nullptr);

// ds::InputError naming the mask when it does not cover its image pixel for pixel.
void requireMaskFits(const cv::Mat& mask, const cv::Size& imageSize, const std::string& maskPath);

// Resizes a CV_32FC3 image (area filter when shrinking).
cv::Mat resizeImage(const cv::Mat& image, const cv::Size& size);
cv::Mat resizeToSquare(const cv::Mat& image, int side);

// Images above this many pixels are refused rather than risk exhausting memory.
constexpr double kMaxImagePixels = 200e6;

} // namespace ds
