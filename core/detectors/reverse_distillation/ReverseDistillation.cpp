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
// levels are fused into one compact embedding on that grid (the paper halves it once more;
// at 128 px that leaves 4 x 4 places, and the part's dents and scratches were lost: image
// AUROC 0.748 against 0.787 on that grid at 150 steps). The decoder rises from it
// deepest level first, each stage upsampled to its level's size, and a 1x1 head gives that
// level's descriptors. The student never sees the image: it must rebuild every level from
// what the embedding kept, which holds only what good parts have.
struct ReverseStudentImpl : torch::nn::Module {
    ReverseStudentImpl(int64_t width, const std::vector<int64_t>& teacherChannels)
    {
        namespace nn = torch::nn;
        squeeze = register_module("squeeze", nn::ModuleList());
        const auto levels = int64_t(teacherChannels.size());
        for (int64_t level = 0; level < levels; ++level)
            squeeze->push_back(
                nn::Sequential(nn::Conv2d(nn::Conv2dOptions(teacherChannels[size_t(level)], 2 * width, 3).padding(1).bias(false)),
                               nn::BatchNorm2d(2 * width), nn::ReLU(true)));
        fuse = register_module("fuse", ConvBlock(2 * width * levels, 8 * width));
        decoder = register_module("decoder", PyramidDecoder(8 * width, width, teacherChannels));
    }

    // The student's maps at the teacher's sizes, finest first.
    std::vector<torch::Tensor> forward(const std::vector<torch::Tensor>& teacher)
    {
        const std::vector<int64_t> deepest = spatialSize(teacher.back());
        std::vector<torch::Tensor> parts;
        for (size_t level = 0; level < teacher.size(); ++level)
            parts.push_back(F::adaptive_avg_pool2d(squeeze[level]->as<torch::nn::Sequential>()->forward(teacher[level]),
                                                   F::AdaptiveAvgPool2dFuncOptions(deepest)));
        return decoder->forward(fuse->forward(torch::cat(parts, 1)), teacher);
    }

    torch::nn::ModuleList squeeze {nullptr};
    ConvBlock fuse {nullptr};
    PyramidDecoder decoder {nullptr};
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
    return {
        "reverse_distillation",
        "Reverse Distillation (teacher encoder, student decoder)",
        "Trains a decoder to rebuild the teacher backbone's features of the good images from a compact "
        "embedding of them; a defect is what the embedding cannot carry. The teacher is the backbone setting "
        "(a random or self-learned one, or your pretrained TorchScript file); training takes minutes.",
        {trainingBudgetParameter("Quick: 128 px, 400 steps. Balanced: 192 px, 1200 steps. Thorough: 256 px, "
                                 "3000 steps. Longer training rebuilds good parts' features more closely."),
         trainingStepsParameter(),
         networkWidthParameter("Student width",
                               "Channels of the decoder's finest stage (doubling per stage; the embedding has 8 times as many); "
                               "wider rebuilds more closely and trains slower.")},
        [](const DetectorSettings& settings) { return std::make_unique<ReverseDistillation>(settings); },
        [](const DetectorSettings& settings) {
            return widthScaledSeconds(budgetOf(settings).steps, kSecondsPerStep, settings.parameters.at("width"));
        },
        true,
        false,
        "resnet18"};
}

} // namespace ds
