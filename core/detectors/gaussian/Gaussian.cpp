#include "core/detectors/gaussian/Gaussian.h"

#include "core/components/FeatureAggregation.h"
#include "core/components/GaussianStatistics.h"
#include "core/detectors/TorchDetector.h"

namespace ds {
namespace {

// Ledoit-Wolf shrinkage of the covariance of samples (N x D, double) towards a scaled
// identity: with tens of images and hundreds of channels the sample covariance is
// singular, and the shrinkage the data itself supports beats any fixed regulariser.
torch::Tensor shrunkCovariance(const torch::Tensor& samples)
{
    const double n = double(samples.size(0));
    const int64_t dimension = samples.size(1);
    const torch::Tensor centred = samples - samples.mean(0, true);
    const torch::Tensor sample = centred.t().mm(centred) / n;
    const double level = sample.diagonal().mean().item<double>();
    const torch::Tensor identity = torch::eye(dimension, sample.options());
    const double spread = (sample - level * identity).pow(2).sum().item<double>();
    // How far single samples' outer products scatter around the sample covariance.
    const double scatter
        = std::min(spread, (centred.pow(2).sum(1).pow(2).sum().item<double>() / n - sample.pow(2).sum().item<double>()) / n);
    const double shrinkage = spread > 0 ? std::clamp(scatter / spread, 0.0, 1.0) : 1.0;
    // A floor keeps a constant channel (a blank region of a filter bank) invertible.
    const double floor = 1e-6 * std::max(level, 1e-12);
    return (1.0 - shrinkage) * sample + (shrinkage * level + floor) * identity;
}

// Gaussian AD (Rippel et al., ICPR 2020): each backbone map pooled over the image gives
// one vector per layer; a multivariate Gaussian per layer over the good images (Ledoit-
// Wolf covariance); the image score is the sum over layers of the squared Mahalanobis
// distance, each divided by its layer's channels. Unlike the paper (means only) each
// channel's standard deviation over the image is pooled too: a small defect barely moves
// a texture's means but widens their spread (measured on the synthetic sets: image AUROC
// fabric 0.95 -> 1.00, tiles 0.81 -> 0.97; README.md). The map splits the distance over
// positions: how much each position's features pull the image's means and spreads away
// from the good ones (the spreads linearised).
class GaussianAd : public TorchDetector {
public:
    explicit GaussianAd(const DetectorSettings& settings)
        : TorchDetector(settings)
    {
    }

protected:
    void resetFit() override
    {
        layerChannels_.clear();
        pooled_.clear();
    }

    // Every layer on the coarsest grid (finer ones area-averaged, which keeps each layer's
    // image average as it was): the map is coarse, the image vector exact.
    torch::Tensor aggregate(const std::vector<torch::Tensor>& maps) override
    {
        if (layerChannels_.empty())
            for (const torch::Tensor& map : maps)
                layerChannels_.push_back(map.size(1));
        return aggregateFeatures(maps, maps.size() - 1, 1);
    }

    void beginFit(int64_t, int64_t, int64_t, int64_t) override { }

    void accumulate(const torch::Tensor& features) override
    {
        pooled_.push_back(pooledVectors(features).to(torch::kCPU, torch::kFloat64));
    }

    void finishFit(JobContext& job) override
    {
        job.report(0.0, "Estimating Gaussians");
        const torch::Tensor samples = torch::cat(pooled_);
        pooled_.clear();
        if (samples.size(0) < 2)
            throw InputError("at least 2 good images are needed to estimate a distribution");
        layers_.clear();
        int64_t first = 0;
        for (const int64_t channels : layerChannels_) {
            const torch::Tensor layer = samples.slice(1, first, first + 2 * channels);
            GaussianStatistics statistics;
            statistics.set(layer.mean(0).unsqueeze(0).to(torch::kFloat32).to(device()),
                           torch::linalg::inv(shrunkCovariance(layer)).unsqueeze(0).to(torch::kFloat32).to(device()));
            layers_.push_back(std::move(statistics));
            first += 2 * channels;
        }
    }

    PatchScores score(const torch::Tensor& features) override
    {
        const int64_t batch = features.size(0), height = features.size(2), width = features.size(3);
        const torch::Tensor vectors = pooledVectors(features);
        torch::Tensor maps = torch::zeros({batch, height, width}, features.options());
        torch::Tensor scores = torch::zeros({batch}, features.options());
        int64_t first = 0, firstVector = 0;
        for (size_t l = 0; l < layers_.size(); ++l) {
            const int64_t channels = layerChannels_[l];
            const torch::Tensor layer = features.slice(1, first, first + channels).flatten(2); // B x D x P
            const torch::Tensor vector = vectors.slice(1, firstVector, firstVector + 2 * channels); // B x 2D
            const torch::Tensor mean = layers_[l].mean(); // 1 x 2D
            const torch::Tensor pull = (vector - mean).mm(layers_[l].inverseCovariance()[0]); // B x 2D
            const torch::Tensor imageMean = vector.slice(1, 0, channels).unsqueeze(2);
            const torch::Tensor imageStd = vector.slice(1, channels, 2 * channels).unsqueeze(2).clamp_min(1e-6);
            // Each position's share of the pull on the channel means and (linearised) spreads.
            const torch::Tensor onMeans
                = ((layer - mean.slice(1, 0, channels).unsqueeze(2)) * pull.slice(1, 0, channels).unsqueeze(2)).sum(1);
            const torch::Tensor onSpreads = (((layer - imageMean).pow(2) - imageStd.pow(2)) / (2.0 * imageStd)
                                             * pull.slice(1, channels, 2 * channels).unsqueeze(2))
                                                .sum(1);
            maps += (onMeans + onSpreads).view({batch, height, width}) / double(channels);
            scores += layers_[l].squaredMahalanobis(vector.unsqueeze(2)).squeeze(1) / double(channels);
            first += channels;
            firstVector += 2 * channels;
        }
        return {maps.clamp_min(0.0), {}, scores};
    }

    void writeStatistics(torch::serialize::OutputArchive& archive) const override
    {
        archive.write("layer_channels", torch::tensor(layerChannels_));
        for (size_t l = 0; l < layers_.size(); ++l) {
            archive.write("mean_" + std::to_string(l), layers_[l].mean());
            archive.write("inverse_covariance_" + std::to_string(l), layers_[l].inverseCovariance());
        }
    }

    void readStatistics(torch::serialize::InputArchive& archive) override
    {
        torch::Tensor channels;
        archive.read("layer_channels", channels);
        layerChannels_.clear();
        layers_.clear();
        for (int64_t l = 0; l < channels.numel(); ++l) {
            layerChannels_.push_back(channels[l].item<int64_t>());
            torch::Tensor mean, inverseCovariance;
            archive.read("mean_" + std::to_string(l), mean);
            archive.read("inverse_covariance_" + std::to_string(l), inverseCovariance);
            if (mean.size(1) != 2 * layerChannels_.back() || inverseCovariance.size(1) != 2 * layerChannels_.back())
                throw InputError("the model's statistics do not match its layers");
            layers_.emplace_back();
            layers_.back().set(mean.to(device()), inverseCovariance.to(device()));
        }
    }

private:
    // Per layer, each channel's mean and standard deviation over the image: B x 2 sum(C).
    torch::Tensor pooledVectors(const torch::Tensor& features) const
    {
        std::vector<torch::Tensor> parts;
        int64_t first = 0;
        for (const int64_t channels : layerChannels_) {
            const torch::Tensor layer = features.slice(1, first, first + channels).flatten(2);
            parts.push_back(layer.mean(2));
            parts.push_back(layer.std(2));
            first += channels;
        }
        return torch::cat(parts, 1);
    }

    std::vector<int64_t> layerChannels_;
    std::vector<torch::Tensor> pooled_; // per batch, B x sum(channels): the image vectors
    std::vector<GaussianStatistics> layers_;
};

} // namespace

DetectorInfo gaussianInfo()
{
    DetectorInfo info {"gaussian",
                       "Gaussian AD",
                       "One Gaussian per backbone layer over whole-image feature averages; Mahalanobis distance. "
                       "Trains in seconds; judges whole images, its map is coarse.",
                       {},
                       [](const DetectorSettings& settings) { return std::make_unique<GaussianAd>(settings); }};
    info.parameters = sharedTorchParameters();
    info.judgesWholeImages = true;
    return info;
}

} // namespace ds
