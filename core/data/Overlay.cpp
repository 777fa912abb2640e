#include "core/data/Overlay.h"

#include <opencv2/imgproc.hpp>

#include <vector>

namespace ds {

cv::Mat renderHeatmap(const cv::Mat& anomalyMap, double threshold)
{
    // Centred on the threshold so the colour itself says "below" (blue) or "above" (red).
    const double low = 0.5 * threshold;
    const double span = std::max(threshold, 1e-12);
    cv::Mat scaled;
    anomalyMap.convertTo(scaled, CV_8U, 255.0 / span, -255.0 * low / span);
    cv::Mat coloured;
    cv::applyColorMap(scaled, coloured, cv::COLORMAP_JET);
    return coloured;
}

cv::Mat renderOverlay(const cv::Mat& image, const cv::Mat& anomalyMap, double threshold, double opacity)
{
    cv::Mat map;
    cv::resize(anomalyMap, map, image.size(), 0, 0, cv::INTER_LINEAR);
    cv::Mat base;
    cv::cvtColor(image, base, cv::COLOR_RGB2BGR);
    base.convertTo(base, CV_8UC3, 255.0);
    cv::Mat blended;
    cv::addWeighted(base, 1.0 - opacity, renderHeatmap(map, threshold), opacity, 0.0, blended);

    cv::Mat defect;
    cv::compare(map, threshold, defect, cv::CMP_GE);
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(defect, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    const int thickness = std::max(1, std::min(image.cols, image.rows) / 200);
    cv::drawContours(blended, contours, -1, cv::Scalar(255, 255, 255), thickness, cv::LINE_AA);
    return blended;
}

} // namespace ds
