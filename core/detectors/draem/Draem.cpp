#include "core/detectors/draem/Draem.h"

#include "core/components/AnomalyMap.h"
#include "core/components/TensorImage.h"
#include "core/data/ImageIO.h"
#include "core/detectors/ArchivedDetector.h"
#include "core/networks/Networks.h"
#include "core/networks/TrainingImages.h"
#include "core/networks/TrainingLoop.h"
#include "core/synthesis/AnomalyGenerator.h"

#include <opencv2/imgproc.hpp>

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
constexpr double kSecondsPerStep = 0.68;

NetworkBudget budgetOf(const DetectorSettings& settings)
{
    return chosenBudget(settings, kBudgets);
}

// DRAEM (Zavrtanik et al., ICCV 2021), trained from scratch on the good images: a
// reconstructive network learns to rebuild good images from ones with generated defects
// (L2 + SSIM), and a discriminative U-Net, given the image and its reconstruction, learns
// to segment the defects (focal loss). Both are small so they train in minutes on a CPU;
// training uses 128-px crops at the budget's resolution, scoring the whole image.
class Draem : public ArchivedDetector {
public:
    explicit Draem(const DetectorSettings& settings)
        : ArchivedDetector(settings)
    {
        buildNetworks();
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
        geometry_ = InputGeometry::read(archive, budget().side);
        readModule(archive, "reconstructive", *reconstructive_, device());
        readModule(archive, "discriminative", *discriminative_, device());
        toChannelsLast(*reconstructive_);
        toChannelsLast(*discriminative_);
        fitted_ = true;
    }

protected:
    bool isFitted() const override { return fitted_; }

    void writeState(torch::serialize::OutputArchive& archive) const override
    {
        geometry_.write(archive);
        writeModule(archive, "reconstructive", *reconstructive_);
        writeModule(archive, "discriminative", *discriminative_);
    }

private:
    NetworkBudget budget() const { return budgetOf(settings_); }

    void buildNetworks()
    {
        const int64_t width = int64_t(parameter("width"));
        seededConstruction(settings_.seed, [&] {
            reconstructive_ = EncoderDecoder(3, 3, width, kLevels, false);
            discriminative_ = EncoderDecoder(9, 1, width, kLevels, true);
            return 0;
        });
        reconstructive_->to(device());
        discriminative_->to(device());
        // Measured: channels-last convolutions train 1.36x faster on a 2-core CPU.
        toChannelsLast(*reconstructive_);
        toChannelsLast(*discriminative_);
    }

    // Logits of the discriminative network for a batch (B x 3 x H x W in [0, 1]). Unlike
    // the paper it also gets |image - reconstruction|: with CPU-sized training the
    // residual is what it learns from fastest (measured: pixel AUROC 0.74 -> 0.99 on the
    // synthetic part after 150 steps; docs/BENCHMARKS.md).
    torch::Tensor segment(const torch::Tensor& input, torch::Tensor* reconstruction = nullptr)
    {
        const torch::Tensor rebuilt = reconstructive_->forward(input.contiguous(torch::MemoryFormat::ChannelsLast));
        if (reconstruction)
            *reconstruction = rebuilt;
        return discriminative_->forward(torch::cat({rebuilt, input, (rebuilt - input).abs()}, 1)).squeeze(1);
    }

    void fitImages(const std::vector<cv::Mat>& goodImages, JobContext& job)
    {
        if (goodImages.size() < 2)
            throw InputError("training needs at least 2 good images, got " + std::to_string(goodImages.size()));
        fitted_ = false;
        buildNetworks(); // a second fit starts from the same initial weights
        const NetworkBudget plan = budget();
        chooseAspect(settings_, goodImages);
        geometry_ = chooseInputGeometry(goodImages, plan.side, settings_.keepAspectRatio, false);

        std::optional<TrainingImages> images;
        {
            JobContext::Span span(job, 0.0, 0.02);
            images.emplace(goodImages, geometry_, kCrop, job);
        }
        const int crop = images->crop();

        AnomalyMix mix;
        mix.foregroundOnly = parameter("foreground_only") != 0;
        AnomalyGenerator generator(settings_.seed + 1, mix);
        cv::RNG rng(settings_.seed + 2);

        c10::InferenceMode autograd(false);
        reconstructive_->train();
        discriminative_->train();
        std::vector<torch::Tensor> parameters = reconstructive_->parameters();
        for (const torch::Tensor& p : discriminative_->parameters())
            parameters.push_back(p);
        const double learningRate = 1e-3;
        torch::optim::Adam optimiser(parameters, torch::optim::AdamOptions(learningRate));

        TrainingPlan training;
        training.steps = plan.steps;
        training.stage = "Training DRAEM on generated defects";
        training.curve = "DRAEM loss";
        JobContext::Span span(job, 0.02, 1.0);
        runTrainingLoop(job, training, [&](int step) {
            // DRAEM's schedule: the rate drops tenfold at 80 % and again at 90 % of training.
            const double rate = learningRate * (step > 0.9 * plan.steps ? 0.01 : step > 0.8 * plan.steps ? 0.1 : 1.0);
            for (auto& group : optimiser.param_groups())
                static_cast<torch::optim::AdamOptions&>(group.options()).lr(rate);
            std::vector<cv::Mat> inputs, targets, masks;
            for (int b = 0; b < kBatch; ++b) {
                const size_t index = size_t(rng.uniform(0, int(images->size())));
                cv::Mat target = images->randomCrop(index, rng);
                // A quarter of the samples stay good, so good images are seen as good (the
                // paper keeps half; fewer teach more per step: image AUROC 0.90 -> 0.95 on the
                // synthetic part after 150 steps).
                if (rng.uniform(0, 4) == 0) {
                    inputs.push_back(target);
                    masks.push_back(cv::Mat::zeros(target.size(), CV_32F));
                } else {
                    const size_t donor = (index + 1 + size_t(rng.uniform(0, int(images->size()) - 1))) % images->size();
                    SyntheticAnomaly sample = generator.generate(target, {images->randomCrop(donor, rng)});
                    inputs.push_back(sample.image);
                    masks.push_back(sample.mask);
                }
                targets.push_back(std::move(target));
            }
            const cv::Size size(crop, crop);
            const torch::Tensor input = imagesToBatch(inputs, size, device(), InputNormalisation::Unit);
            const torch::Tensor target = imagesToBatch(targets, size, device(), InputNormalisation::Unit);
            const torch::Tensor mask = masksToBatch(masks, device());
            torch::Tensor reconstruction;
            const torch::Tensor logits = segment(input, &reconstruction);
            const torch::Tensor loss
                = torch::mse_loss(reconstruction, target) + ssimLoss(reconstruction, target) + focalLoss(logits, mask);
            optimiser.zero_grad();
            loss.backward();
            optimiser.step();
            return loss.item<double>();
        });
        reconstructive_->eval();
        discriminative_->eval();
        fitted_ = true;
        job.report(1.0, "Trained");
    }

    std::vector<AnomalyResult> predictImages(const std::vector<cv::Mat>& images)
    {
        if (!fitted_)
            throw Error("the detector must be trained or loaded before it can score images");
        c10::InferenceMode inference;
        reconstructive_->eval();
        discriminative_->eval();
        std::vector<AnomalyResult> results;
        for (const auto& [first, end] : batchRanges(images, geometry_, kBatch)) {
            const std::vector<cv::Mat> batch(images.begin() + long(first), images.begin() + long(end));
            const cv::Size inputSize = geometry_.sizeFor(batch.front().size());
            const torch::Tensor probabilities
                = torch::sigmoid(segment(imagesToBatch(batch, inputSize, device(), InputNormalisation::Unit)));
            for (int64_t i = 0; i < int64_t(batch.size()); ++i) {
                const cv::Mat map = tensorToMat(probabilities[i]);
                AnomalyResult result;
                result.anomalyMap = finishAnomalyMap(map, inputSize, settings_.imageSize);
                result.score = largestWindowMean(map, inputSize);
                results.push_back(std::move(result));
            }
        }
        return results;
    }

    EncoderDecoder reconstructive_ {nullptr};
    EncoderDecoder discriminative_ {nullptr};
    InputGeometry geometry_;
    bool fitted_ = false;
};

} // namespace

DetectorInfo draemInfo()
{
    return {"draem",
            "DRAEM (trained from scratch)",
            "Trains two small networks on the good images with generated defects: one rebuilds the good image, "
            "the other finds where image and rebuild differ. No pretrained weights; training takes minutes.",
            {trainingBudgetParameter("Quick: 128 px, 500 steps (a few minutes on 2 cores). Balanced: 192 px, 1500 "
                                     "steps. Thorough: 256 px, 4000 steps. Longer training finds fainter defects."),
             trainingStepsParameter(),
             {"width",
              "Network width",
              "Channels of the first level of both networks (doubling per level); wider "
              "learns more, trains slower.",
              16,
              8,
              64,
              true,
              {}},
             {"foreground_only",
              "Defects on the part only",
              "Generate defects only where the image differs from its border's colour (objects on a plain "
              "background).",
              0,
              0,
              1,
              true,
              {"Anywhere", "On the part only"}}},
            [](const DetectorSettings& settings) { return std::make_unique<Draem>(settings); },
            [](const DetectorSettings& settings) {
                // Convolutions dominate: their cost grows with the width squared.
                const double width = settings.parameters.at("width") / 16.0;
                return budgetOf(settings).steps * kSecondsPerStep * width * width;
            },
            false};
}

} // namespace ds
