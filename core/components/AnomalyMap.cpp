#include "core/components/AnomalyMap.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace ds {

cv::Mat finishAnomalyMap(const cv::Mat& patchScores, const cv::Size& inputSize, int side)
{
    cv::Mat upsampled;
    cv::resize(patchScores, upsampled, inputSize, 0, 0, cv::INTER_LINEAR);
    const double sigma = 4.0 * side / 256.0;
    const int kernel = 2 * int(std::ceil(4.0 * sigma)) + 1; // covers +-4 sigma
    cv::Mat smoothed;
    cv::GaussianBlur(upsampled, smoothed, cv::Size(kernel, kernel), sigma, sigma, cv::BORDER_REFLECT);
    if (inputSize == cv::Size(side, side))
        return smoothed;
    cv::Mat square;
    cv::resize(smoothed, square, cv::Size(side, side), 0, 0, cv::INTER_LINEAR);
    return square;
}

cv::Mat windowMeans(const cv::Mat& map, const cv::Size& inputSize)
{
    const int window = std::max(3, int(std::lround(21.0 * std::max(inputSize.width, inputSize.height) / 256.0)) | 1);
    cv::Mat pooled;
    cv::blur(map, pooled, cv::Size(window, window), cv::Point(-1, -1), cv::BORDER_REFLECT);
    return pooled;
}

float largestWindowMean(const cv::Mat& map, const cv::Size& inputSize)
{
    double maximum = 0;
    cv::minMaxLoc(windowMeans(map, inputSize), nullptr, &maximum);
    return float(maximum);
}

} // namespace ds
