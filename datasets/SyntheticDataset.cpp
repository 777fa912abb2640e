#include "datasets/SyntheticDataset.h"

#include "core/storage/AtomicFile.h"
#include "datasets/SyntheticRendering.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace ds {

namespace {

namespace fs = std::filesystem;

struct CategoryInfo {
    std::string name;
    synth::SceneRenderer render;
    std::vector<std::string> defectTypes;
};

const std::vector<CategoryInfo>& categoryTable()
{
    static const std::vector<CategoryInfo> table {
        {"fabric", synth::renderFabric, {"thread", "stain", "hole", "color"}},
        {"tiles", synth::renderTiles, {"crack", "chip", "scratch", "stain", "color"}},
        {"part", synth::renderPart, {"scratch", "dent", "contamination", "missing_hole", "chip"}},
    };
    return table;
}

const CategoryInfo& findCategory(const std::string& name)
{
    std::string known;
    for (const CategoryInfo& category : categoryTable()) {
        if (category.name == name)
            return category;
        known += (known.empty() ? "" : ", ") + category.name;
    }
    throw std::invalid_argument("unknown synthetic category '" + name + "' (known: " + known + ")");
}

void checkDefectType(const CategoryInfo& category, const std::string& defectType)
{
    for (const std::string& type : category.defectTypes)
        if (type == defectType)
            return;
    std::string known;
    for (const std::string& type : category.defectTypes)
        known += (known.empty() ? "" : ", ") + type;
    throw std::invalid_argument("category '" + category.name + "' has no defect type '" + defectType + "' (known: " + known
                                + ")");
}

constexpr int kMinImageSize = 32;
constexpr int kMaxImageSize = 1024; // renders at 2048 px: a few hundred MB of float images

void checkImageSize(int imageSize)
{
    if (imageSize < kMinImageSize || imageSize > kMaxImageSize)
        throw std::invalid_argument("synthetic image size " + std::to_string(imageSize) + " is outside "
                                    + std::to_string(kMinImageSize) + ".." + std::to_string(kMaxImageSize));
}

// Stable across platforms and runs, unlike std::hash.
std::uint64_t hashName(const std::string& text)
{
    std::uint64_t hash = 14695981039346656037ull; // FNV-1a
    for (unsigned char c : text)
        hash = (hash ^ c) * 1099511628211ull;
    return hash;
}

// splitmix64 finaliser over a combination of a and b: nearby inputs (seed 1, 2, ...)
// give unrelated outputs.
std::uint64_t mixSeeds(std::uint64_t a, std::uint64_t b)
{
    std::uint64_t z = a + 0x9e3779b97f4a7c15ull * (b + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// Independent random streams of one image. A defect has a stream of its own so the
// good image underneath it is exactly makeGoodImage() with the same seed.
enum class Stream : std::uint64_t { Scene = 1, Illumination = 2, Noise = 3 };

cv::RNG streamRng(std::uint64_t imageKey, std::uint64_t stream)
{
    const std::uint64_t state = mixSeeds(imageKey, stream);
    return cv::RNG(state != 0 ? state : 1);
}

// Uneven lighting that every camera setup has: overall gain, a linear gradient in a
// random direction, vignetting and a slight white-balance error.
void applyIllumination(cv::Mat& image, cv::RNG& rng)
{
    const double gain = synth::uniform(rng, 0.95, 1.05);
    const double slope = synth::uniform(rng, 0.05, 0.14); // relative change across the image
    const double direction = synth::uniform(rng, 0.0, 2 * CV_PI);
    const double vignette = synth::uniform(rng, 0.03, 0.09); // relative darkening at the corners
    const cv::Vec3f whiteBalance(static_cast<float>(1 + rng.gaussian(0.01)), static_cast<float>(1 + rng.gaussian(0.01)),
                                 static_cast<float>(1 + rng.gaussian(0.01)));
    const double dx = std::cos(direction), dy = std::sin(direction);
    for (int y = 0; y < image.rows; ++y) {
        auto* pixel = image.ptr<cv::Vec3f>(y);
        const double v = (y + 0.5) / image.rows - 0.5;
        for (int x = 0; x < image.cols; ++x) {
            const double u = (x + 0.5) / image.cols - 0.5;
            const double light = gain * (1 + slope * (u * dx + v * dy)) * (1 - vignette * 2 * (u * u + v * v));
            pixel[x] = pixel[x].mul(whiteBalance) * static_cast<float>(light);
        }
    }
}

// Sensor noise at output resolution: mostly luminance, some chroma, stronger on
// bright pixels (shot noise).
void addSensorNoise(cv::Mat& image, cv::RNG& rng)
{
    const double lumaSigma = synth::uniform(rng, 1.6, 2.8) / 255;
    const double chromaSigma = 0.35 * lumaSigma;
    cv::Mat luma(image.size(), CV_32F), chroma(image.size(), CV_32FC3);
    rng.fill(luma, cv::RNG::NORMAL, 0.0, 1.0);
    rng.fill(chroma, cv::RNG::NORMAL, 0.0, 1.0);
    for (int y = 0; y < image.rows; ++y) {
        auto* pixel = image.ptr<cv::Vec3f>(y);
        const float* l = luma.ptr<float>(y);
        const auto* c = chroma.ptr<cv::Vec3f>(y);
        for (int x = 0; x < image.cols; ++x) {
            const double brightness = (pixel[x][0] + pixel[x][1] + pixel[x][2]) / 3;
            const double sigma = lumaSigma * (0.6 + 0.8 * std::max(0.0, brightness));
            for (int ch = 0; ch < 3; ++ch)
                pixel[x][ch] += static_cast<float>(sigma * l[x] + chromaSigma * c[x][ch]);
        }
    }
}

// A render-resolution defect coverage becomes an output pixel of the mask when at
// least this much of the pixel is covered: thin strokes stay connected, faint fringes
// stay out.
constexpr double kMaskCoverage = 0.3;

struct RenderedImage {
    cv::Mat image; // CV_8UC3
    cv::Mat mask; // CV_8UC1, 0/255
};

RenderedImage renderImage(const CategoryInfo& category, const std::string& defectType, int imageSize, std::uint64_t seed)
{
    checkImageSize(imageSize);
    // Render at >= 256 px and >= 2x: curves are anti-aliased and fine texture is
    // averaged like a camera does rather than aliased.
    const int supersampling = std::max(2, (256 + imageSize - 1) / imageSize);
    const synth::Canvas canvas {imageSize * supersampling, static_cast<double>(supersampling)};

    const std::uint64_t imageKey = mixSeeds(hashName(category.name), seed);
    cv::RNG sceneRng = streamRng(imageKey, static_cast<std::uint64_t>(Stream::Scene));
    cv::RNG defectRng = streamRng(imageKey, hashName("defect/" + defectType));
    const synth::Scene scene = category.render(canvas, sceneRng, defectType, defectRng);

    const cv::Size outputSize(imageSize, imageSize);
    cv::Mat image;
    cv::resize(scene.image, image, outputSize, 0, 0, cv::INTER_AREA);
    cv::RNG illuminationRng = streamRng(imageKey, static_cast<std::uint64_t>(Stream::Illumination));
    applyIllumination(image, illuminationRng);
    cv::RNG noiseRng = streamRng(imageKey, static_cast<std::uint64_t>(Stream::Noise));
    addSensorNoise(image, noiseRng);

    RenderedImage rendered;
    image.convertTo(rendered.image, CV_8UC3, 255.0);
    cv::Mat coverage;
    cv::resize(scene.defect, coverage, outputSize, 0, 0, cv::INTER_AREA);
    rendered.mask = (coverage >= kMaskCoverage);
    return rendered;
}

void makeDirectory(const fs::path& dir)
{
    std::error_code error;
    fs::create_directories(dir, error);
    if (error)
        throw std::runtime_error("cannot create directory '" + dir.string() + "': " + error.message());
}

// Written whole or not at all, so an interrupted make-demo leaves no half image to train on.
void writePng(const fs::path& file, const cv::Mat& image)
{
    // Fixed encoder settings: output bytes must not depend on OpenCV's defaults.
    const std::vector<int> params {cv::IMWRITE_PNG_COMPRESSION, 6, cv::IMWRITE_PNG_STRATEGY, cv::IMWRITE_PNG_STRATEGY_DEFAULT};
    std::vector<uchar> png;
    std::string reason;
    bool encoded = false;
    try {
        encoded = cv::imencode(".png", image, png, params);
    } catch (const cv::Exception& e) {
        reason = std::string(": ") + e.what();
    }
    if (!encoded)
        throw std::runtime_error("cannot write image '" + file.string() + "'" + reason);
    writeFileAtomically(file, std::string_view(reinterpret_cast<const char*>(png.data()), png.size()));
}

std::string indexedName(int index, const char* suffix)
{
    char name[32];
    std::snprintf(name, sizeof name, "%03d%s", index, suffix);
    return name;
}

} // namespace

std::vector<std::string> syntheticCategories()
{
    std::vector<std::string> names;
    for (const CategoryInfo& category : categoryTable())
        names.push_back(category.name);
    return names;
}

std::vector<std::string> defectTypes(const std::string& category)
{
    return findCategory(category).defectTypes;
}

cv::Mat makeGoodImage(const std::string& category, int imageSize, unsigned seed)
{
    return renderImage(findCategory(category), std::string(), imageSize, seed).image;
}

DefectSample makeDefectImage(const std::string& category, const std::string& defectType, int imageSize, unsigned seed)
{
    const CategoryInfo& info = findCategory(category);
    checkDefectType(info, defectType);
    RenderedImage rendered = renderImage(info, defectType, imageSize, seed);
    return {rendered.image, rendered.mask, defectType};
}

std::string writeSyntheticDataset(const std::string& root, const SyntheticSpec& spec)
{
    const CategoryInfo& category = findCategory(spec.category);
    checkImageSize(spec.imageSize);
    if (spec.trainGood < 0 || spec.testGood < 0 || spec.testDefectsPerType < 0)
        throw std::invalid_argument("synthetic dataset image counts must not be negative");

    const fs::path categoryDir = fs::path(root) / category.name;
    // Each folder draws its image seeds from its own sequence, so e.g. changing
    // trainGood leaves the test images as they were.
    const auto imageSeed = [&](const std::string& folder, int index) {
        return mixSeeds(mixSeeds(spec.seed, hashName(folder)), static_cast<std::uint64_t>(index));
    };

    const auto writeGoodFolder = [&](const std::string& folder, int count) {
        const fs::path dir = categoryDir / folder;
        makeDirectory(dir);
        for (int i = 0; i < count; ++i)
            writePng(dir / indexedName(i, ".png"),
                     renderImage(category, std::string(), spec.imageSize, imageSeed(folder, i)).image);
    };
    writeGoodFolder("train/good", spec.trainGood);
    writeGoodFolder("test/good", spec.testGood);

    for (const std::string& type : category.defectTypes) {
        const std::string folder = "test/" + type;
        const fs::path imageDir = categoryDir / folder;
        const fs::path maskDir = categoryDir / "ground_truth" / type;
        makeDirectory(imageDir);
        makeDirectory(maskDir);
        for (int i = 0; i < spec.testDefectsPerType; ++i) {
            const RenderedImage rendered = renderImage(category, type, spec.imageSize, imageSeed(folder, i));
            writePng(imageDir / indexedName(i, ".png"), rendered.image);
            writePng(maskDir / indexedName(i, "_mask.png"), rendered.mask);
        }
    }
    return categoryDir.string();
}

} // namespace ds
