#include "core/backbones/SelfSupervised.h"

#include "core/backbones/BackboneCatalog.h"

#include "core/networks/Networks.h"
#include "core/networks/TrainingLoop.h"
#include "core/synthesis/AnomalyGenerator.h"

#include <algorithm>

namespace ds {
namespace {

constexpr int64_t kWidth = 32;
constexpr int kSteps = 300;
constexpr int kImagesPerStep = 8; // each seen intact, cut-pasted and scarred
constexpr int kCrop = 128;
constexpr double kSecondsPerStep = 0.5; // measured on the reference machine (2 cores), 128-px crops

class SelfSupervisedBackbone : public Backbone {
public:
    explicit SelfSupervisedBackbone(uint64_t seed)
        : seed_(seed)
    {
        seededConstruction(seed, [&] {
            encoder_ = ResidualEncoder(kWidth);
            return 0;
        });
        toChannelsLast(*encoder_);
        encoder_->eval();
    }

    std::string name() const override { return "selfsup"; }

    std::vector<torch::Tensor> extract(const torch::Tensor& batch) override
    {
        std::vector<torch::Tensor> maps = encoder_->forward(batch.contiguous(torch::MemoryFormat::ChannelsLast));
        maps.pop_back(); // the deepest stage only served the pretext task
        return maps;
    }

    void to(const torch::Device& device) override
    {
        encoder_->to(device);
        device_ = device;
    }

    bool learnsFromImages() const override { return true; }

    void learn(const std::vector<cv::Mat>& images, const BatchMaker& toBatch, int steps, JobContext& job) override
    {
        if (images.empty())
            return;
        int crop = kCrop;
        for (const cv::Mat& image : images)
            crop = std::min({crop, image.cols, image.rows});
        crop = std::max(32, crop / 16 * 16);
        c10::InferenceMode autograd(false);
        torch::nn::Linear classifier {nullptr};
        seededConstruction(seed_ + 1, [&] {
            classifier = torch::nn::Linear(encoder_->outputChannels(), 3);
            return 0;
        });
        classifier->to(device_);
        encoder_->train();
        std::vector<torch::Tensor> parameters = encoder_->parameters();
        for (const torch::Tensor& p : classifier->parameters())
            parameters.push_back(p);
        torch::optim::Adam optimiser(parameters, torch::optim::AdamOptions(1e-3));
        AnomalyGenerator generator(seed_ + 2);
        cv::RNG rng(seed_ + 3);
        const torch::Tensor labels = torch::arange(3, torch::kLong).repeat({kImagesPerStep}).to(device_);

        TrainingPlan plan;
        plan.steps = steps > 0 ? steps : kSteps;
        plan.stage = "Learning a backbone from the good images";
        plan.curve = "pretext loss";
        runTrainingLoop(job, plan, [&](int) {
            std::vector<cv::Mat> batch;
            for (int i = 0; i < kImagesPerStep; ++i) {
                const cv::Mat& image = images[size_t(rng.uniform(0, int(images.size())))];
                const cv::Rect window(rng.uniform(0, image.cols - crop + 1), rng.uniform(0, image.rows - crop + 1), crop, crop);
                const cv::Mat piece = image(window).clone();
                batch.push_back(piece);
                batch.push_back(generator.cutPaste(piece).image);
                batch.push_back(generator.scar(piece).image);
            }
            const torch::Tensor input = toBatch(batch).contiguous(torch::MemoryFormat::ChannelsLast);
            const torch::Tensor pooled = encoder_->forward(input).back().mean({2, 3});
            const torch::Tensor loss = torch::cross_entropy_loss(classifier->forward(pooled), labels);
            optimiser.zero_grad();
            loss.backward();
            optimiser.step();
            return loss.item<double>();
        });
        encoder_->eval();
    }

    void save(torch::serialize::OutputArchive& archive) const override
    {
        archive.write("kind", c10::IValue(std::string("builtin")));
        archive.write("name", c10::IValue(name()));
        writeModule(archive, "weights", *encoder_);
    }

    void load(torch::serialize::InputArchive& archive)
    {
        readModule(archive, "weights", *encoder_, device_);
        toChannelsLast(*encoder_);
        encoder_->eval();
    }

private:
    uint64_t seed_;
    ResidualEncoder encoder_ {nullptr};
    torch::Device device_ = torch::kCPU;
};

} // namespace

double selfSupervisedLearningSeconds(int steps)
{
    return (steps > 0 ? steps : kSteps) * kSecondsPerStep;
}

std::unique_ptr<Backbone> createSelfSupervised(uint64_t seed)
{
    return std::make_unique<SelfSupervisedBackbone>(seed);
}

std::unique_ptr<Backbone> loadSelfSupervised(torch::serialize::InputArchive& archive)
{
    auto backbone = std::make_unique<SelfSupervisedBackbone>(0);
    backbone->load(archive);
    return backbone;
}

} // namespace ds
