#include "core/detectors/TorchDetector.h"

#include "core/Error.h"
#include "core/backbones/BackboneCatalog.h"
#include "core/backbones/TorchRuntime.h"
#include "core/components/AnomalyMap.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

namespace ds {
namespace {

constexpr int kBatchSize = 8;
constexpr const char* kFormat = "defectscope-model-1";

double median(std::vector<double> values)
{
    std::nth_element(values.begin(), values.begin() + long(values.size() / 2), values.end());
    return values[values.size() / 2];
}

} // namespace

cv::Size InputGeometry::sizeFor(const cv::Size& image) const
{
    if (scale <= 0)
        return fixedSize;
    // Multiples of 16 keep the backbone's strided maps aligned with the pixels.
    const auto side = [&](int pixels) { return std::clamp(int(std::lround(pixels * scale / 16.0)) * 16, 32, 4096); };
    return {side(image.width), side(image.height)};
}

std::vector<ParameterSpec> sharedTorchParameters()
{
    return {{"input_normalisation", "Input normalisation",
             "Per image (1): each image's channels to zero mean and unit std before the backbone (evens out "
             "lighting and contrast between images, but also hides a defect that only tints or darkens the whole "
             "image). ImageNet mean and std (0): as pretrained backbones expect. Automatic (2): per image for the "
             "built-in backbones, ImageNet for a TorchScript file.",
             2, 0, 2, true, {"ImageNet mean and std", "Per image", "Automatic"}}};
}

TorchDetector::TorchDetector(DetectorSettings settings)
    : Detector(std::move(settings)), device_(computeDeviceName() == "cuda" ? torch::kCUDA : torch::kCPU)
{
    initTorchRuntime();
    // createDetector() wrote every parameter the method offers; one that does not offer
    // the choice keeps the ImageNet normalisation.
    const auto choice = settings_.parameters.find("input_normalisation");
    int normalisation = choice == settings_.parameters.end() ? 0 : int(choice->second);
    if (normalisation == 2) // automatic: a TorchScript file is most likely pretrained on ImageNet
        normalisation = isBuiltinBackbone(settings_.backbone) ? 1 : 0;
    normalisation_ = static_cast<InputNormalisation>(normalisation);
    if (settings_.imageSize < 32 || settings_.imageSize > 2048)
        throw InputError("image size must be between 32 and 2048 pixels");
    // Fails before any image is loaded rather than after.
    std::error_code ec;
    if (!isBuiltinBackbone(settings_.backbone) && !std::filesystem::is_regular_file(settings_.backbone, ec))
        throw InputError("unknown backbone '" + settings_.backbone + "': use " + backboneChoices());
}

// LibTorch errors (out of memory above all) carry a C++ backtrace: the user gets the
// first line and what to lower instead.
template <typename Work>
auto TorchDetector::translatingTorchErrors(Work&& work) -> decltype(work())
{
    try {
        return work();
    } catch (const c10::Error& e) {
        const std::string what = e.what();
        throw Error("the detector failed: " + what.substr(0, what.find('\n'))
                    + " (a smaller image size, fewer features or a smaller patch pool needs less memory)");
    }
}

void TorchDetector::ensureBackbone()
{
    if (!backbone_) {
        backbone_ = createBackbone(settings_.backbone, settings_.seed);
        backbone_->to(device_);
    }
}

// Squashed: every image to the model's square. Shape kept: one scale for all images, so
// the typical training image gets as many pixels as the square and a surface's texture
// keeps one scale whatever each image's size; a method that models positions apart
// instead gets every image at the typical training image's shape.
InputGeometry TorchDetector::chooseGeometry(const std::vector<cv::Mat>& goodImages)
{
    const int side = settings_.imageSize;
    if (!settings_.keepAspectRatio)
        return {0.0, cv::Size(side, side)};
    std::vector<double> widths, heights, geometricSides;
    for (const cv::Mat& image : goodImages) {
        widths.push_back(image.cols);
        heights.push_back(image.rows);
        geometricSides.push_back(std::sqrt(double(image.cols) * double(image.rows)));
    }
    const InputGeometry scaled{double(side) / median(geometricSides), {}};
    if (!alignsPositions())
        return scaled;
    return {0.0, scaled.sizeFor(cv::Size(int(median(widths)), int(median(heights))))};
}

std::vector<std::pair<size_t, size_t>> TorchDetector::batchRanges(const std::vector<cv::Mat>& images) const
{
    std::vector<std::pair<size_t, size_t>> ranges;
    for (size_t first = 0; first < images.size();) {
        const cv::Size size = geometry_.sizeFor(images[first].size());
        size_t end = first + 1;
        while (end < images.size() && end - first < size_t(kBatchSize) && geometry_.sizeFor(images[end].size()) == size)
            ++end;
        ranges.emplace_back(first, end);
        first = end;
    }
    return ranges;
}

torch::Tensor TorchDetector::batchOf(const std::vector<cv::Mat>& images, const cv::Size& size) const
{
    return imagesToBatch(images, size, device_, normalisation_);
}

// Runs the backbone over images in batches, reporting progress within the current span.
void TorchDetector::forEachBatch(const std::vector<cv::Mat>& images, JobContext& job, const std::string& stage,
                                 const std::function<void(std::vector<torch::Tensor>)>& consume)
{
    for (const auto& [first, end] : batchRanges(images)) {
        job.throwIfCancelled();
        const std::vector<cv::Mat> batch(images.begin() + long(first), images.begin() + long(end));
        consume(backbone_->extract(batchOf(batch, geometry_.sizeFor(batch.front().size()))));
        job.report(double(end) / double(images.size()), stage);
    }
}

void TorchDetector::fit(const std::vector<cv::Mat>& goodImages, JobContext& job)
{
    translatingTorchErrors([&] { fitImages(goodImages, job); });
}

void TorchDetector::fitImages(const std::vector<cv::Mat>& goodImages, JobContext& job)
{
    if (goodImages.size() < 2)
        throw InputError("training needs at least 2 good images, got " + std::to_string(goodImages.size()));
    c10::InferenceMode inference;
    ensureBackbone();
    fitted_ = false;
    resetFit();
    geometry_ = chooseGeometry(goodImages);
    const bool normalisationPass = settings_.adaptBatchNorm && backbone_->supportsNormalisationPass();
    const double passShare = normalisationPass ? 0.5 * extractionShare() : 0.0;
    if (normalisationPass) {
        JobContext::Span span(job, 0.0, passShare);
        backbone_->beginNormalisationPass();
        try {
            forEachBatch(goodImages, job, "Adapting backbone to the images", [](std::vector<torch::Tensor>) {});
        } catch (...) {
            backbone_->endNormalisationPass();
            throw;
        }
        backbone_->endNormalisationPass();
    }
    {
        JobContext::Span extraction(job, passShare, extractionShare());
        bool first = true;
        forEachBatch(goodImages, job, "Extracting features", [&](std::vector<torch::Tensor> maps) {
            const torch::Tensor features = aggregate(maps);
            if (first)
                beginFit(int64_t(goodImages.size()), features.size(1), features.size(2), features.size(3));
            first = false;
            accumulate(features);
        });
    }
    job.throwIfCancelled();
    {
        JobContext::Span statistics(job, extractionShare(), 1.0);
        finishFit(job);
    }
    fitted_ = true;
    job.report(1.0, "Trained");
}

std::vector<AnomalyResult> TorchDetector::predict(const std::vector<cv::Mat>& images)
{
    return translatingTorchErrors([&] { return predictImages(images); });
}

std::vector<AnomalyResult> TorchDetector::predictImages(const std::vector<cv::Mat>& images)
{
    if (!fitted_)
        throw Error("the detector must be trained or loaded before it can score images");
    c10::InferenceMode inference;
    std::vector<AnomalyResult> results;
    for (const auto& [first, end] : batchRanges(images)) {
        const std::vector<cv::Mat> batch(images.begin() + long(first), images.begin() + long(end));
        const cv::Size inputSize = geometry_.sizeFor(batch.front().size());
        const PatchScores scores = score(aggregate(backbone_->extract(batchOf(batch, inputSize))));
        const torch::Tensor weights = scores.imageWeights.to(torch::kCPU, torch::kFloat32);
        for (int64_t i = 0; i < int64_t(batch.size()); ++i) {
            AnomalyResult result;
            result.anomalyMap = finishAnomalyMap(tensorToMat(scores.maps[i]), inputSize, settings_.imageSize);
            double maximum = 0;
            cv::minMaxLoc(result.anomalyMap, nullptr, &maximum);
            result.score = float(maximum * weights[i].item<double>());
            results.push_back(std::move(result));
        }
    }
    return results;
}

std::vector<uint8_t> TorchDetector::saveState() const
{
    if (!fitted_)
        throw Error("an untrained detector has no state to save");
    torch::serialize::OutputArchive archive;
    archive.write("format", c10::IValue(std::string(kFormat)));
    archive.write("settings", c10::IValue(settings_.toJson()));
    archive.write("input_geometry", torch::tensor({geometry_.scale, double(geometry_.fixedSize.width),
                                                   double(geometry_.fixedSize.height)}, torch::kFloat64));
    torch::serialize::OutputArchive backbone;
    backbone_->save(backbone);
    archive.write("backbone", backbone);
    torch::serialize::OutputArchive statistics;
    writeStatistics(statistics);
    archive.write("statistics", statistics);
    std::ostringstream out;
    archive.save_to(out);
    const std::string bytes = out.str();
    return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

void TorchDetector::loadState(torch::serialize::InputArchive& archive)
{
    torch::Tensor geometry;
    if (archive.try_read("input_geometry", geometry) && geometry.numel() == 3) {
        const auto values = geometry.to(torch::kFloat64).contiguous();
        const double* v = values.data_ptr<double>();
        geometry_ = {v[0], cv::Size(int(v[1]), int(v[2]))};
    } else { // saved before shapes were kept: every image squashed
        geometry_ = {0.0, cv::Size(settings_.imageSize, settings_.imageSize)};
    }
    if (geometry_.scale <= 0 && (geometry_.fixedSize.width < 1 || geometry_.fixedSize.height < 1))
        throw InputError("model state has an invalid input geometry");
    torch::serialize::InputArchive backbone;
    archive.read("backbone", backbone);
    backbone_ = loadBackbone(backbone);
    backbone_->to(device_);
    torch::serialize::InputArchive statistics;
    archive.read("statistics", statistics);
    readStatistics(statistics);
    fitted_ = true;
}

std::unique_ptr<Detector> loadDetector(const std::vector<uint8_t>& state)
{
    std::istringstream in(std::string(state.begin(), state.end()));
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(in, torch::Device(torch::kCPU)); // readStatistics() moves to this machine's device
        c10::IValue format, settingsJson;
        archive.read("format", format);
        if (!format.isString() || format.toStringRef() != kFormat)
            throw InputError("model state has an unknown format");
        archive.read("settings", settingsJson);
        std::unique_ptr<Detector> detector = createDetector(DetectorSettings::fromJson(settingsJson.toStringRef()));
        auto* torchDetector = dynamic_cast<TorchDetector*>(detector.get());
        if (!torchDetector)
            throw InputError("model state does not match its method");
        torchDetector->loadState(archive);
        return detector;
    } catch (const c10::Error& e) {
        const std::string what = e.what();
        throw InputError("model state is damaged or not a DefectScope model (" + what.substr(0, what.find('\n')) + ")");
    }
}

} // namespace ds
