#include "core/detectors/TorchDetector.h"

#include "core/Error.h"
#include "core/backbones/BackboneCatalog.h"
#include "core/components/AnomalyMap.h"
#include "core/data/ImageIO.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

namespace ds {
namespace {

constexpr size_t kBatchSize = 8;

} // namespace

std::vector<ParameterSpec> sharedTorchParameters()
{
    return {{"input_normalisation",
             "Input normalisation",
             "Per image (1): each image's channels to zero mean and unit std before the backbone (evens out "
             "lighting and contrast between images, but also hides a defect that only tints or darkens the whole "
             "image). ImageNet mean and std (0): as pretrained backbones expect. Automatic (2): per image for the "
             "built-in backbones, ImageNet for a TorchScript file.",
             2,
             0,
             2,
             true,
             {"ImageNet mean and std", "Per image", "Automatic"}}};
}

TorchDetector::TorchDetector(DetectorSettings settings)
    : ArchivedDetector(std::move(settings))
{
    // createDetector() wrote every parameter the method offers; one that does not offer
    // the choice keeps the ImageNet normalisation.
    const auto choice = settings_.parameters.find("input_normalisation");
    int normalisation = choice == settings_.parameters.end() ? 0 : int(choice->second);
    if (normalisation == 2) // automatic: a TorchScript file is most likely pretrained on ImageNet
        normalisation = isBuiltinBackbone(settings_.backbone) ? 1 : 0;
    normalisation_ = static_cast<InputNormalisation>(normalisation);
    // Fails before any image is loaded rather than after.
    std::error_code ec;
    if (!isBuiltinBackbone(settings_.backbone) && !std::filesystem::is_regular_file(settings_.backbone, ec))
        throw InputError("unknown backbone '" + settings_.backbone + "': use " + backboneChoices());
}

void TorchDetector::ensureBackbone()
{
    if (!backbone_) {
        backbone_ = createBackbone(settings_.backbone, settings_.seed);
        backbone_->to(device());
    }
}

torch::Tensor TorchDetector::batchOf(const std::vector<cv::Mat>& images, const cv::Size& size) const
{
    return imagesToBatch(images, size, device(), normalisation_);
}

// Runs the backbone over images in batches, reporting progress within the current span.
void TorchDetector::forEachBatch(const std::vector<cv::Mat>& images, JobContext& job, const std::string& stage,
                                 const std::function<void(std::vector<torch::Tensor>)>& consume)
{
    for (const auto& [first, end] : batchRanges(images, geometry_, kBatchSize)) {
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
    if (backbone_ && backbone_->learnsFromImages())
        backbone_.reset(); // a second fit learns afresh, from the same initial weights
    ensureBackbone();
    fitted_ = false;
    resetFit();
    chooseAspect(settings_, goodImages);
    geometry_ = chooseInputGeometry(goodImages, settings_.imageSize, settings_.keepAspectRatio, alignsPositions());
    double learnShare = 0;
    if (backbone_->learnsFromImages()) {
        learnShare = 0.6;
        JobContext::Span span(job, 0.0, learnShare);
        std::vector<cv::Mat> scaled;
        for (const cv::Mat& image : goodImages)
            scaled.push_back(resizeImage(image, geometry_.sizeFor(image.size())));
        // A method built on its learned backbone (CutPaste) says how long it learns.
        const auto steps = settings_.parameters.find("pretext_steps");
        backbone_->learn(
            scaled, [&](const std::vector<cv::Mat>& batch) { return batchOf(batch, batch.front().size()); },
            steps == settings_.parameters.end() ? 0 : int(steps->second), job);
    }
    JobContext::Span afterLearning(job, learnShare, 1.0);
    c10::InferenceMode inference;
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
    for (const auto& [first, end] : batchRanges(images, geometry_, kBatchSize)) {
        const std::vector<cv::Mat> batch(images.begin() + long(first), images.begin() + long(end));
        const cv::Size inputSize = geometry_.sizeFor(batch.front().size());
        const PatchScores scores = score(aggregate(backbone_->extract(batchOf(batch, inputSize))));
        const bool ownScores = scores.imageScores.defined();
        const torch::Tensor perImage = (ownScores ? scores.imageScores : scores.imageWeights).to(torch::kCPU, torch::kFloat32);
        for (int64_t i = 0; i < int64_t(batch.size()); ++i) {
            AnomalyResult result;
            result.anomalyMap = finishAnomalyMap(tensorToMat(scores.maps[i]), inputSize, settings_.imageSize);
            double maximum = 0;
            cv::minMaxLoc(result.anomalyMap, nullptr, &maximum);
            result.score = float(ownScores ? perImage[i].item<double>() : maximum * perImage[i].item<double>());
            results.push_back(std::move(result));
        }
    }
    return results;
}

void TorchDetector::writeState(torch::serialize::OutputArchive& archive) const
{
    geometry_.write(archive);
    torch::serialize::OutputArchive backbone;
    backbone_->save(backbone);
    archive.write("backbone", backbone);
    torch::serialize::OutputArchive statistics;
    writeStatistics(statistics);
    archive.write("statistics", statistics);
}

void TorchDetector::loadState(torch::serialize::InputArchive& archive)
{
    geometry_ = InputGeometry::read(archive, settings_.imageSize);
    torch::serialize::InputArchive backbone;
    archive.read("backbone", backbone);
    backbone_ = loadBackbone(backbone);
    backbone_->to(device());
    torch::serialize::InputArchive statistics;
    archive.read("statistics", statistics);
    readStatistics(statistics);
    fitted_ = true;
}

} // namespace ds
