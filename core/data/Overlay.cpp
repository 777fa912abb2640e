#include "core/data/Overlay.h"

#include <algorithm>
#include <cmath>

namespace ds {

namespace {

using Contours = std::vector<std::vector<cv::Point>>;

Contours outerContours(const cv::Mat& binary)
{
    Contours contours;
    cv::findContours(binary, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    return contours;
}

} // namespace

ColourScale colourScaleAround(double threshold)
{
    // Half the threshold's size either side: maps measured against good images' own level
    // (the autoencoder's, the students') can put the threshold at or below zero.
    const double half = 0.5 * std::abs(threshold);
    return {threshold - half, threshold + half};
}

cv::Mat renderHeatmap(const cv::Mat& anomalyMap, double threshold, int colormap)
{
    return renderHeatmap(anomalyMap, colourScaleAround(threshold), colormap);
}

cv::Mat renderHeatmap(const cv::Mat& anomalyMap, const ColourScale& scale, int colormap)
{
    const double span = std::max(scale.high - scale.low, 1e-12);
    cv::Mat scaled;
    anomalyMap.convertTo(scaled, CV_8U, 255.0 / span, -255.0 * scale.low / span);
    cv::Mat coloured;
    cv::applyColorMap(scaled, coloured, colormap);
    return coloured;
}

cv::Mat renderOverlay(const cv::Mat& image, const cv::Mat& anomalyMap, double threshold, const OverlayStyle& style)
{
    cv::Mat map;
    cv::resize(anomalyMap, map, image.size(), 0, 0, cv::INTER_LINEAR);
    cv::Mat base;
    cv::cvtColor(image, base, cv::COLOR_RGB2BGR);
    base.convertTo(base, CV_8UC3, 255.0);
    cv::Mat blended;
    const cv::Mat heat = renderHeatmap(map, style.scale.value_or(colourScaleAround(threshold)), style.colormap);
    cv::addWeighted(base, 1.0 - style.opacity, heat, style.opacity, 0.0, blended);

    const int thickness = std::max(1, std::min(image.cols, image.rows) / 200);
    if (!style.groundTruth.empty()) {
        cv::Mat truth = style.groundTruth;
        if (truth.size() != image.size())
            cv::resize(style.groundTruth, truth, image.size(), 0, 0, cv::INTER_NEAREST);
        cv::Mat defect;
        cv::compare(truth, 0, defect, cv::CMP_GT);
        // The mask is exact to the pixel: its outline stays on the pixel grid, at full colour.
        cv::drawContours(blended, outerContours(defect), -1, cv::Scalar(0, 255, 0), thickness, cv::LINE_8);
    }
    // Drawn last: where both outlines meet, the prediction is what is being judged.
    if (style.drawPredictedContours) {
        cv::Mat defect;
        cv::compare(map, threshold, defect, cv::CMP_GE);
        cv::drawContours(blended, outerContours(defect), -1, cv::Scalar(255, 255, 255), thickness, cv::LINE_AA);
    }
    return blended;
}

cv::Mat renderOverlay(const cv::Mat& image, const cv::Mat& anomalyMap, double threshold, double opacity)
{
    OverlayStyle style;
    style.opacity = opacity;
    return renderOverlay(image, anomalyMap, threshold, style);
}

std::vector<std::pair<std::string, int>> overlayColormaps()
{
    return {
        {"Jet", cv::COLORMAP_JET},         {"Turbo", cv::COLORMAP_TURBO}, {"Inferno", cv::COLORMAP_INFERNO},
        {"Viridis", cv::COLORMAP_VIRIDIS}, {"Magma", cv::COLORMAP_MAGMA}, {"Plasma", cv::COLORMAP_PLASMA},
        {"Cividis", cv::COLORMAP_CIVIDIS}, {"Hot", cv::COLORMAP_HOT},
    };
}

} // namespace ds
