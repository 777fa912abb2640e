#include "core/detectors/cutpaste/CutPaste.h"

#include "core/backbones/BackboneCatalog.h"
#include "core/components/FeatureAggregation.h"
#include "core/components/GaussianStatistics.h"
#include "core/detectors/TorchDetector.h"

namespace ds {
namespace {

// CutPaste (Li et al., CVPR 2021) from scratch: the self-learned backbone ("selfsup")
// is trained to tell intact good images from cut-pasted and scarred ones; then a Gaussian
// density on its features scores images. Image score: the Mahalanobis distance of the
// image's pooled features (the paper's GDE) or the largest patch distance; map: one
// Gaussian shared by every patch (stride 8, all three stages).
class CutPaste : public TorchDetector {
public:
    explicit CutPaste(const DetectorSettings& settings)
        : TorchDetector(settings)
    {
    }

protected:
    torch::Tensor aggregate(const std::vector<torch::Tensor>& maps) override { return aggregateFeatures(maps, 1, 3); }

    void beginFit(int64_t, int64_t, int64_t, int64_t) override
    {
        images_ = GaussianStatistics();
        patches_ = GaussianStatistics();
    }

    void accumulate(const torch::Tensor& features) override
    {
        images_.accumulate(features.mean({2, 3}).unsqueeze(2));
        patches_.accumulate(asPatches(features));
    }

    void finishFit(JobContext& job) override
    {
        job.report(0.0, "Estimating Gaussians");
        images_.finish();
        patches_.finish();
    }

    PatchScores score(const torch::Tensor& features) override
    {
        const int64_t batch = features.size(0), height = features.size(2), width = features.size(3);
        const torch::Tensor maps = patches_.squaredMahalanobis(asPatches(features)).sqrt().view({batch, height, width});
        PatchScores scores {maps, torch::ones({batch}), {}};
        if (parameter("image_score") == 0)
            scores.imageScores = images_.squaredMahalanobis(features.mean({2, 3}).unsqueeze(2)).sqrt().view({batch});
        return scores;
    }

    void writeStatistics(torch::serialize::OutputArchive& archive) const override
    {
        archive.write("image_mean", images_.mean());
        archive.write("image_inverse_covariance", images_.inverseCovariance());
        archive.write("patch_mean", patches_.mean());
        archive.write("patch_inverse_covariance", patches_.inverseCovariance());
    }

    void readStatistics(torch::serialize::InputArchive& archive) override
    {
        const auto read = [&](const char* key) {
            torch::Tensor value;
            archive.read(key, value);
            return value.to(device());
        };
        images_.set(read("image_mean"), read("image_inverse_covariance"));
        patches_.set(read("patch_mean"), read("patch_inverse_covariance"));
    }

private:
    // B x D x h x w -> (B h w) x D x 1: every patch a sample of one shared Gaussian.
    static torch::Tensor asPatches(const torch::Tensor& features)
    {
        return features.permute({0, 2, 3, 1}).reshape({-1, features.size(1), 1});
    }

    GaussianStatistics images_;
    GaussianStatistics patches_;
};

} // namespace

DetectorInfo cutPasteInfo()
{
    DetectorInfo info {"cutpaste",
                       "CutPaste (trained from scratch)",
                       "Learns a network from the good images by telling them from cut-and-pasted and scarred copies, then "
                       "models its features with a Gaussian. No pretrained weights; always uses the self-learned backbone.",
                       {{"pretext_steps",
                         "Training steps (0: 300)",
                         "Steps of the network's training on cut-pasted and scarred images (24 "
                         "images each); 0 takes the default (300).",
                         0,
                         0,
                         100000,
                         true,
                         {}},
                        {"image_score",
                         "Image score",
                         "Whole-image density (0, the paper's): distance of the image's pooled "
                         "features. Largest patch (1): the map's maximum, for small defects.",
                         1,
                         0,
                         1,
                         true,
                         {"Whole-image density", "Largest patch"}}},
                       [](const DetectorSettings& settings) {
                           DetectorSettings own = settings;
                           own.backbone = "selfsup"; // the method is the backbone it learns
                           return std::make_unique<CutPaste>(own);
                       },
                       [](const DetectorSettings& settings) {
                           return selfSupervisedLearningSeconds(int(settings.parameters.at("pretext_steps")));
                       },
                       false};
    const std::vector<ParameterSpec> shared = sharedTorchParameters();
    info.parameters.insert(info.parameters.end(), shared.begin(), shared.end());
    return info;
}

} // namespace ds
