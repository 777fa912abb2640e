#include "core/detectors/stfpm/Stfpm.h"

#include "core/detectors/FeatureNetworkDetector.h"
#include "core/networks/Networks.h"

#include <algorithm>

namespace ds {
namespace {

constexpr NetworkBudgets kBudgets {{{128, 400}, {192, 1200}, {256, 3000}}};
// Measured on the reference machine (2 cores): a step of a width-32 student and a
// ResNet-18 teacher on 128-px crops.
constexpr double kSecondsPerStep = 0.25;

NetworkBudget budgetOf(const DetectorSettings& settings)
{
    return chosenBudget(settings, kBudgets);
}

// STFPM (Wang et al., BMVC 2021): the student is a network of its own that sees the image,
// as the teacher does; the levels' distances are multiplied, so the map is high only where
// the student strays at every scale.
class Stfpm : public FeatureNetworkDetector {
public:
    explicit Stfpm(const DetectorSettings& settings)
        : FeatureNetworkDetector(settings, budgetOf(settings), "Training the student to match the teacher on the good images",
                                 "student loss")
    {
    }

protected:
    std::shared_ptr<torch::nn::Module> buildNetwork(const std::vector<int64_t>& teacherChannels) override
    {
        student_ = seededConstruction(settings_.seed + 1,
                                      [&] { return PyramidStudent(int64_t(parameter("width")), teacherChannels); });
        return student_.ptr();
    }

    // Trained on the distance itself (the frame's loss), averaged over the crops and summed over levels.
    std::vector<torch::Tensor> levelDistances(const torch::Tensor& input, const std::vector<torch::Tensor>& teacher) override
    {
        return cosineDistances(teacher, student_->forward(input, teacher));
    }

    torch::Tensor combineLevels(const std::vector<torch::Tensor>& distances) const override
    {
        torch::Tensor map = distances.front();
        for (size_t level = 1; level < distances.size(); ++level)
            map = map * distances[level];
        return map;
    }

private:
    PyramidStudent student_ {nullptr};
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
             networkWidthParameter(
                 "Student width",
                 "Channels of the student's first stage (doubling per stage); wider learns the teacher more closely "
                 "and trains slower. Below 32 a student cannot follow a ResNet-18 teacher's 64 to 256 channels "
                 "(measured: part image AUROC 0.71 at 16, 0.91 at 32).")},
            [](const DetectorSettings& settings) { return std::make_unique<Stfpm>(settings); },
            [](const DetectorSettings& settings) {
                return widthScaledSeconds(budgetOf(settings).steps, kSecondsPerStep, settings.parameters.at("width"));
            },
            true,
            false,
            "resnet18"};
}

} // namespace ds
