#include "datasets/SyntheticRendering.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace ds::synth {

namespace {

// Sub-pixel precision of cv::fillPoly / cv::polylines vertices.
constexpr int kShiftBits = 4;
constexpr double kShiftScale = 1 << kShiftBits;

std::vector<cv::Point> toFixedPoint(const std::vector<cv::Point2d>& points)
{
    std::vector<cv::Point> fixed;
    fixed.reserve(points.size());
    for (const cv::Point2d& p : points)
        fixed.emplace_back(cvRound(p.x * kShiftScale), cvRound(p.y * kShiftScale));
    return fixed;
}

cv::Mat normalised(cv::Mat field)
{
    cv::Scalar mean, stddev;
    cv::meanStdDev(field, mean, stddev);
    field -= mean[0];
    field *= 1.0 / std::max(stddev[0], 1e-9);
    return field;
}

} // namespace

double Canvas::strokeWidth(double designWidth, double minFinalPixels) const
{
    return std::max(designWidth * unit(), minFinalPixels * finalPixel);
}

cv::RNG fieldRng(cv::RNG& rng)
{
    return cv::RNG(rng.next() | 1);
}

cv::Mat fractalNoise(cv::RNG& parentRng, int size, int baseCells, int octaves, double persistence)
{
    cv::RNG rng = fieldRng(parentRng);
    cv::Mat field = cv::Mat::zeros(size, size, CV_32F);
    double weight = 1.0;
    for (int octave = 0; octave < octaves; ++octave) {
        const int cells = std::min(baseCells << octave, size);
        cv::Mat coarse(cells + 1, cells + 1, CV_32F);
        rng.fill(coarse, cv::RNG::NORMAL, 0.0, 1.0);
        cv::Mat fine;
        cv::resize(coarse, fine, cv::Size(size, size), 0, 0, cv::INTER_CUBIC);
        cv::scaleAdd(fine, weight, field, field);
        weight *= persistence;
    }
    return normalised(field);
}

cv::Mat grainNoise(cv::RNG& parentRng, int size, double sigmaX, double sigmaY)
{
    cv::Mat noise(size, size, CV_32F);
    fieldRng(parentRng).fill(noise, cv::RNG::NORMAL, 0.0, 1.0);
    cv::GaussianBlur(noise, noise, cv::Size(0, 0), sigmaX, sigmaY, cv::BORDER_REFLECT);
    return normalised(noise);
}

std::vector<cv::Point2d> blobOutline(cv::RNG& rng, cv::Point2d center, double radius, double irregularity, double aspect,
                                     double angle)
{
    constexpr int kHarmonics = 5;
    double amplitude[kHarmonics];
    double phase[kHarmonics];
    for (int k = 0; k < kHarmonics; ++k) {
        amplitude[k] = uniform(rng, -1.0, 1.0) * irregularity / (1.0 + 0.5 * k);
        phase[k] = uniform(rng, 0.0, 2 * CV_PI);
    }
    const double c = std::cos(angle), s = std::sin(angle);
    constexpr int kVertices = 72;
    std::vector<cv::Point2d> outline;
    outline.reserve(kVertices);
    for (int i = 0; i < kVertices; ++i) {
        const double t = 2 * CV_PI * i / kVertices;
        double r = 1.0;
        for (int k = 0; k < kHarmonics; ++k)
            r += amplitude[k] * std::cos((k + 2) * t + phase[k]);
        r = radius * std::max(r, 0.3);
        const double x = r * std::cos(t) * aspect, y = r * std::sin(t) / aspect;
        outline.emplace_back(center.x + c * x - s * y, center.y + s * x + c * y);
    }
    return outline;
}

std::vector<cv::Point2d> smoothCurve(cv::RNG& rng, const Canvas& canvas, cv::Point2d start, double angle, double length,
                                     double bendiness)
{
    const double step = 2.0 * canvas.unit();
    const int steps = std::max(2, static_cast<int>(length / step));
    std::vector<cv::Point2d> path {start};
    double curvature = 0;
    cv::Point2d p = start;
    for (int i = 0; i < steps; ++i) {
        // Curvature itself random-walks (and decays), so the curve bends smoothly.
        curvature = 0.85 * curvature + rng.gaussian(bendiness);
        angle += curvature;
        p += cv::Point2d(std::cos(angle), std::sin(angle)) * step;
        path.push_back(p);
    }
    return path;
}

cv::Mat fillAlpha(const Canvas& canvas, const std::vector<cv::Point2d>& outline)
{
    cv::Mat coverage = cv::Mat::zeros(canvas.size, canvas.size, CV_8U);
    const std::vector<std::vector<cv::Point>> polygons {toFixedPoint(outline)};
    cv::fillPoly(coverage, polygons, cv::Scalar(255), cv::LINE_AA, kShiftBits);
    cv::Mat alpha;
    coverage.convertTo(alpha, CV_32F, 1.0 / 255);
    return alpha;
}

cv::Mat strokeAlpha(const Canvas& canvas, const std::vector<cv::Point2d>& path, double width)
{
    cv::Mat coverage = cv::Mat::zeros(canvas.size, canvas.size, CV_8U);
    const std::vector<std::vector<cv::Point>> lines {toFixedPoint(path)};
    cv::polylines(coverage, lines, false, cv::Scalar(255), std::max(1, cvRound(width)), cv::LINE_AA, kShiftBits);
    cv::Mat alpha;
    coverage.convertTo(alpha, CV_32F, 1.0 / 255);
    return alpha;
}

void multiplyWhere(cv::Mat& image, const cv::Mat& alpha, cv::Scalar gain)
{
    CV_Assert(image.type() == CV_32FC3 && alpha.type() == CV_32FC1 && image.size() == alpha.size());
    for (int y = 0; y < image.rows; ++y) {
        auto* pixel = image.ptr<cv::Vec3f>(y);
        const float* a = alpha.ptr<float>(y);
        for (int x = 0; x < image.cols; ++x)
            for (int c = 0; c < 3; ++c)
                pixel[x][c] *= static_cast<float>(1.0 + a[x] * (gain[c] - 1.0));
    }
}

void blendWhere(cv::Mat& image, const cv::Mat& alpha, const cv::Mat& target)
{
    CV_Assert(image.type() == CV_32FC3 && target.type() == CV_32FC3 && alpha.type() == CV_32FC1);
    for (int y = 0; y < image.rows; ++y) {
        auto* pixel = image.ptr<cv::Vec3f>(y);
        const auto* goal = target.ptr<cv::Vec3f>(y);
        const float* a = alpha.ptr<float>(y);
        for (int x = 0; x < image.cols; ++x)
            pixel[x] += (goal[x] - pixel[x]) * a[x];
    }
}

void blendWhere(cv::Mat& image, const cv::Mat& alpha, cv::Scalar target)
{
    blendWhere(image, alpha, cv::Mat(image.size(), CV_32FC3, target));
}

cv::Scalar colourShiftGain(double hue, double saturation, double brightness)
{
    return {brightness * (1 + saturation * std::cos(hue)), brightness * (1 + saturation * std::cos(hue + 2 * CV_PI / 3)),
            brightness * (1 + saturation * std::cos(hue + 4 * CV_PI / 3))};
}

cv::Mat blurred(const cv::Mat& image, double sigma)
{
    cv::Mat out;
    cv::GaussianBlur(image, out, cv::Size(0, 0), sigma, sigma, cv::BORDER_REFLECT);
    return out;
}

cv::Point2d randomPoint(cv::RNG& rng, const Canvas& canvas, double margin)
{
    return {uniform(rng, margin, canvas.size - margin), uniform(rng, margin, canvas.size - margin)};
}

double uniform(cv::RNG& rng, double lo, double hi)
{
    return rng.uniform(lo, hi);
}

double angleBetween(double a, double b)
{
    const double d = std::fmod(std::abs(a - b), 2 * CV_PI);
    return d > CV_PI ? 2 * CV_PI - d : d;
}

} // namespace ds::synth
