#include "ui/review/MaskPainting.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace ds::ui {

namespace {

// Pixels whose centres can lie in [low, high] along one axis, clipped to [0, count).
cv::Range centresWithin(double low, double high, int count)
{
    const int first = std::max(0, int(std::ceil(low - 0.5)));
    const int last = std::min(count - 1, int(std::floor(high - 0.5)));
    return {first, std::max(first, last + 1)};
}

} // namespace

void paintSegment(cv::Mat& mask, cv::Point2d from, cv::Point2d to, double radius, uchar value)
{
    CV_Assert(mask.type() == CV_8UC1);
    const cv::Range rows = centresWithin(std::min(from.y, to.y) - radius, std::max(from.y, to.y) + radius, mask.rows);
    const cv::Range cols = centresWithin(std::min(from.x, to.x) - radius, std::max(from.x, to.x) + radius, mask.cols);
    const cv::Point2d along = to - from;
    const double length2 = along.dot(along);
    const double radius2 = radius * radius;
    for (int y = rows.start; y < rows.end; ++y) {
        uchar* row = mask.ptr<uchar>(y);
        for (int x = cols.start; x < cols.end; ++x) {
            const cv::Point2d centre(x + 0.5, y + 0.5);
            // Distance to the nearest point of the segment.
            const double t = length2 > 0.0 ? std::clamp((centre - from).dot(along) / length2, 0.0, 1.0) : 0.0;
            const cv::Point2d offset = centre - (from + t * along);
            if (offset.dot(offset) <= radius2)
                row[x] = value;
        }
    }
}

void fillPolygon(cv::Mat& mask, const std::vector<cv::Point2d>& vertices, uchar value)
{
    CV_Assert(mask.type() == CV_8UC1);
    if (vertices.size() < 3)
        return;
    double top = vertices[0].y, bottom = vertices[0].y;
    for (const cv::Point2d& vertex : vertices) {
        top = std::min(top, vertex.y);
        bottom = std::max(bottom, vertex.y);
    }
    const cv::Range rows = centresWithin(top, bottom, mask.rows);
    std::vector<double> crossings;
    for (int y = rows.start; y < rows.end; ++y) {
        // Where the row of pixel centres crosses the edges; an edge counts from its upper
        // end inclusive to its lower end exclusive, so a vertex on the row counts once.
        const double centreY = y + 0.5;
        crossings.clear();
        for (std::size_t i = 0; i < vertices.size(); ++i) {
            const cv::Point2d& a = vertices[i];
            const cv::Point2d& b = vertices[(i + 1) % vertices.size()];
            if ((a.y <= centreY) != (b.y <= centreY))
                crossings.push_back(a.x + (centreY - a.y) * (b.x - a.x) / (b.y - a.y));
        }
        std::sort(crossings.begin(), crossings.end());
        uchar* row = mask.ptr<uchar>(y);
        for (std::size_t i = 0; i + 1 < crossings.size(); i += 2) {
            // Centres x + 0.5 in [left, right).
            const int first = std::max(0, int(std::ceil(crossings[i] - 0.5)));
            const int end = std::min(mask.cols, int(std::ceil(crossings[i + 1] - 0.5)));
            for (int x = first; x < end; ++x)
                row[x] = value;
        }
    }
}

cv::Mat similarColourRegion(const cv::Mat& image, cv::Point seed, int tolerance)
{
    CV_Assert(image.type() == CV_8UC3);
    cv::Mat region = cv::Mat::zeros(image.size(), CV_8U);
    if (!cv::Rect(0, 0, image.cols, image.rows).contains(seed))
        return region;
    // floodFill's mask has a one-pixel border; the region is its inside.
    cv::Mat filled = cv::Mat::zeros(image.rows + 2, image.cols + 2, CV_8U);
    const cv::Scalar difference = cv::Scalar::all(tolerance);
    cv::floodFill(image, filled, seed, cv::Scalar(), nullptr, difference, difference,
                  4 | cv::FLOODFILL_FIXED_RANGE | cv::FLOODFILL_MASK_ONLY | (255 << 8));
    filled(cv::Rect(1, 1, image.cols, image.rows)).copyTo(region);
    return region;
}

cv::Mat predictedRegion(const cv::Mat& anomalyMap, cv::Size size, double threshold)
{
    cv::Mat map;
    cv::resize(anomalyMap, map, size, 0, 0, cv::INTER_LINEAR);
    cv::Mat region;
    cv::compare(map, threshold, region, cv::CMP_GE);
    return region;
}

} // namespace ds::ui
