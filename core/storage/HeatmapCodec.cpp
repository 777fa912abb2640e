#include "core/storage/HeatmapCodec.h"

#include "core/Error.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>

namespace ds {

namespace {

constexpr double kLevels = 65535.0;

} // namespace

std::vector<std::uint8_t> encodeHeatmap(const cv::Mat& map32f, float& outMin, float& outMax)
{
    if (map32f.empty() || map32f.type() != CV_32FC1)
        throw Error("Cannot store heatmap: expected a non-empty single-channel float32 map");
    if (!cv::checkRange(map32f))
        throw Error("Cannot store heatmap: it contains NaN or infinite values");

    double min = 0.0;
    double max = 0.0;
    cv::minMaxLoc(map32f, &min, &max);
    // Constant map: every pixel encodes as 0 and decodes back to min.
    const double scale = max > min ? kLevels / (max - min) : 0.0;

    // Quantized in double rather than with convertTo, whose float arithmetic loses levels
    // when the range is small next to the values (e.g. [1000, 1000.1]).
    cv::Mat quantized(map32f.size(), CV_16UC1);
    for (int row = 0; row < map32f.rows; ++row) {
        const float* source = map32f.ptr<float>(row);
        auto* target = quantized.ptr<std::uint16_t>(row);
        for (int column = 0; column < map32f.cols; ++column) {
            const double level = std::round((source[column] - min) * scale);
            target[column] = static_cast<std::uint16_t>(std::clamp(level, 0.0, kLevels));
        }
    }

    std::vector<std::uint8_t> png;
    if (!cv::imencode(".png", quantized, png))
        throw Error("Cannot store heatmap: PNG encoding failed");
    outMin = static_cast<float>(min);
    outMax = static_cast<float>(max);
    return png;
}

cv::Mat decodeHeatmap(const std::vector<std::uint8_t>& png, float min, float max)
{
    cv::Mat quantized;
    try {
        quantized = cv::imdecode(png, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception&) {
        // Left empty: reported below like any other undecodable data.
    }
    if (quantized.empty() || quantized.type() != CV_16UC1)
        throw InputError("Stored heatmap is not a 16-bit grayscale PNG");
    if (!std::isfinite(min) || !std::isfinite(max) || max < min)
        throw InputError("Stored heatmap has no valid range (" + std::to_string(min) + " to " + std::to_string(max) + ")");

    const double step = (static_cast<double>(max) - min) / kLevels;
    cv::Mat map(quantized.size(), CV_32FC1);
    for (int row = 0; row < quantized.rows; ++row) {
        const auto* source = quantized.ptr<std::uint16_t>(row);
        float* target = map.ptr<float>(row);
        for (int column = 0; column < quantized.cols; ++column)
            target[column] = static_cast<float>(min + source[column] * step);
    }
    return map;
}

} // namespace ds
