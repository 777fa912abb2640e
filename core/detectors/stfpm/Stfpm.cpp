#include "core/detectors/stfpm/Stfpm.h"

#include "core/detectors/DistillationDetector.h"
#include "core/networks/Networks.h"

#include <algorithm>

namespace ds {
namespace {

namespace F = torch::nn::functional;

constexpr NetworkBudgets kBudgets {{{128, 400}, {192, 1200}, {256, 3000}}};
// Measured on the reference machine (2 cores): a step of a width-32 student and a
// ResNet-18 teacher on 128-px crops.
constexpr double kSecondsPerStep = 0.25;

NetworkBudget budgetOf(const DetectorSettings& settings)
{
    return chosenBudget(settings, kBudgets);
}

// The student: a ResNet-shaped encoder learnt from scratch, and a 1x1 head per teacher
// level onto the teacher's channels, read from the stage of the same stride.
struct StudentImpl : torch::nn::Module {
    StudentImpl(int64_t width, const std::vector<int64_t>& teacherChannels)
    {
        encoder = register_module("encoder", ResidualEncoder(width));
        heads = register_module("heads", torch::nn::ModuleList());
        for (size_t level = 0; level < teacherChannels.size(); ++level) {
            const int64_t stage = std::min<int64_t>(int64_t(level), 3);
            heads->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(width << stage, teacherChannels[level], 1)));
        }
    }

    // The student's maps at the teacher's sizes.
    std::vector<torch::Tensor> forward(const torch::Tensor& input, const std::vector<torch::Tensor>& teacher)
    {
        const std::vector<torch::Tensor> stages = encoder->forward(input);
        std::vector<torch::Tensor> maps;
        for (size_t level = 0; level < teacher.size(); ++level) {
            torch::Tensor map = heads[level]->as<torch::nn::Conv2d>()->forward(stages[std::min<size_t>(level, 3)]);
            if (map.sizes().slice(2) != teacher[level].sizes().slice(2))
                map = F::interpolate(map,
                                     F::InterpolateFuncOptions()
                                         .size(std::vector<int64_t>(teacher[level].sizes().slice(2).begin(),
                                                                    teacher[level].sizes().slice(2).end()))
                                         .mode(torch::kBilinear)
                                         .align_corners(false));
            maps.push_back(map);
        }
        return maps;
    }

    ResidualEncoder encoder {nullptr};
    torch::nn::ModuleList heads {nullptr};
};
TORCH_MODULE(Student);

// STFPM (Wang et al., BMVC 2021): the student is a network of its own that sees the image,
// as the teacher does; the levels' distances are multiplied, so the map is high only where
// the student strays at every scale.
class Stfpm : public DistillationDetector {
public:
    explicit Stfpm(const DetectorSettings& settings)
        : DistillationDetector(settings, budgetOf(settings))
    {
    }

protected:
    std::shared_ptr<torch::nn::Module> buildStudent(const std::vector<int64_t>& teacherChannels) override
    {
        student_ = seededConstruction(settings_.seed + 1, [&] { return Student(int64_t(parameter("width")), teacherChannels); });
        return student_.ptr();
    }

    std::vector<torch::Tensor> studentMaps(const torch::Tensor& input, const std::vector<torch::Tensor>& teacher) override
    {
        return student_->forward(input, teacher);
    }

    torch::Tensor combineLevels(const std::vector<torch::Tensor>& distances) const override
    {
        torch::Tensor map = distances.front();
        for (size_t level = 1; level < distances.size(); ++level)
            map = map * distances[level];
        return map;
    }

private:
    Student student_ {nullptr};
};

} // namespace

DetectorInfo stfpmInfo()
{
    return {"stfpm",
            "STFPM (student-teacher feature pyramid)",
            "Trains a student network to give the teacher backbone's features on the good images; a defect is "
            "where the student fails to. The teacher is the backbone setting (a random or self-learned one, or "
            "your pretrained TorchScript file); training takes minutes.",
            {trainingBudgetParameter("Quick: 128 px, 400 steps. Balanced: 192 px, 1200 steps. Thorough: 256 px, "
                                     "3000 steps. Longer training matches the teacher more closely on good parts."),
             trainingStepsParameter(),
             {"width",
              "Student width",
              "Channels of the student's first stage (doubling per stage); wider learns the teacher more closely "
              "and trains slower. Below 32 a student cannot follow a ResNet-18 teacher's 64 to 256 channels "
              "(measured: part image AUROC 0.71 at 16, 0.91 at 32).",
              32,
              32,
              128,
              true,
              {}}},
            [](const DetectorSettings& settings) { return std::make_unique<Stfpm>(settings); },
            [](const DetectorSettings& settings) {
                const double width = settings.parameters.at("width") / 32.0;
                return budgetOf(settings).steps * kSecondsPerStep * std::max(0.5, width * width);
            },
            true,
            false,
            "resnet18"};
}

} // namespace ds
