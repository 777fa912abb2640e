#pragma once
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ds {

// The anomaly values the colormap spans, low end to high end (values outside clamp).
struct ColourScale {
    double low = 0.0;
    double high = 1.0;
};

// threshold -/+ half its size ([t / 2, 3t / 2] for a positive t): the colour itself says
// below or above threshold, whatever the threshold's sign.
ColourScale colourScaleAround(double threshold);

// How renderOverlay draws: the heatmap's colormap and opacity, which outlines to draw.
struct OverlayStyle {
    double opacity = 0.45;
    int colormap = cv::COLORMAP_JET; // a cv::ColormapTypes value, e.g. from overlayColormaps()
    // Ground-truth defect mask (CV_8U, non-zero = defect), outlined in green so it reads
    // apart from the white predicted contours. Resized (nearest) to the image if needed;
    // empty for none.
    cv::Mat groundTruth;
    bool drawPredictedContours = true; // white outline of the regions at or above threshold
    // Where the colours sit; empty: around the threshold drawn (colourScaleAround). A view
    // whose threshold moves keeps one scale, so only the outlines follow the threshold.
    std::optional<ColourScale> scale;
};

// Renders an anomaly map over an image for people: the map (any size, CV_32F) is resized
// to the image, coloured with the style's colormap over its scale, blended at the style's
// opacity, and outlined as the style says.
// image: CV_32FC3 RGB [0, 1]. Returns CV_8UC3 BGR, ready for cv::imwrite.
cv::Mat renderOverlay(const cv::Mat& image, const cv::Mat& anomalyMap, double threshold, const OverlayStyle& style);

// The JET overlay with the predicted contours at the given opacity, no ground truth.
cv::Mat renderOverlay(const cv::Mat& image, const cv::Mat& anomalyMap, double threshold, double opacity = 0.45);

// The anomaly map alone as a coloured CV_8UC3 BGR image, colourScaleAround(threshold).
cv::Mat renderHeatmap(const cv::Mat& anomalyMap, double threshold, int colormap = cv::COLORMAP_JET);
cv::Mat renderHeatmap(const cv::Mat& anomalyMap, const ColourScale& scale, int colormap);

// The colormaps offered to people, as (display name, cv::ColormapTypes value), JET first.
std::vector<std::pair<std::string, int>> overlayColormaps();

} // namespace ds
