#include "core/synthesis/AnomalyGenerator.h"

#include "core/Error.h"

#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include <algorithm>
#include <cmath>

namespace ds {
namespace {

constexpr int kAttempts = 8;
// A change below this (in [0, 1] units, after a slight blur) is not a visible defect.
constexpr double kVisibleChange = 0.03;

double fade(double t)
{
    return t * t * t * (t * (t * 6 - 15) + 10);
}

cv::Mat clamped(const cv::Mat& image)
{
    cv::Mat result;
    cv::min(cv::max(image, 0.0), 1.0, result);
    return result;
}

// Where result departs visibly from image, within region (CV_32F 0/1).
cv::Mat visibleChange(const cv::Mat& image, const cv::Mat& result, const cv::Mat& region)
{
    cv::Mat difference;
    cv::absdiff(image, result, difference);
    std::vector<cv::Mat> channels;
    cv::split(difference, channels);
    cv::Mat largest = cv::max(cv::max(channels[0], channels[1]), channels[2]);
    // Judged over a few pixels, as an eye does, so a changed texture gives one region
    // rather than speckle.
    cv::GaussianBlur(largest, largest, cv::Size(5, 5), 1.5);
    cv::Mat mask = (largest > kVisibleChange) & (region > 0.5);
    cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(5, 5)));
    mask &= region > 0.5;
    mask.convertTo(mask, CV_32F, 1.0 / 255.0);
    return mask;
}

// result = image * (1 - opacity * region) + content * opacity * region.
cv::Mat blended(const cv::Mat& image, const cv::Mat& content, const cv::Mat& region, double opacity)
{
    cv::Mat alpha;
    cv::cvtColor(region * opacity, alpha, cv::COLOR_GRAY2RGB);
    cv::Mat result = image.mul(cv::Scalar::all(1.0) - alpha) + content.mul(alpha);
    return clamped(result);
}

// True when every pixel's three channels agree (a greyscale image stored as RGB).
bool isGrey(const cv::Mat& image)
{
    std::vector<cv::Mat> channels;
    cv::split(image, channels);
    return std::max(cv::norm(channels[0], channels[1], cv::NORM_INF), cv::norm(channels[1], channels[2], cv::NORM_INF))
        < 1.0 / 255.0;
}

// On a greyscale image a coloured defect is a shortcut no real defect offers (the network
// would learn "colour means defect"): the defect keeps only its brightness, and its mask
// only what stays visible.
SyntheticAnomaly inImagesColours(const cv::Mat& image, SyntheticAnomaly sample)
{
    if (!isGrey(image))
        return sample;
    cv::Mat grey;
    cv::cvtColor(sample.image, grey, cv::COLOR_RGB2GRAY);
    cv::cvtColor(grey, sample.image, cv::COLOR_GRAY2RGB);
    sample.mask = visibleChange(image, sample.image, sample.mask);
    return sample;
}

cv::Mat toBytes(const cv::Mat& image)
{
    cv::Mat bytes;
    image.convertTo(bytes, CV_8UC3, 255.0);
    return bytes;
}

} // namespace

std::string contentName(AnomalyContent content)
{
    switch (content) {
    case AnomalyContent::Texture: return "texture";
    case AnomalyContent::OtherImage: return "other-image";
    case AnomalyContent::SameImage: return "cut-paste";
    case AnomalyContent::Line: return "line";
    }
    return "texture";
}

cv::Mat perlinNoise(const cv::Size& size, int cellsX, int cellsY, cv::RNG& rng)
{
    cellsX = std::max(1, cellsX);
    cellsY = std::max(1, cellsY);
    std::vector<cv::Point2d> gradients(size_t((cellsX + 1) * (cellsY + 1)));
    for (cv::Point2d& gradient : gradients) {
        const double angle = rng.uniform(0.0, 2 * CV_PI);
        gradient = {std::cos(angle), std::sin(angle)};
    }
    const auto corner = [&](int cx, int cy, double dx, double dy) {
        const cv::Point2d& g = gradients[size_t(cy * (cellsX + 1) + cx)];
        return g.x * dx + g.y * dy;
    };
    cv::Mat noise(size, CV_32F);
    for (int y = 0; y < size.height; ++y) {
        const double v = (y + 0.5) * cellsY / size.height;
        const int cy = std::min(int(v), cellsY - 1);
        const double fy = v - cy;
        float* row = noise.ptr<float>(y);
        for (int x = 0; x < size.width; ++x) {
            const double u = (x + 0.5) * cellsX / size.width;
            const int cx = std::min(int(u), cellsX - 1);
            const double fx = u - cx;
            const double top = corner(cx, cy, fx, fy) + fade(fx) * (corner(cx + 1, cy, fx - 1, fy) - corner(cx, cy, fx, fy));
            const double bottom = corner(cx, cy + 1, fx, fy - 1)
                + fade(fx) * (corner(cx + 1, cy + 1, fx - 1, fy - 1) - corner(cx, cy + 1, fx, fy - 1));
            row[x] = float(top + fade(fy) * (bottom - top));
        }
    }
    return noise;
}

AnomalyGenerator::AnomalyGenerator(uint64_t seed, AnomalyMix mix)
    : rng_(seed * 2654435761ULL + 1)
    , mix_(mix)
{
    if (mix_.texture + mix_.otherImage + mix_.sameImage + mix_.line <= 0)
        throw InputError("the anomaly generator needs at least one kind of content");
}

double AnomalyGenerator::uniform(double low, double high)
{
    return rng_.uniform(low, high);
}

// DRAEM's masks: Perlin noise with 2^0..2^5 cells per side (at most one per 8 px),
// rotated, thresholded at 0.5; too small a blob is thresholded lower instead.
cv::Mat AnomalyGenerator::perlinMask(const cv::Size& size)
{
    const auto cellsFor = [&](int side) {
        const int most = std::max(0, int(std::floor(std::log2(std::max(1, side / 8)))));
        return 1 << rng_.uniform(0, std::min(6, most + 1));
    };
    // Noise on a larger square so the rotation leaves no empty corners.
    const int side = int(std::ceil(std::hypot(size.width, size.height)));
    const double ratio = double(side) / std::max(size.width, size.height);
    const cv::Mat noise = perlinNoise({side, side}, int(std::ceil(cellsFor(size.width) * ratio)),
                                      int(std::ceil(cellsFor(size.height) * ratio)), rng_);
    const cv::Mat rotation = cv::getRotationMatrix2D(cv::Point2f(side / 2.f, side / 2.f), uniform(-90, 90), 1.0);
    cv::Mat rotated;
    cv::warpAffine(noise, rotated, rotation, {side, side}, cv::INTER_LINEAR, cv::BORDER_REFLECT);
    const cv::Mat window = rotated(cv::Rect((side - size.width) / 2, (side - size.height) / 2, size.width, size.height));
    cv::Mat mask = window > 0.5;
    const double minimumShare = 0.002;
    if (cv::countNonZero(mask) < minimumShare * size.area()) {
        // The top 0.5-3 % of the noise: a blob of a sensible size wherever the noise peaks.
        std::vector<float> values(window.begin<float>(), window.end<float>());
        const size_t keep = std::max<size_t>(1, size_t(values.size() * uniform(0.005, 0.03)));
        std::nth_element(values.begin(), values.begin() + long(keep - 1), values.end(), std::greater<float>());
        mask = window >= values[keep - 1];
    }
    mask.convertTo(mask, CV_32F, 1.0 / 255.0);
    return mask;
}

AnomalyContent AnomalyGenerator::pickContent(bool havePool)
{
    const double other = havePool ? mix_.otherImage : 0.0;
    const double total = mix_.texture + other + mix_.sameImage + mix_.line;
    double draw = uniform(0, total > 0 ? total : 1);
    if ((draw -= mix_.texture) < 0)
        return AnomalyContent::Texture;
    if ((draw -= other) < 0)
        return AnomalyContent::OtherImage;
    if ((draw -= mix_.sameImage) < 0)
        return AnomalyContent::SameImage;
    return mix_.line > 0 ? AnomalyContent::Line : AnomalyContent::Texture;
}

SyntheticAnomaly AnomalyGenerator::generate(const cv::Mat& image, const std::vector<cv::Mat>& pool)
{
    if (image.empty() || image.type() != CV_32FC3)
        throw InputError("the anomaly generator takes CV_32FC3 RGB images in [0, 1]");
    const cv::Mat region = mix_.foregroundOnly ? foreground(image) : cv::Mat();
    SyntheticAnomaly sample;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        sample = drawOnce(image, pool, pickContent(!pool.empty()));
        if (!region.empty())
            sample.mask = sample.mask.mul(region);
        if (cv::countNonZero(sample.mask > 0.5) > 0) {
            if (!region.empty()) // outside the part the image stays as it was
                sample.image = blended(image, sample.image, cv::Mat(region), 1.0);
            return sample;
        }
    }
    // Faint every time (a flat, saturated image): a plain dark blob is always visible.
    sample.mask = perlinMask(image.size());
    if (!region.empty() && cv::countNonZero(sample.mask.mul(region) > 0.5) > 0)
        sample.mask = sample.mask.mul(region);
    cv::Scalar mean = cv::mean(image);
    const cv::Scalar target = mean[0] + mean[1] + mean[2] > 1.5 ? cv::Scalar::all(0.0) : cv::Scalar::all(1.0);
    sample.image = blended(image, cv::Mat(image.size(), CV_32FC3, target), sample.mask, 1.0);
    sample.content = AnomalyContent::Texture;
    return sample;
}

SyntheticAnomaly AnomalyGenerator::drawOnce(const cv::Mat& image, const std::vector<cv::Mat>& pool, AnomalyContent content)
{
    // cutPaste() and scar() match the image's colours themselves (they are public).
    switch (content) {
    case AnomalyContent::OtherImage: return inImagesColours(image, withOtherImage(image, pool));
    case AnomalyContent::SameImage: return rng_.uniform(0, 2) == 0 ? cutPaste(image) : scar(image);
    case AnomalyContent::Line: return inImagesColours(image, withLine(image));
    case AnomalyContent::Texture: break;
    }
    return inImagesColours(image, withTexture(image));
}

// Procedural content: colour noise at a random scale, stripes, blobs, or the image itself
// re-lit (brighter, darker, tinted, blurred, contrast changed).
cv::Mat AnomalyGenerator::proceduralTexture(const cv::Size& size, const cv::Mat& image)
{
    const cv::Scalar colour(uniform(0, 1), uniform(0, 1), uniform(0, 1));
    const cv::Scalar other(uniform(0, 1), uniform(0, 1), uniform(0, 1));
    cv::Mat texture(size, CV_32FC3, colour);
    switch (rng_.uniform(0, 5)) {
    case 0: { // colour noise
        const int cells = 1 << rng_.uniform(1, 6);
        for (int c = 0; c < 3; ++c) {
            cv::Mat noise = perlinNoise(size, cells, cells, rng_) * uniform(0.3, 1.5);
            cv::Mat grain(size, CV_32F);
            rng_.fill(grain, cv::RNG::NORMAL, 0.0, uniform(0.0, 0.15));
            cv::Mat channel;
            cv::extractChannel(texture, channel, c);
            channel += noise + grain;
            cv::insertChannel(channel, texture, c);
        }
        break;
    }
    case 1: { // stripes
        const double angle = uniform(0, CV_PI), period = uniform(3, std::max(4.0, size.width / 6.0));
        const double sharpness = uniform(1, 8);
        for (int y = 0; y < size.height; ++y)
            for (int x = 0; x < size.width; ++x) {
                const double phase = (x * std::cos(angle) + y * std::sin(angle)) * 2 * CV_PI / period;
                const double t = 0.5 + 0.5 * std::tanh(sharpness * std::sin(phase));
                cv::Vec3f& pixel = texture.at<cv::Vec3f>(y, x);
                for (int c = 0; c < 3; ++c)
                    pixel[c] = float(colour[c] * (1 - t) + other[c] * t);
            }
        break;
    }
    case 2: { // blobs
        const int count = rng_.uniform(5, 40);
        for (int i = 0; i < count; ++i) {
            const cv::Point centre(rng_.uniform(0, size.width), rng_.uniform(0, size.height));
            const int radius = std::max(1, int(uniform(0.01, 0.08) * size.width));
            cv::circle(texture, centre, radius, cv::Scalar(uniform(0, 1), uniform(0, 1), uniform(0, 1)), cv::FILLED, cv::LINE_AA);
        }
        break;
    }
    case 3: { // the image re-lit: gain and offset per channel
        const double gain = uniform(0.3, 1.8);
        cv::multiply(image, cv::Scalar(gain + uniform(-0.2, 0.2), gain + uniform(-0.2, 0.2), gain + uniform(-0.2, 0.2)), texture);
        texture += cv::Scalar::all(uniform(-0.3, 0.3));
        break;
    }
    default: { // the image with its detail changed: blurred or contrast stretched, flipped
        cv::Mat changed;
        if (rng_.uniform(0, 2) == 0) {
            const double sigma = uniform(1.5, 6);
            cv::GaussianBlur(image, changed, cv::Size(), sigma);
        } else {
            const cv::Scalar mean = cv::mean(image);
            changed = (image - mean) * uniform(1.8, 3.5) + mean;
        }
        cv::flip(changed, texture, rng_.uniform(-1, 2));
        break;
    }
    }
    return clamped(texture);
}

SyntheticAnomaly AnomalyGenerator::withTexture(const cv::Mat& image)
{
    const cv::Mat region = perlinMask(image.size());
    // DRAEM blends the texture with an opacity in [0.2, 1].
    const cv::Mat result = blended(image, proceduralTexture(image.size(), image), region, uniform(0.2, 1.0));
    return {result, visibleChange(image, result, region), AnomalyContent::Texture};
}

// NSA: a patch of another good image, rescaled, Poisson-blended at a random place.
SyntheticAnomaly AnomalyGenerator::withOtherImage(const cv::Mat& image, const std::vector<cv::Mat>& pool)
{
    const cv::Mat& donor = pool[size_t(rng_.uniform(0, int(pool.size())))];
    const int width = image.cols, height = image.rows;
    const int patchW = std::max(4, int(uniform(0.08, 0.35) * width));
    const int patchH = std::max(4, int(uniform(0.08, 0.35) * height));
    const double scale = std::exp(uniform(std::log(0.75), std::log(1.33)));
    const int sourceW = std::clamp(int(patchW / scale), 2, donor.cols), sourceH = std::clamp(int(patchH / scale), 2, donor.rows);
    const cv::Rect source(rng_.uniform(0, donor.cols - sourceW + 1), rng_.uniform(0, donor.rows - sourceH + 1), sourceW, sourceH);
    cv::Mat patch;
    cv::resize(donor(source), patch, cv::Size(std::min(patchW, width - 4), std::min(patchH, height - 4)));
    // seamlessClone needs the patch one pixel inside the destination on every side.
    const cv::Point centre(rng_.uniform(patch.cols / 2 + 2, width - (patch.cols + 1) / 2 - 1),
                           rng_.uniform(patch.rows / 2 + 2, height - (patch.rows + 1) / 2 - 1));
    cv::Mat patchMask(patch.size(), CV_8U, cv::Scalar(0));
    cv::ellipse(patchMask, cv::Point(patch.cols / 2, patch.rows / 2), cv::Size(patch.cols / 2 - 1, patch.rows / 2 - 1), 0, 0, 360,
                cv::Scalar(255), cv::FILLED);
    cv::Mat cloned;
    cv::seamlessClone(toBytes(patch), toBytes(image), patchMask, centre, cloned,
                      rng_.uniform(0, 2) == 0 ? cv::NORMAL_CLONE : cv::MIXED_CLONE);
    cloned.convertTo(cloned, CV_32FC3, 1.0 / 255.0);
    // Outside the patch the 8-bit round trip is the only change: keep the original there.
    cv::Mat region = cv::Mat::zeros(image.size(), CV_32F);
    const cv::Rect placed(centre.x - patch.cols / 2, centre.y - patch.rows / 2, patch.cols, patch.rows);
    cv::Mat placedMask;
    patchMask.convertTo(placedMask, CV_32F, 1.0 / 255.0);
    placedMask.copyTo(region(placed));
    const cv::Mat result = blended(image, cloned, region, 1.0);
    return {result, visibleChange(image, result, region), AnomalyContent::OtherImage};
}

// CutPaste: a rectangle of the image (2-15 % of its area, aspect 0.3-3.3), jittered in
// brightness and colour, pasted elsewhere.
SyntheticAnomaly AnomalyGenerator::cutPaste(const cv::Mat& image)
{
    const double area = uniform(0.02, 0.15) * image.total();
    const double aspect = std::exp(uniform(std::log(0.3), std::log(3.3)));
    const int w = std::clamp(int(std::sqrt(area * aspect)), 2, image.cols - 1);
    const int h = std::clamp(int(std::sqrt(area / aspect)), 2, image.rows - 1);
    const cv::Rect from(rng_.uniform(0, image.cols - w + 1), rng_.uniform(0, image.rows - h + 1), w, h);
    const cv::Rect to(rng_.uniform(0, image.cols - w + 1), rng_.uniform(0, image.rows - h + 1), w, h);
    cv::Mat patch = image(from) * uniform(0.9, 1.1) + cv::Scalar(uniform(-0.1, 0.1), uniform(-0.1, 0.1), uniform(-0.1, 0.1));
    cv::Mat result = image.clone();
    clamped(patch).copyTo(result(to));
    cv::Mat region = cv::Mat::zeros(image.size(), CV_32F);
    region(to).setTo(1.0);
    return inImagesColours(image, {result, visibleChange(image, result, region), AnomalyContent::SameImage});
}

// CutPaste's scar: a thin rotated stripe (2-16 x 10-25 px at 256 px) of a random colour
// or of the image's own content.
SyntheticAnomaly AnomalyGenerator::scar(const cv::Mat& image)
{
    const double unit = std::min(image.cols, image.rows) / 256.0;
    const float w = float(std::max(1.5, uniform(2, 16) * unit)), h = float(std::max(4.0, uniform(10, 25) * unit));
    const cv::RotatedRect stripe(cv::Point2f(float(uniform(0, image.cols)), float(uniform(0, image.rows))), cv::Size2f(w, h),
                                 float(uniform(-45, 45)));
    cv::Point2f corners[4];
    stripe.points(corners);
    std::vector<cv::Point> polygon;
    for (const cv::Point2f& corner : corners)
        polygon.emplace_back(int(std::lround(corner.x)), int(std::lround(corner.y)));
    cv::Mat region8 = cv::Mat::zeros(image.size(), CV_8U);
    cv::fillConvexPoly(region8, polygon, cv::Scalar(255), cv::LINE_AA);
    cv::Mat region;
    region8.convertTo(region, CV_32F, 1.0 / 255.0);
    cv::Mat content;
    if (rng_.uniform(0, 2) == 0) {
        content = cv::Mat(image.size(), CV_32FC3, cv::Scalar(uniform(0, 1), uniform(0, 1), uniform(0, 1)));
    } else { // the image shifted: its own texture, out of place
        const cv::Mat shift
            = (cv::Mat_<double>(2, 3) << 1, 0, uniform(-0.3, 0.3) * image.cols, 0, 1, uniform(-0.3, 0.3) * image.rows);
        cv::warpAffine(image, content, shift, image.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT);
        content = content * uniform(0.6, 1.4);
    }
    const cv::Mat result = blended(image, content, region, 1.0);
    return inImagesColours(image, {result, visibleChange(image, result, region), AnomalyContent::SameImage});
}

// A crack (dark, branching less, bending) or a scratch (bright or dark, nearly straight),
// 1-3 px wide at 256 px.
SyntheticAnomaly AnomalyGenerator::withLine(const cv::Mat& image)
{
    const double unit = std::min(image.cols, image.rows) / 256.0;
    const bool crack = rng_.uniform(0, 2) == 0;
    const double bendiness = crack ? 0.35 : 0.04;
    const double length = uniform(0.15, 0.6) * std::max(image.cols, image.rows);
    cv::Point2d point(uniform(0, image.cols), uniform(0, image.rows));
    double heading = uniform(0, 2 * CV_PI);
    std::vector<cv::Point> path {cv::Point(point)};
    const double step = std::max(1.0, 2 * unit);
    for (double travelled = 0; travelled < length; travelled += step) {
        heading += rng_.gaussian(bendiness);
        point += cv::Point2d(std::cos(heading), std::sin(heading)) * step;
        path.emplace_back(point);
    }
    const int thickness = std::max(1, int(std::lround(uniform(1, 3) * unit)));
    cv::Mat region8 = cv::Mat::zeros(image.size(), CV_8U);
    cv::polylines(region8, path, false, cv::Scalar(255), thickness, cv::LINE_AA);
    cv::Mat region;
    region8.convertTo(region, CV_32F, 1.0 / 255.0);
    const bool darker = crack || rng_.uniform(0, 2) == 0;
    const cv::Mat content
        = darker ? cv::Mat(image * uniform(0.05, 0.6)) : cv::Mat(image * 0.4 + cv::Scalar::all(uniform(0.5, 0.9)));
    const cv::Mat result = blended(image, clamped(content), region, uniform(0.6, 1.0));
    return {result, visibleChange(image, result, region), AnomalyContent::Line};
}

// The part of an object image that differs from the border's colour (closed, a little
// grown); the whole image when that is almost nothing or almost everything.
cv::Mat AnomalyGenerator::foreground(const cv::Mat& image) const
{
    const int band = std::max(1, std::min(image.cols, image.rows) / 32);
    cv::Mat border = cv::Mat::zeros(image.size(), CV_8U);
    border.setTo(255);
    border(cv::Rect(band, band, image.cols - 2 * band, image.rows - 2 * band)).setTo(0);
    cv::Scalar borderMean, borderStd;
    cv::meanStdDev(image, borderMean, borderStd, border);
    cv::Mat distance;
    cv::absdiff(image, borderMean, distance);
    std::vector<cv::Mat> channels;
    cv::split(distance, channels);
    const double tolerance = 0.08 + 2 * std::max({borderStd[0], borderStd[1], borderStd[2]});
    cv::Mat mask = cv::max(cv::max(channels[0], channels[1]), channels[2]) > tolerance;
    const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * band + 1, 2 * band + 1));
    cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, kernel);
    const double share = double(cv::countNonZero(mask)) / double(mask.total());
    if (share < 0.05 || share > 0.95)
        return cv::Mat(image.size(), CV_32F, cv::Scalar(1.0));
    cv::Mat region;
    mask.convertTo(region, CV_32F, 1.0 / 255.0);
    return region;
}

} // namespace ds
