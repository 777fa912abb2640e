#include "core/detectors/synthanomaly/SynthAnomaly.h"

#include "core/components/FeatureAggregation.h"
#include "core/components/GaussianStatistics.h"
#include "core/detectors/TorchDetector.h"
#include "core/networks/Networks.h"

#include <cmath>
#include <cstdio>

namespace ds {
namespace {

constexpr int64_t kHeadWidth = 64;
constexpr int64_t kTrainingBatch = 16;
constexpr int kLogEvery = 25;

// Synthetic-anomaly segmentation (the DRAEM / SimpleNet family): defects are generated on
// the good images' features -- blob-shaped regions (smooth noise thresholded to a random
// area, as DRAEM's Perlin masks) whose features are pushed off the normal variation by a
// random mix of a coherent shift and per-position noise on a random subset of channels --
// and a small convolutional head learns to segment them. Features are z-scored per
// position (a diagonal density, so the head knows what is normal where) or per channel.
// A PaDiM Mahalanobis distance on the same grid is added to the head's output: alone, the
// head misses too many real defects (docs/BENCHMARKS.md).
class SynthAnomaly : public TorchDetector {
public:
    explicit SynthAnomaly(const DetectorSettings& settings)
        : TorchDetector(settings)
    {
    }

protected:
    // The grid and layer balance of PatchCore: stride 8, layer1 averaged onto it, every
    // map at unit RMS (docs/BENCHMARKS.md).
    void resetFit() override { patches_.reset(); }

    // Per-position statistics and stored feature maps need one grid for every image.
    bool alignsPositions() const override { return true; }

    torch::Tensor aggregate(const std::vector<torch::Tensor>& maps) override { return patches_.aggregate(maps); }

    double extractionShare() const override { return 0.4; }

    void beginFit(int64_t imageCount, int64_t channels, int64_t height, int64_t width) override
    {
        stored_.clear();
        stored_.reserve(size_t(imageCount));
        const auto options = torch::TensorOptions().dtype(torch::kFloat64).device(device());
        sum_ = torch::zeros({channels, height, width}, options);
        sumOfSquares_ = torch::zeros({channels, height, width}, options);
        count_ = 0;
        if (usesDensity()) {
            chooseDensityChannels(channels);
            gaussians_ = GaussianStatistics();
        }
    }

    // Features are kept (bfloat16 halves the memory) because defects are drawn anew at
    // every training step.
    void accumulate(const torch::Tensor& features) override
    {
        const torch::Tensor compact = features.to(torch::kBFloat16);
        for (int64_t i = 0; i < compact.size(0); ++i)
            stored_.push_back(compact[i]);
        const torch::Tensor precise = features.to(torch::kFloat64);
        sum_ += precise.sum(0);
        sumOfSquares_ += precise.pow(2).sum(0);
        count_ += features.size(0);
        if (usesDensity())
            gaussians_.accumulate(features.index_select(1, densityChannels_).flatten(2));
    }

    void finishFit(JobContext& job) override
    {
        finishNormalisation();
        if (usesDensity())
            finishDensity();
        trainHead(job);
        stored_.clear();
        sum_ = sumOfSquares_ = torch::Tensor();
    }

    PatchScores score(const torch::Tensor& features) override
    {
        torch::Tensor maps = headLogits(normalised(features.to(torch::kFloat32)));
        if (usesDensity())
            maps = maps + parameter("density_weight") * (density(features) - densityMean_) / densityStd_;
        // Positive and still ordered where the head is confident (no sigmoid saturation).
        return {torch::nn::functional::softplus(maps), torch::ones({features.size(0)})};
    }

    void writeStatistics(torch::serialize::OutputArchive& archive) const override
    {
        patches_.write(archive);
        archive.write("feature_mean", featureMean_);
        archive.write("feature_std", featureStd_);
        for (size_t i = 0; i < head_.size(); ++i)
            archive.write("head_" + std::to_string(i), head_[i]);
        if (usesDensity()) {
            archive.write("density_channels", densityChannels_);
            archive.write("density_mean", gaussians_.mean());
            archive.write("density_inverse_covariance", gaussians_.inverseCovariance());
            archive.write("density_scale", torch::stack({densityMean_, densityStd_}));
        }
    }

    void readStatistics(torch::serialize::InputArchive& archive) override
    {
        patches_.read(archive);
        archive.read("feature_mean", featureMean_);
        archive.read("feature_std", featureStd_);
        featureMean_ = featureMean_.to(device());
        featureStd_ = featureStd_.to(device());
        head_.assign(6, torch::Tensor());
        for (size_t i = 0; i < head_.size(); ++i) {
            archive.read("head_" + std::to_string(i), head_[i]);
            head_[i] = head_[i].to(device());
        }
        if (usesDensity()) {
            torch::Tensor mean, inverseCovariance, scale;
            archive.read("density_channels", densityChannels_);
            archive.read("density_mean", mean);
            archive.read("density_inverse_covariance", inverseCovariance);
            archive.read("density_scale", scale);
            densityChannels_ = densityChannels_.to(device());
            gaussians_.set(mean.to(device()), inverseCovariance.to(device()));
            densityMean_ = scale[0].to(device());
            densityStd_ = scale[1].to(device());
        }
    }

private:
    bool usesDensity() const { return parameter("density_weight") > 0; }

    void chooseDensityChannels(int64_t available)
    {
        const int64_t wanted = std::min<int64_t>(available, int64_t(parameter("n_features")));
        auto generator = at::detail::createCPUGenerator(settings_.seed + 1);
        densityChannels_ = std::get<0>(torch::randperm(available, generator).slice(0, 0, wanted).sort()).to(device());
    }

    // Per position (positional = 1) or per channel. A position's variance is regularised
    // by a tenth of its channel's mean variance: where every good image is identical
    // (plain background) a tiny variance would otherwise turn noise into defects.
    void finishNormalisation()
    {
        const double count = double(count_);
        torch::Tensor mean = sum_ / count;
        torch::Tensor variance = (sumOfSquares_ / count - mean.pow(2)).clamp_min(0);
        if (parameter("positional") != 0) {
            variance = variance + 0.1 * variance.mean({1, 2}, true);
        } else {
            const torch::Tensor channelMean = mean.mean({1, 2}, true);
            variance = (variance + mean.pow(2)).mean({1, 2}, true) - channelMean.pow(2);
            mean = channelMean;
        }
        featureMean_ = mean.to(torch::kFloat32);
        featureStd_ = variance.clamp_min(1e-12).sqrt().to(torch::kFloat32);
    }

    torch::Tensor normalised(const torch::Tensor& features) const { return (features - featureMean_) / featureStd_; }

    torch::Tensor density(const torch::Tensor& features) const
    {
        const torch::Tensor selected = features.index_select(1, densityChannels_).to(torch::kFloat32);
        return gaussians_.squaredMahalanobis(selected.flatten(2))
            .sqrt()
            .view({features.size(0), features.size(2), features.size(3)});
    }

    // The distance is standardised over the good images so density_weight means the same
    // whatever the features' scale.
    void finishDensity()
    {
        gaussians_.finish();
        std::vector<torch::Tensor> distances;
        for (size_t start = 0; start < stored_.size(); start += kTrainingBatch) {
            const size_t end = std::min(stored_.size(), start + size_t(kTrainingBatch));
            const std::vector<torch::Tensor> batch(stored_.begin() + long(start), stored_.begin() + long(end));
            distances.push_back(density(torch::stack(batch)).flatten());
        }
        const torch::Tensor all = torch::cat(distances);
        densityMean_ = all.mean();
        densityStd_ = all.std().clamp_min(1e-6);
    }

    torch::Tensor headLogits(const torch::Tensor& input) const
    {
        namespace F = torch::nn::functional;
        torch::Tensor hidden = torch::relu(F::conv2d(input, head_[0], F::Conv2dFuncOptions().bias(head_[1])));
        hidden = torch::relu(F::conv2d(hidden, head_[2], F::Conv2dFuncOptions().bias(head_[3]).padding(1)));
        return F::conv2d(hidden, head_[4], F::Conv2dFuncOptions().bias(head_[5])).squeeze(1);
    }

    void initialiseHead(int64_t channels, at::Generator& generator)
    {
        const auto heInit = [&](std::vector<int64_t> shape, double gain) {
            const int64_t fanIn = shape[1] * shape[2] * shape[3];
            return (torch::randn(shape, generator) * (gain * std::sqrt(2.0 / double(fanIn)))).to(device()).requires_grad_();
        };
        const auto bias = [&](int64_t size, double value) {
            return torch::full({size}, value, torch::TensorOptions().device(device())).requires_grad_();
        };
        // The output starts near the prior of a defect cell (about 5 %) so early steps do
        // not spend themselves learning that most cells are good.
        head_ = {heInit({kHeadWidth, channels, 1, 1}, 1.0),   bias(kHeadWidth, 0.0),
                 heInit({kHeadWidth, kHeadWidth, 3, 3}, 1.0), bias(kHeadWidth, 0.0),
                 heInit({1, kHeadWidth, 1, 1}, 0.1),          bias(1, -3.0)};
    }

    // Blob masks on the feature grid: smooth noise at a random coarseness, thresholded so
    // a random share of the grid (0.3 % to 20 %, log-uniform; at least one cell) is defect.
    static torch::Tensor defectMasks(int64_t batch, int64_t height, int64_t width, at::Generator& generator)
    {
        namespace F = torch::nn::functional;
        std::vector<torch::Tensor> masks;
        const torch::Tensor draws = torch::rand({batch, 2}, generator);
        for (int64_t b = 0; b < batch; ++b) {
            const int64_t coarseness = int64_t(2) << int64_t(draws[b][0].item<double>() * 3); // 2, 4 or 8 cells per blob
            const torch::Tensor coarse = torch::rand({1, 1, height / coarseness + 2, width / coarseness + 2}, generator);
            const torch::Tensor smooth = F::interpolate(coarse,
                                                        F::InterpolateFuncOptions()
                                                            .size(std::vector<int64_t> {height, width})
                                                            .mode(torch::kBicubic)
                                                            .align_corners(false))
                                             .flatten();
            const double area = std::exp(std::log(0.003) + draws[b][1].item<double>() * (std::log(0.2) - std::log(0.003)));
            const int64_t cells = std::max<int64_t>(1, int64_t(std::lround(area * double(height * width))));
            const torch::Tensor threshold = std::get<0>(smooth.topk(cells)).min();
            masks.push_back((smooth >= threshold).to(torch::kFloat32).view({height, width}));
        }
        return torch::stack(masks);
    }

    // Normalised features of good images with generated defects, and their masks.
    std::pair<torch::Tensor, torch::Tensor> defectBatch(at::Generator& generator)
    {
        const torch::Tensor picks = torch::randint(int64_t(stored_.size()), {kTrainingBatch}, generator);
        std::vector<torch::Tensor> chosen;
        for (int64_t i = 0; i < kTrainingBatch; ++i)
            chosen.push_back(stored_[size_t(picks[i].item<int64_t>())]);
        const torch::Tensor features = normalised(torch::stack(chosen).to(torch::kFloat32));
        const int64_t channels = features.size(1), height = features.size(2), width = features.size(3);

        const torch::Tensor masks = defectMasks(kTrainingBatch, height, width, generator);
        // Per sample: strength log-uniform in [0.3, 3] x noise (in units of the normal
        // spread), a mix between a coherent shift (a region of another colour or texture)
        // and incoherent noise, on a random 10-100 % of the channels.
        const torch::Tensor draws = torch::rand({kTrainingBatch, 3, 1, 1}, generator);
        const torch::Tensor strength
            = (std::log(0.3) + draws.select(1, 0).unsqueeze(1) * std::log(10.0)).exp() * parameter("noise");
        const torch::Tensor coherence = draws.select(1, 1).unsqueeze(1);
        const torch::Tensor channelShare = 0.1 + 0.9 * draws.select(1, 2).unsqueeze(1);
        const torch::Tensor shift = torch::randn({kTrainingBatch, channels, 1, 1}, generator);
        const torch::Tensor noise = torch::randn({kTrainingBatch, channels, height, width}, generator);
        const torch::Tensor keptChannels
            = (torch::rand({kTrainingBatch, channels, 1, 1}, generator) < channelShare).to(torch::kFloat32);
        const torch::Tensor mixed
            = (coherence * shift + (1 - coherence) * noise) / (coherence.pow(2) + (1 - coherence).pow(2)).sqrt();
        const torch::Tensor change = (strength * keptChannels * mixed * masks.unsqueeze(1)).to(device());
        return {features + change, masks.to(device())};
    }

    void trainHead(JobContext& job)
    {
        // Fitting runs in inference mode; the head's training needs autograd.
        c10::InferenceMode training(false);
        auto generator = at::detail::createCPUGenerator(settings_.seed + 4);
        initialiseHead(stored_.front().size(0), generator);
        torch::optim::Adam optimiser(head_, torch::optim::AdamOptions(1e-3));
        const int steps = int(parameter("steps"));
        double smoothedLoss = 0;
        for (int step = 1; step <= steps; ++step) {
            job.throwIfCancelled();
            const auto [input, masks] = defectBatch(generator);
            const torch::Tensor loss = focalLoss(headLogits(input), masks);
            optimiser.zero_grad();
            loss.backward();
            optimiser.step();
            const double value = loss.item<double>();
            smoothedLoss = step == 1 ? value : 0.9 * smoothedLoss + 0.1 * value;
            job.addCurvePoint("loss", step, value);
            if (step % kLogEvery == 0 || step == steps) {
                char line[64];
                std::snprintf(line, sizeof line, "step %d/%d loss %.4f", step, steps, smoothedLoss);
                job.log(line);
            }
            job.report(double(step) / double(steps), "Training on generated defects");
        }
        for (torch::Tensor& weight : head_)
            weight = weight.detach();
    }

    LocalPatchFeatures patches_;
    std::vector<torch::Tensor> stored_; // per good image: C x h x w, bfloat16
    torch::Tensor sum_, sumOfSquares_; // C x h x w, float64
    int64_t count_ = 0;
    torch::Tensor featureMean_, featureStd_;
    std::vector<torch::Tensor> head_; // 1x1 conv, 3x3 conv, 1x1 conv: weight and bias each
    torch::Tensor densityChannels_;
    GaussianStatistics gaussians_;
    torch::Tensor densityMean_, densityStd_;
};

} // namespace

DetectorInfo synthAnomalyInfo()
{
    DetectorInfo info {
        "synthanomaly",
        "Synthetic-anomaly segmentation",
        "Generates defects on the good images' features and trains a small network to find them, added to a "
        "PaDiM distance (DRAEM / SimpleNet family). The default: the most accurate measured offline.",
        {{"steps", "Training steps", "Training steps of the segmentation head (16 images each); training time grows with it.",
          100, 10, 5000, true},
         {"noise", "Defect strength", "Scales how far generated defects depart from normal variation.", 1.0, 0.05, 10.0, false},
         {"positional",
          "Normal of",
          "Per image position (1): features z-scored per position (for aligned parts); "
          "per channel only (0).",
          1,
          0,
          1,
          true,
          {"Per channel only", "Per image position"}},
         {"density_weight", "PaDiM weight",
          "Weight of a PaDiM Mahalanobis distance added to the learned score "
          "(0: learned score only, measured much weaker).",
          1.0, 0.0, 10.0, false},
         {"n_features", "PaDiM channels", "Random subset of channels for the PaDiM distance (with PaDiM weight > 0).", 100, 10,
          550, true}},
        [](const DetectorSettings& settings) { return std::make_unique<SynthAnomaly>(settings); }};
    const std::vector<ParameterSpec> shared = sharedTorchParameters();
    info.parameters.insert(info.parameters.end(), shared.begin(), shared.end());
    return info;
}

} // namespace ds
