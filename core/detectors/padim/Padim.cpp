#include "core/detectors/padim/Padim.h"

#include "core/Error.h"
#include "core/components/FeatureAggregation.h"
#include "core/components/GaussianStatistics.h"
#include "core/detectors/TorchDetector.h"

namespace ds {
namespace {

// PaDiM (Defard et al., 2021): a Gaussian per feature position (at the finest map's
// resolution) over a random subset of the concatenated channels of every backbone map
// (layer1..layer3 for the builtin ResNets, as in the paper); the anomaly map is the
// Mahalanobis distance.
class Padim : public TorchDetector {
public:
    explicit Padim(const DetectorSettings& settings)
        : TorchDetector(settings)
    {
    }

protected:
    // A Gaussian per position: with shapes kept, every image at the typical training shape.
    // (One Gaussian shared by all positions was measured far weaker: image borders and the
    // part's layout then read as anomalies; docs/BENCHMARKS.md.)
    bool alignsPositions() const override { return true; }

    torch::Tensor aggregate(const std::vector<torch::Tensor>& maps) override
    {
        const torch::Tensor features = aggregateFeatures(maps, 0, 1);
        if (!channels_.defined())
            chooseChannels(features.size(1));
        return features.index_select(1, channels_);
    }

    void beginFit(int64_t, int64_t channels, int64_t height, int64_t width) override
    {
        // The inverse covariances (positions x D x D floats) are the model: refuse sizes
        // that could not be stored (SQLite blobs stop at 1 GB) before statistics are gathered.
        const double stateBytes = double(height) * double(width) * double(channels) * double(channels) * 4.0;
        if (stateBytes > 900e6)
            throw InputError("PaDiM at this image size and feature count needs a " + std::to_string(int(stateBytes / 1e6))
                             + " MB model; lower the image size or n_features");
        statistics_ = GaussianStatistics();
    }

    void accumulate(const torch::Tensor& features) override { statistics_.accumulate(features.flatten(2)); }

    void finishFit(JobContext& job) override
    {
        job.report(0.0, "Estimating Gaussians");
        statistics_.finish();
    }

    PatchScores score(const torch::Tensor& features) override
    {
        const torch::Tensor distances = statistics_.squaredMahalanobis(features.flatten(2)).sqrt();
        return {distances.view({features.size(0), features.size(2), features.size(3)}), torch::ones({features.size(0)})};
    }

    void writeStatistics(torch::serialize::OutputArchive& archive) const override
    {
        archive.write("channels", channels_);
        archive.write("mean", statistics_.mean());
        archive.write("inverse_covariance", statistics_.inverseCovariance());
    }

    void readStatistics(torch::serialize::InputArchive& archive) override
    {
        torch::Tensor mean, inverseCovariance;
        archive.read("channels", channels_);
        archive.read("mean", mean);
        archive.read("inverse_covariance", inverseCovariance);
        channels_ = channels_.to(device());
        statistics_.set(mean.to(device()), inverseCovariance.to(device()));
    }

private:
    void chooseChannels(int64_t available)
    {
        const int64_t wanted = std::min<int64_t>(available, int64_t(parameter("n_features")));
        auto generator = at::detail::createCPUGenerator(settings_.seed + 1);
        channels_ = std::get<0>(torch::randperm(available, generator).slice(0, 0, wanted).sort()).to(device());
    }

    torch::Tensor channels_;
    GaussianStatistics statistics_;
};

} // namespace

DetectorInfo padimInfo()
{
    DetectorInfo info {"padim",
                       "PaDiM",
                       "A Gaussian per image position over backbone features; Mahalanobis distance. Fast to train, "
                       "strong on aligned parts.",
                       {{"n_features", "Feature channels",
                         "Random subset of backbone channels modelled per position "
                         "(more: finer, but memory grows with its square).",
                         100, 10, 550, true}},
                       [](const DetectorSettings& settings) { return std::make_unique<Padim>(settings); }};
    const std::vector<ParameterSpec> shared = sharedTorchParameters();
    info.parameters.insert(info.parameters.end(), shared.begin(), shared.end());
    return info;
}

} // namespace ds
