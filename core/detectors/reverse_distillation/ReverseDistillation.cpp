#include "core/detectors/reverse_distillation/ReverseDistillation.h"

#include "core/detectors/FeatureNetworkDetector.h"
#include "core/networks/Networks.h"

#include <algorithm>

namespace ds {
namespace {

namespace F = torch::nn::functional;

constexpr NetworkBudgets kBudgets {{{128, 400}, {192, 1200}, {256, 3000}}};
// Measured on the reference machine (2 cores): a step of a width-32 student and a
// ResNet-18 teacher on 128-px crops.
constexpr double kSecondsPerStep = 0.2;

NetworkBudget budgetOf(const DetectorSettings& settings)
{
    return chosenBudget(settings, kBudgets);
}

std::vector<int64_t> spatialSize(const torch::Tensor& map)
{
    return {map.size(2), map.size(3)};
}

// The one-class bottleneck and the decoder student. Every teacher level is brought to the
// deepest level's grid (3x3 convolution, BatchNorm, ReLU, then average pooling) and the
// levels are fused into one compact embedding at half that grid. The decoder rises from it
// deepest level first, each stage upsampled to its level's size, and a 1x1 head gives that
// level's descriptors. The student never sees the image: it must rebuild every level from
// what the embedding kept, which holds only what good parts have.
struct ReverseStudentImpl : torch::nn::Module {
    ReverseStudentImpl(int64_t width, const std::vector<int64_t>& teacherChannels)
    {
        namespace nn = torch::nn;
        squeeze = register_module("squeeze", nn::ModuleList());
        stages = register_module("stages", nn::ModuleList());
        heads = register_module("heads", nn::ModuleList());
        const auto levels = int64_t(teacherChannels.size());
        for (int64_t level = 0; level < levels; ++level)
            squeeze->push_back(nn::Sequential(nn::Conv2d(nn::Conv2dOptions(teacherChannels[size_t(level)], 2 * width, 3).padding(1).bias(false)),
                                              nn::BatchNorm2d(2 * width), nn::ReLU(true)));
        fuse = register_module("fuse", ConvBlock(2 * width * levels, 8 * width));
        int64_t channels = 8 * width;
        for (int64_t level = levels - 1; level >= 0; --level) {
            const int64_t out = width << std::min<int64_t>(level, 3);
            stages->push_back(ConvBlock(channels, out));
            heads->push_back(nn::Conv2d(nn::Conv2dOptions(out, teacherChannels[size_t(level)], 1)));
            channels = out;
        }
    }

    // The student's maps at the teacher's sizes, finest first.
    std::vector<torch::Tensor> forward(const std::vector<torch::Tensor>& teacher)
    {
        const std::vector<int64_t> deepest = spatialSize(teacher.back());
        std::vector<torch::Tensor> parts;
        for (size_t level = 0; level < teacher.size(); ++level)
            parts.push_back(F::adaptive_avg_pool2d(squeeze[level]->as<torch::nn::Sequential>()->forward(teacher[level]),
                                                   F::AdaptiveAvgPool2dFuncOptions(deepest)));
        torch::Tensor x = fuse->forward(F::avg_pool2d(torch::cat(parts, 1), F::AvgPool2dFuncOptions(2).ceil_mode(true)));
        std::vector<torch::Tensor> maps(teacher.size());
        for (size_t step = 0; step < teacher.size(); ++step) {
            const size_t level = teacher.size() - 1 - step;
            x = F::interpolate(
                x, F::InterpolateFuncOptions().size(spatialSize(teacher[level])).mode(torch::kBilinear).align_corners(false));
            x = stages[step]->as<ConvBlock>()->forward(x);
            maps[level] = heads[step]->as<torch::nn::Conv2d>()->forward(x);
        }
        return maps;
    }

    torch::nn::ModuleList squeeze {nullptr}, stages {nullptr}, heads {nullptr};
    ConvBlock fuse {nullptr};
};
TORCH_MODULE(ReverseStudent);

// Reverse Distillation (Deng & Li, CVPR 2022): the student is a decoder that rebuilds the
// teacher's pyramid from a one-class embedding of it; the levels' distances are added.
class ReverseDistillation : public FeatureNetworkDetector {
public:
    explicit ReverseDistillation(const DetectorSettings& settings)
        : FeatureNetworkDetector(settings, budgetOf(settings),
                                 "Training the decoder to rebuild the teacher's features of the good images", "student loss")
    {
    }

protected:
    std::shared_ptr<torch::nn::Module> buildNetwork(const std::vector<int64_t>& teacherChannels) override
    {
        student_ = seededConstruction(settings_.seed + 1,
                                      [&] { return ReverseStudent(int64_t(parameter("width")), teacherChannels); });
        return student_.ptr();
    }

    torch::Tensor trainingLoss(const torch::Tensor& input, const std::vector<torch::Tensor>& teacher) override
    {
        torch::Tensor loss = torch::zeros({}, input.options());
        for (const torch::Tensor& distance : levelDistances(input, teacher))
            loss = loss + distance.mean();
        return loss;
    }

    std::vector<torch::Tensor> levelDistances(const torch::Tensor&, const std::vector<torch::Tensor>& teacher) override
    {
        return cosineDistances(teacher, student_->forward(teacher));
    }

    torch::Tensor combineLevels(const std::vector<torch::Tensor>& distances) const override
    {
        torch::Tensor map = distances.front();
        for (size_t level = 1; level < distances.size(); ++level)
            map = map + distances[level];
        return map;
    }

private:
    ReverseStudent student_ {nullptr};
};

} // namespace

DetectorInfo reverseDistillationInfo()
{
    return {"reverse_distillation",
            "Reverse Distillation (teacher encoder, student decoder)",
            "Trains a decoder to rebuild the teacher backbone's features of the good images from a compact "
            "embedding of them; a defect is what the embedding cannot carry. The teacher is the backbone setting "
            "(a random or self-learned one, or your pretrained TorchScript file); training takes minutes.",
            {trainingBudgetParameter("Quick: 128 px, 400 steps. Balanced: 192 px, 1200 steps. Thorough: 256 px, "
                                     "3000 steps. Longer training rebuilds good parts' features more closely."),
             trainingStepsParameter(),
             {"width",
              "Student width",
              "Channels of the decoder's finest stage (doubling per stage; the embedding has 8 times as many); "
              "wider rebuilds more closely and trains slower.",
              32,
              16,
              128,
              true,
              {}}},
            [](const DetectorSettings& settings) { return std::make_unique<ReverseDistillation>(settings); },
            [](const DetectorSettings& settings) {
                const double width = settings.parameters.at("width") / 32.0;
                return budgetOf(settings).steps * kSecondsPerStep * std::max(0.5, width * width);
            },
            true,
            false,
            "resnet18"};
}

} // namespace ds
