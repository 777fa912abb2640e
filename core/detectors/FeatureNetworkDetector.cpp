#include "core/detectors/FeatureNetworkDetector.h"

#include "core/backbones/BackboneCatalog.h"
#include "core/components/AnomalyMap.h"
#include "core/data/ImageIO.h"
#include "core/networks/Networks.h"
#include "core/networks/TrainingImages.h"

#include <cmath>
#include <optional>
#include <utility>

namespace ds {
namespace {

namespace F = torch::nn::functional;

constexpr int kBatch = 8;
constexpr int kCrop = 128;

} // namespace

FeatureNetworkDetector::FeatureNetworkDetector(const DetectorSettings& settings, NetworkBudget budget, std::string stage,
                                               std::string curve)
    : ArchivedDetector(settings)
    , budget_(budget)
    // A TorchScript teacher is most likely pretrained on ImageNet; the built-in ones see
    // each image evened out, as the statistical methods' automatic choice does.
    , normalisation_(isBuiltinBackbone(settings.backbone) ? InputNormalisation::PerImage : InputNormalisation::ImageNet)
{
    training_.stage = std::move(stage);
    training_.curve = std::move(curve);
}

std::vector<torch::Tensor> FeatureNetworkDetector::cosineDistances(const std::vector<torch::Tensor>& teacher,
                                                                   const std::vector<torch::Tensor>& student)
{
    std::vector<torch::Tensor> distances;
    const auto unit = F::NormalizeFuncOptions().dim(1);
    // Half the squared distance of the unit-length descriptors.
    for (size_t level = 0; level < teacher.size(); ++level)
        distances.push_back(0.5 * (F::normalize(teacher[level], unit) - F::normalize(student[level], unit)).pow(2).sum(1));
    return distances;
}

torch::Tensor FeatureNetworkDetector::trainingLoss(const torch::Tensor& input, const std::vector<torch::Tensor>& teacher)
{
    torch::Tensor loss = torch::zeros({}, input.options());
    for (const torch::Tensor& distance : levelDistances(input, teacher))
        loss = loss + distance.mean();
    return loss;
}

void FeatureNetworkDetector::calibrate(const std::vector<cv::Mat>&, JobContext&) { }

void FeatureNetworkDetector::forEachBatch(
    const std::vector<cv::Mat>& images, JobContext* job, const std::string& stage,
    const std::function<void(size_t, size_t, const torch::Tensor&, const std::vector<torch::Tensor>&)>& visit) const
{
    forEachWindow(images, job, stage,
                  [&](size_t first, size_t end, const Window&, const torch::Tensor& input,
                      const std::vector<torch::Tensor>& teacher) { visit(first, end, input, teacher); });
}

void FeatureNetworkDetector::forEachWindow(const std::vector<cv::Mat>& images, JobContext* job, const std::string& stage,
                                           const WindowVisit& visit) const
{
    c10::InferenceMode inference;
    for (const auto& [first, end] : batchRanges(images, geometry_, kBatch)) {
        if (job)
            job->throwIfCancelled();
        const std::vector<cv::Mat> batch(images.begin() + long(first), images.begin() + long(end));
        const cv::Size inputSize = geometry_.sizeFor(batch.front().size());
        const torch::Tensor input = batchOf(batch, inputSize);
        const std::vector<cv::Rect> windows = windowsOf(inputSize);
        for (size_t i = 0; i < windows.size(); ++i) {
            const cv::Rect& area = windows[i];
            const torch::Tensor part = windows.size() == 1 ? input
                                                           : input.slice(2, area.y, area.y + area.height)
                                                                 .slice(3, area.x, area.x + area.width)
                                                                 .contiguous(torch::MemoryFormat::ChannelsLast);
            visit(first, end, {area, inputSize, i + 1 == windows.size()}, part, teacher_->extract(part));
        }
        if (job)
            job->report(double(end) / double(images.size()), stage);
    }
}

// Per axis, windows of the training side at evenly spaced offsets (multiples of 16 px, as
// input sides are) overlapping by about half a window, the last flush with the end.
std::vector<cv::Rect> FeatureNetworkDetector::windowsOf(const cv::Size& inputSize) const
{
    const auto offsets = [&](int length) -> std::pair<std::vector<int>, int> {
        if (window_ <= 0 || length <= window_)
            return {{0}, length};
        const int count = int(std::ceil(double(length - window_) / (window_ / 2.0))) + 1;
        std::vector<int> starts;
        for (int i = 0; i < count; ++i)
            starts.push_back(i + 1 == count ? length - window_ : (i * (length - window_) / (count - 1)) / 16 * 16);
        return {starts, window_};
    };
    const auto [rows, height] = offsets(inputSize.height);
    const auto [columns, width] = offsets(inputSize.width);
    std::vector<cv::Rect> windows;
    for (const int y : rows)
        for (const int x : columns)
            windows.emplace_back(x, y, width, height);
    return windows;
}

void FeatureNetworkDetector::fit(const std::vector<cv::Mat>& goodImages, JobContext& job)
{
    translatingTorchErrors([&] { fitImages(goodImages, job); });
}

std::vector<AnomalyResult> FeatureNetworkDetector::predict(const std::vector<cv::Mat>& images)
{
    return translatingTorchErrors([&] { return predictImages(images); });
}

void FeatureNetworkDetector::loadState(torch::serialize::InputArchive& archive)
{
    geometry_ = InputGeometry::read(archive, budget_.side);
    torch::Tensor window;
    window_ = archive.try_read("window", window) ? int(window.item<int64_t>()) : 0;
    if (window_ < 0)
        throw InputError("model state has an invalid window");
    torch::serialize::InputArchive teacher;
    archive.read("teacher", teacher);
    teacher_ = loadBackbone(teacher);
    teacher_->to(device());
    buildNetworkForTeacher();
    readModule(archive, "student", *network_, device()); // "student": the key of the first models saved
    toChannelsLast(*network_);
    network_->eval();
    fitted_ = true;
}

void FeatureNetworkDetector::writeState(torch::serialize::OutputArchive& archive) const
{
    geometry_.write(archive);
    archive.write("window", torch::tensor(int64_t(window_)));
    torch::serialize::OutputArchive teacher;
    teacher_->save(teacher);
    archive.write("teacher", teacher);
    writeModule(archive, "student", *network_);
}

torch::Tensor FeatureNetworkDetector::batchOf(const std::vector<cv::Mat>& images, const cv::Size& size) const
{
    return imagesToBatch(images, size, device(), normalisation_).contiguous(torch::MemoryFormat::ChannelsLast);
}

// The network follows the teacher's channels, read from a small probe.
void FeatureNetworkDetector::buildNetworkForTeacher()
{
    std::vector<int64_t> channels;
    {
        c10::InferenceMode inference;
        for (const torch::Tensor& map : teacher_->extract(torch::zeros({1, 3, 64, 64}, device())))
            channels.push_back(map.size(1));
    }
    network_ = buildNetwork(channels);
    network_->to(device());
    toChannelsLast(*network_);
}

// A random teacher's BatchNorm follows the good images' statistics (as the statistical
// methods' optional pass does), so no channel of it is saturated or silent.
void FeatureNetworkDetector::adaptTeacher(const std::vector<cv::Mat>& goodImages, JobContext& job)
{
    if (!teacher_->supportsNormalisationPass())
        return;
    teacher_->beginNormalisationPass();
    try {
        forEachBatch(goodImages, &job, "Adapting the teacher to the images",
                     [](size_t, size_t, const torch::Tensor&, const std::vector<torch::Tensor>&) {});
    } catch (...) {
        teacher_->endNormalisationPass();
        throw;
    }
    teacher_->endNormalisationPass();
}

void FeatureNetworkDetector::fitImages(const std::vector<cv::Mat>& goodImages, JobContext& job)
{
    if (goodImages.size() < 2)
        throw InputError("training needs at least 2 good images, got " + std::to_string(goodImages.size()));
    fitted_ = false;
    window_ = 0; // the teacher adapts to whole inputs, on a second fit as on the first
    chooseAspect(settings_, goodImages);
    geometry_ = chooseInputGeometry(goodImages, budget_.side, settings_.keepAspectRatio, false);
    // A second fit starts from the same teacher and the same initial network.
    teacher_ = createBackbone(settings_.backbone, settings_.seed);
    teacher_->to(device());
    const double learnt = teacher_->learnsFromImages() ? 0.4 : 0.0;
    if (teacher_->learnsFromImages()) {
        JobContext::Span span(job, 0.0, learnt);
        std::vector<cv::Mat> scaled;
        for (const cv::Mat& image : goodImages)
            scaled.push_back(resizeImage(image, geometry_.sizeFor(image.size())));
        teacher_->learn(
            scaled, [&](const std::vector<cv::Mat>& batch) { return batchOf(batch, batch.front().size()); }, 0, job);
    }
    {
        JobContext::Span span(job, learnt, learnt + 0.05);
        adaptTeacher(goodImages, job);
    }
    buildNetworkForTeacher();
    std::optional<TrainingImages> images;
    {
        JobContext::Span span(job, learnt + 0.05, learnt + 0.07);
        images.emplace(goodImages, geometry_, kCrop, job);
        window_ = images->crop();
    }
    cv::RNG rng(settings_.seed + 2);

    {
        JobContext::Span span(job, learnt + 0.07, 0.97);
        c10::InferenceMode autograd(false);
        network_->train();
        torch::optim::Adam optimiser(network_->parameters(), torch::optim::AdamOptions(1e-3));
        TrainingPlan training = training_;
        training.steps = budget_.steps;
        runTrainingLoop(job, training, [&](int) {
            const std::vector<cv::Mat> crops = images->randomCrops(kBatch, rng);
            const torch::Tensor input = batchOf(crops, cv::Size(images->crop(), images->crop()));
            std::vector<torch::Tensor> teacher;
            {
                torch::NoGradGuard frozen;
                teacher = teacher_->extract(input);
            }
            torch::Tensor loss = trainingLoss(input, teacher);
            optimiser.zero_grad();
            loss.backward();
            optimiser.step();
            return loss.item<double>();
        });
    }
    network_->eval();
    {
        JobContext::Span span(job, 0.97, 1.0);
        calibrate(goodImages, job);
    }
    fitted_ = true;
    job.report(1.0, "Trained");
}

std::vector<AnomalyResult> FeatureNetworkDetector::predictImages(const std::vector<cv::Mat>& images)
{
    if (!fitted_)
        throw Error("the detector must be trained or loaded before it can score images");
    std::vector<AnomalyResult> results;
    const auto bilinear = [](const torch::Tensor& maps, int64_t height, int64_t width) {
        return F::interpolate(maps.unsqueeze(1),
                              F::InterpolateFuncOptions()
                                  .size(std::vector<int64_t> {height, width})
                                  .mode(torch::kBilinear)
                                  .align_corners(false))
            .squeeze(1);
    };
    const auto finish = [&](const torch::Tensor& maps, const cv::Size& inputSize) {
        for (int64_t i = 0; i < maps.size(0); ++i) {
            AnomalyResult result;
            result.anomalyMap = finishAnomalyMap(tensorToMat(maps[i]), inputSize, settings_.imageSize);
            double maximum = 0;
            cv::minMaxLoc(result.anomalyMap, nullptr, &maximum);
            result.score = float(maximum);
            results.push_back(std::move(result));
        }
    };
    // Windows' maps, at the input's pixels, and how many windows cover each pixel.
    torch::Tensor stitched, coverage;
    forEachWindow(
        images, nullptr, {},
        [&](size_t, size_t, const Window& window, const torch::Tensor& input, const std::vector<torch::Tensor>& teacher) {
            std::vector<torch::Tensor> distances = levelDistances(input, teacher);
            for (torch::Tensor& distance : distances)
                distance = bilinear(distance, distances.front().size(1), distances.front().size(2));
            const torch::Tensor maps = combineLevels(distances);
            if (window.area.size() == window.inputSize) {
                finish(maps, window.inputSize);
                return;
            }
            if (!stitched.defined()) {
                stitched = torch::zeros({maps.size(0), window.inputSize.height, window.inputSize.width}, maps.options());
                coverage = torch::zeros({1, window.inputSize.height, window.inputSize.width}, maps.options());
            }
            const cv::Rect& area = window.area;
            stitched.slice(1, area.y, area.y + area.height)
                .slice(2, area.x, area.x + area.width)
                .add_(bilinear(maps, area.height, area.width));
            coverage.slice(1, area.y, area.y + area.height).slice(2, area.x, area.x + area.width).add_(1.0);
            if (window.last) {
                finish(stitched / coverage, window.inputSize);
                stitched = coverage = torch::Tensor();
            }
        });
    return results;
}

} // namespace ds
