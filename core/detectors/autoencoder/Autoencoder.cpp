#include "core/detectors/autoencoder/Autoencoder.h"

#include "core/components/AnomalyMap.h"
#include "core/components/TensorImage.h"
#include "core/detectors/ArchivedDetector.h"
#include "core/networks/Networks.h"
#include "core/networks/TrainingImages.h"
#include "core/networks/TrainingLoop.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace ds {
namespace {

constexpr int kBatch = 8;
constexpr int kCrop = 128;
constexpr int kLevels = 4; // input sides must be multiples of 2^4

constexpr NetworkBudgets kBudgets {{{128, 500}, {192, 1500}, {256, 4000}}};
// Measured on the reference machine (2 cores): a step of width 16 on 128-px crops.
constexpr double kSecondsPerStep = 0.3;

enum class Residual { L2, Ssim, Both };

NetworkBudget budgetOf(const DetectorSettings& settings)
{
    return chosenBudget(settings, kBudgets);
}

// A convolutional autoencoder (or a VAE) trained on the good images alone to rebuild
// them through a bottleneck (L2 + SSIM loss, as in Bergmann et al., VISAPP 2019); what it
// cannot rebuild is what it never saw. The map is the residual between image and rebuild
// (squared error, 1 - local SSIM, or the larger of the two once each is scaled) above what
// the good images themselves leave, as window means; the image score their largest.
class Autoencoder : public ArchivedDetector {
public:
    explicit Autoencoder(const DetectorSettings& settings)
        : ArchivedDetector(settings)
    {
        buildNetwork();
    }

    void fit(const std::vector<cv::Mat>& goodImages, JobContext& job) override
    {
        translatingTorchErrors([&] { fitImages(goodImages, job); });
    }

    std::vector<AnomalyResult> predict(const std::vector<cv::Mat>& images) override
    {
        return translatingTorchErrors([&] { return predictImages(images); });
    }

    void loadState(torch::serialize::InputArchive& archive) override
    {
        geometry_ = InputGeometry::read(archive, budgetOf(settings_).side);
        readModule(archive, "autoencoder", *network_, device());
        toChannelsLast(*network_);
        archive.read("expected_residual", expectedResidual_);
        archive.read("residual_spread", residualSpread_);
        archive.read("window_mean", windowMean_);
        archive.read("window_spread", windowSpread_);
        fitted_ = true;
    }

protected:
    bool isFitted() const override { return fitted_; }

    void writeState(torch::serialize::OutputArchive& archive) const override
    {
        geometry_.write(archive);
        writeModule(archive, "autoencoder", *network_);
        archive.write("expected_residual", expectedResidual_);
        archive.write("residual_spread", residualSpread_);
        archive.write("window_mean", windowMean_);
        archive.write("window_spread", windowSpread_);
    }

private:
    void buildNetwork()
    {
        const int64_t width = int64_t(parameter("width"));
        const bool variational = parameter("variational") != 0;
        network_ = seededConstruction(settings_.seed, [&] { return EncoderDecoder(3, 3, width, kLevels, false, variational); });
        network_->to(device());
        toChannelsLast(*network_);
    }

    torch::Tensor rebuild(const torch::Tensor& input)
    {
        return torch::sigmoid(network_->forward(input.contiguous(torch::MemoryFormat::ChannelsLast)));
    }

    void fitImages(const std::vector<cv::Mat>& goodImages, JobContext& job)
    {
        if (goodImages.size() < 2)
            throw InputError("training needs at least 2 good images, got " + std::to_string(goodImages.size()));
        fitted_ = false;
        buildNetwork(); // a second fit starts from the same initial weights
        const NetworkBudget plan = budgetOf(settings_);
        chooseAspect(settings_, goodImages);
        geometry_ = chooseInputGeometry(goodImages, plan.side, settings_.keepAspectRatio, false);
        std::optional<TrainingImages> images;
        {
            JobContext::Span span(job, 0.0, 0.02);
            images.emplace(goodImages, geometry_, kCrop, job);
        }
        cv::RNG rng(settings_.seed + 2);

        c10::InferenceMode autograd(false);
        network_->train();
        torch::optim::Adam optimiser(network_->parameters(), torch::optim::AdamOptions(1e-3));
        TrainingPlan training;
        training.steps = plan.steps;
        training.stage = "Training the autoencoder on the good images";
        training.curve = "autoencoder loss";
        std::optional<JobContext::Span> span(std::in_place, job, 0.02, 0.95);
        runTrainingLoop(job, training, [&](int) {
            const std::vector<cv::Mat> crops = images->randomCrops(kBatch, rng);
            const cv::Size size(images->crop(), images->crop());
            const torch::Tensor target = imagesToBatch(crops, size, device(), InputNormalisation::Unit);
            const torch::Tensor rebuilt = rebuild(target);
            torch::Tensor loss = torch::mse_loss(rebuilt, target) + ssimLoss(rebuilt, target);
            if (network_->variational)
                loss = loss + kKlWeight * network_->klDivergence;
            optimiser.zero_grad();
            loss.backward();
            optimiser.step();
            return loss.item<double>();
        });
        span.reset();
        network_->eval();
        {
            JobContext::Span expectation(job, 0.95, 0.975);
            learnExpectedResidual(goodImages, job);
        }
        {
            JobContext::Span windows(job, 0.975, 1.0);
            learnWindowScores(goodImages, job);
        }
        fitted_ = true;
        job.report(1.0, "Trained");
    }

    // Residual maps (B x K x H x W: squared error, 1 - local SSIM, or both) of a batch of
    // images in [0, 1] seen at one size.
    torch::Tensor residualMaps(const torch::Tensor& input)
    {
        const auto residual = static_cast<Residual>(int(parameter("residual")));
        const torch::Tensor rebuilt = rebuild(input);
        std::vector<torch::Tensor> maps;
        if (residual != Residual::Ssim)
            maps.push_back((input - rebuilt).pow(2).mean(1));
        if (residual != Residual::L2)
            maps.push_back(1 - ssimMap(input, rebuilt));
        return torch::stack(maps, 1);
    }

    // Good images leave a residual too: edges rebuilt soft, fine texture smoothed. What is
    // expected is learnt once after training, for each residual: per pixel when every good
    // image is seen at one size, else one value; with its spread (squared error and SSIM
    // differ tenfold in scale).
    void learnExpectedResidual(const std::vector<cv::Mat>& goodImages, JobContext& job)
    {
        c10::InferenceMode inference;
        torch::Tensor pixelSum, pixelSquares; // K x H x W while every image has one size
        torch::Tensor total, totalSquares; // K
        bool oneSize = true;
        double pixels = 0;
        int64_t images = 0;
        for (const auto& [first, end] : batchRanges(goodImages, geometry_, kBatch)) {
            job.throwIfCancelled();
            const std::vector<cv::Mat> batch(goodImages.begin() + long(first), goodImages.begin() + long(end));
            const cv::Size size = geometry_.sizeFor(batch.front().size());
            const torch::Tensor maps
                = residualMaps(imagesToBatch(batch, size, device(), InputNormalisation::Unit)).to(torch::kCPU, torch::kFloat64);
            oneSize = oneSize && (!pixelSum.defined() || pixelSum.sizes() == maps.sizes().slice(1));
            if (oneSize) {
                pixelSum = pixelSum.defined() ? pixelSum + maps.sum(0) : maps.sum(0);
                pixelSquares = pixelSquares.defined() ? pixelSquares + maps.pow(2).sum(0) : maps.pow(2).sum(0);
            }
            const torch::Tensor sums = maps.sum({0, 2, 3}), squares = maps.pow(2).sum({0, 2, 3});
            total = total.defined() ? total + sums : sums;
            totalSquares = totalSquares.defined() ? totalSquares + squares : squares;
            pixels += double(maps.size(0) * maps.size(2) * maps.size(3));
            images += maps.size(0);
            job.report(double(end) / double(goodImages.size()), "Measuring what good images leave");
        }
        torch::Tensor variance;
        if (oneSize) {
            expectedResidual_ = pixelSum / double(images);
            variance = (pixelSquares / double(images) - expectedResidual_.pow(2)).clamp_min(0.0).mean({1, 2});
        } else {
            const torch::Tensor mean = total / pixels;
            expectedResidual_ = mean.view({-1, 1, 1});
            variance = (totalSquares / pixels - mean.pow(2)).clamp_min(0.0);
        }
        expectedResidual_ = expectedResidual_.to(torch::kFloat32);
        residualSpread_ = variance.sqrt().clamp_min(1e-6).to(torch::kFloat32).view({-1, 1, 1});
    }

    // Each residual above what good images leave, in units of its spread there: B x K x H x W.
    torch::Tensor unexpectedResidual(const torch::Tensor& maps) const
    {
        const bool perPixel = expectedResidual_.size(1) == maps.size(2) && expectedResidual_.size(2) == maps.size(3);
        const torch::Tensor expected = perPixel ? expectedResidual_ : expectedResidual_.mean({1, 2}, true);
        return (maps - expected.to(maps.device())) / residualSpread_.to(maps.device());
    }

    // A residual that carries no sign of a defect on these parts (SSIM on a fine texture
    // the network rebuilds blurred) still varies from image to image; added to one that
    // does, it drowns it (measured: fabric image AUROC 0.95 with squared error alone, 0.68
    // with both added). So each residual is also measured by how its largest window on a
    // good image varies, and the map takes, per pixel, the residual furthest above what
    // good images reach: one that says nothing raises good and defective images alike.
    void learnWindowScores(const std::vector<cv::Mat>& goodImages, JobContext& job)
    {
        c10::InferenceMode inference;
        const int64_t residuals = residualSpread_.size(0);
        std::vector<std::vector<double>> scores(static_cast<size_t>(residuals));
        for (const auto& [first, end] : batchRanges(goodImages, geometry_, kBatch)) {
            job.throwIfCancelled();
            const std::vector<cv::Mat> batch(goodImages.begin() + long(first), goodImages.begin() + long(end));
            const cv::Size size = geometry_.sizeFor(batch.front().size());
            const torch::Tensor maps
                = unexpectedResidual(residualMaps(imagesToBatch(batch, size, device(), InputNormalisation::Unit))).cpu();
            for (int64_t i = 0; i < maps.size(0); ++i)
                for (int64_t k = 0; k < residuals; ++k)
                    scores[size_t(k)].push_back(largestWindowMean(tensorToMat(maps[i][k]), size));
            job.report(double(end) / double(goodImages.size()), "Measuring what good images leave");
        }
        windowMean_ = torch::empty({residuals, 1, 1});
        windowSpread_ = torch::empty({residuals, 1, 1});
        for (int64_t k = 0; k < residuals; ++k) {
            const std::vector<double>& values = scores[size_t(k)];
            double mean = 0, squares = 0;
            for (double value : values) {
                mean += value / double(values.size());
                squares += value * value / double(values.size());
            }
            windowMean_[k] = mean;
            windowSpread_[k] = std::max(std::sqrt(std::max(0.0, squares - mean * mean)), 1e-6);
        }
    }

    // The map: per pixel, the residual furthest above what good images' windows reach.
    torch::Tensor anomalyMaps(const torch::Tensor& input)
    {
        const torch::Tensor maps = unexpectedResidual(residualMaps(input));
        return std::get<0>(((maps - windowMean_.to(maps.device())) / windowSpread_.to(maps.device())).max(1));
    }

    std::vector<AnomalyResult> predictImages(const std::vector<cv::Mat>& images)
    {
        if (!fitted_)
            throw Error("the detector must be trained or loaded before it can score images");
        c10::InferenceMode inference;
        network_->eval();
        std::vector<AnomalyResult> results;
        for (const auto& [first, end] : batchRanges(images, geometry_, kBatch)) {
            const std::vector<cv::Mat> batch(images.begin() + long(first), images.begin() + long(end));
            const cv::Size inputSize = geometry_.sizeFor(batch.front().size());
            const torch::Tensor maps = anomalyMaps(imagesToBatch(batch, inputSize, device(), InputNormalisation::Unit));
            for (int64_t i = 0; i < int64_t(batch.size()); ++i) {
                // A residual pixel alone is noise, a defect covers an area: the map shows the
                // window means the score reads (measured: pixel AUROC on part 0.805 raw).
                const cv::Mat map = windowMeans(tensorToMat(maps[i]), inputSize);
                AnomalyResult result;
                result.anomalyMap = finishAnomalyMap(map, inputSize, settings_.imageSize);
                double maximum = 0;
                cv::minMaxLoc(map, nullptr, &maximum);
                result.score = float(maximum);
                results.push_back(std::move(result));
            }
        }
        return results;
    }

    // Weight of the VAE's KL term against the reconstruction loss (per value, both means).
    static constexpr double kKlWeight = 0.01;

    EncoderDecoder network_ {nullptr};
    torch::Tensor expectedResidual_; // K x H x W, or K x 1 x 1 when good images came in several sizes
    torch::Tensor residualSpread_; // K x 1 x 1
    torch::Tensor windowMean_, windowSpread_; // K x 1 x 1: of the largest window of a good image's residual
    InputGeometry geometry_;
    bool fitted_ = false;
};

} // namespace

DetectorInfo autoencoderInfo()
{
    return {"autoencoder",
            "Autoencoder (trained from scratch)",
            "Trains a network to rebuild the good images through a bottleneck; a defect is what it cannot "
            "rebuild. No pretrained weights; training takes minutes.",
            {trainingBudgetParameter("Quick: 128 px, 500 steps. Balanced: 192 px, 1500 steps. Thorough: 256 px, "
                                     "4000 steps. Longer training rebuilds finer detail."),
             trainingStepsParameter(),
             {"width",
              "Network width",
              "Channels of the first level (doubling per level); wider rebuilds more detail, trains slower.",
              16,
              8,
              64,
              true,
              {}},
             {"residual",
              "Residual map",
              "How image and rebuild are compared: squared error (colour and brightness), 1 - local SSIM "
              "(structure and texture), or both added.",
              2,
              0,
              2,
              true,
              {"Squared error", "SSIM", "Both"}},
             {"variational",
              "Variational (VAE)",
              "Sample the bottleneck from a learned Gaussian while training: smoother rebuilds that copy "
              "defects less, but blur fine texture.",
              0,
              0,
              1,
              true,
              {"Plain autoencoder", "Variational autoencoder"}}},
            [](const DetectorSettings& settings) { return std::make_unique<Autoencoder>(settings); },
            [](const DetectorSettings& settings) {
                const double width = settings.parameters.at("width") / 16.0;
                return budgetOf(settings).steps * kSecondsPerStep * width * width;
            },
            false};
}

} // namespace ds
