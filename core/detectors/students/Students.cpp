#include "core/detectors/students/Students.h"

#include "core/detectors/FeatureNetworkDetector.h"
#include "core/networks/Networks.h"

#include <algorithm>
#include <cmath>

namespace ds {
namespace {

namespace F = torch::nn::functional;

// Each step trains every student, so the budgets are a third of STFPM's for as many students.
constexpr NetworkBudgets kBudgets {{{128, 300}, {192, 600}, {256, 1500}}};
// Measured on the reference machine (2 cores): one width-32 student's share of a step
// against a ResNet-18 teacher on 128-px crops.
constexpr double kSecondsPerStudentStep = 0.22;

NetworkBudget budgetOf(const DetectorSettings& settings)
{
    return chosenBudget(settings, kBudgets);
}

// Per level, B x h x w: the regression error of the students' mean descriptor and the
// students' predictive variance around it.
struct ErrorAndVariance {
    std::vector<torch::Tensor> error, variance;
};

// The students, each from its own seed, and what good images give: per level the mean and
// spread of the error and of the variance (a buffer, so it is saved with the weights).
struct EnsembleImpl : torch::nn::Module {
    EnsembleImpl(int64_t count, int64_t width, const std::vector<int64_t>& teacherChannels, uint64_t seed)
    {
        members = register_module("members", torch::nn::ModuleList());
        for (int64_t i = 0; i < count; ++i)
            members->push_back(seededConstruction(seed + uint64_t(i), [&] { return PyramidStudent(width, teacherChannels); }));
        calibration = register_buffer("calibration",
                                      torch::tensor({0.0F, 1.0F, 0.0F, 1.0F}).repeat({int64_t(teacherChannels.size()), 1}));
    }

    // Per student, per level: the student's maps at the teacher's sizes.
    std::vector<std::vector<torch::Tensor>> forward(const torch::Tensor& input, const std::vector<torch::Tensor>& teacher)
    {
        std::vector<std::vector<torch::Tensor>> maps;
        for (const auto& member : *members)
            maps.push_back(member->as<PyramidStudent>()->forward(input, teacher));
        return maps;
    }

    // On unit-length descriptors, so every level and channel weighs alike.
    ErrorAndVariance measure(const torch::Tensor& input, const std::vector<torch::Tensor>& teacher)
    {
        const auto unit = F::NormalizeFuncOptions().dim(1);
        const std::vector<std::vector<torch::Tensor>> students = forward(input, teacher);
        ErrorAndVariance measured;
        for (size_t level = 0; level < teacher.size(); ++level) {
            std::vector<torch::Tensor> descriptors;
            for (const auto& student : students)
                descriptors.push_back(F::normalize(student[level], unit));
            const torch::Tensor stacked = torch::stack(descriptors);
            const torch::Tensor mean = stacked.mean(0);
            measured.error.push_back((mean - F::normalize(teacher[level], unit)).pow(2).sum(1));
            measured.variance.push_back((stacked - mean).pow(2).sum(2).mean(0));
        }
        return measured;
    }

    torch::nn::ModuleList members {nullptr};
    torch::Tensor calibration;
};
TORCH_MODULE(Ensemble);

// Uninformed Students (Bergmann et al., CVPR 2020): several students, each learning the
// teacher's descriptors at every level (receptive field) on its own. Where a part looks
// as in training they agree with the teacher and with each other; elsewhere they miss it
// (regression error) and disagree (predictive variance). Both are measured against what
// good images give, per level, added, and the levels averaged.
class Students : public FeatureNetworkDetector {
public:
    explicit Students(const DetectorSettings& settings)
        : FeatureNetworkDetector(settings, budgetOf(settings), "Training the students to match the teacher on the good images",
                                 "students' loss")
    {
    }

protected:
    std::shared_ptr<torch::nn::Module> buildNetwork(const std::vector<int64_t>& teacherChannels) override
    {
        ensemble_ = Ensemble(int64_t(parameter("students")), int64_t(parameter("width")), teacherChannels, settings_.seed + 1);
        return ensemble_.ptr();
    }

    // Each student on its own: the sum of their distances to the teacher.
    torch::Tensor trainingLoss(const torch::Tensor& input, const std::vector<torch::Tensor>& teacher) override
    {
        torch::Tensor loss = torch::zeros({}, input.options());
        for (const std::vector<torch::Tensor>& student : ensemble_->forward(input, teacher))
            for (const torch::Tensor& distance : cosineDistances(teacher, student))
                loss = loss + distance.mean();
        return loss;
    }

    std::vector<torch::Tensor> levelDistances(const torch::Tensor& input, const std::vector<torch::Tensor>& teacher) override
    {
        const ErrorAndVariance measured = ensemble_->measure(input, teacher);
        const torch::Tensor& calibration = ensemble_->calibration;
        std::vector<torch::Tensor> distances;
        for (size_t level = 0; level < teacher.size(); ++level) {
            const torch::Tensor row = calibration[int64_t(level)];
            distances.push_back((measured.error[level] - row[0]) / row[1] + (measured.variance[level] - row[2]) / row[3]);
        }
        return distances;
    }

    torch::Tensor combineLevels(const std::vector<torch::Tensor>& distances) const override
    {
        return torch::stack(distances).mean(0);
    }

    // The mean and spread of each level's error and variance over every pixel of the good images.
    void calibrate(const std::vector<cv::Mat>& goodImages, JobContext& job) override
    {
        const size_t levels = size_t(ensemble_->calibration.size(0));
        std::vector<double> sums(levels * 4, 0.0);
        std::vector<double> pixelsPerLevel(levels, 0.0);
        forEachBatch(goodImages, &job, "Measuring the students on the good images",
                     [&](size_t, size_t, const torch::Tensor& input, const std::vector<torch::Tensor>& teacher) {
                         const ErrorAndVariance measured = ensemble_->measure(input, teacher);
                         for (size_t level = 0; level < levels; ++level) {
                             const torch::Tensor error = measured.error[level].to(torch::kDouble);
                             const torch::Tensor variance = measured.variance[level].to(torch::kDouble);
                             sums[level * 4 + 0] += error.sum().item<double>();
                             sums[level * 4 + 1] += error.pow(2).sum().item<double>();
                             sums[level * 4 + 2] += variance.sum().item<double>();
                             sums[level * 4 + 3] += variance.pow(2).sum().item<double>();
                             pixelsPerLevel[level] += double(error.numel());
                         }
                     });
        torch::NoGradGuard noGrad;
        for (size_t level = 0; level < levels; ++level) {
            const double n = std::max(1.0, pixelsPerLevel[level]);
            for (int part = 0; part < 2; ++part) {
                const double mean = sums[level * 4 + size_t(2 * part)] / n;
                const double spread = std::sqrt(std::max(0.0, sums[level * 4 + size_t(2 * part) + 1] / n - mean * mean));
                ensemble_->calibration[int64_t(level)][2 * part] = mean;
                ensemble_->calibration[int64_t(level)][2 * part + 1] = std::max(spread, 1e-8);
            }
        }
    }

private:
    Ensemble ensemble_ {nullptr};
};

} // namespace

DetectorInfo studentsInfo()
{
    return {"students",
            "Uninformed Students (student ensemble)",
            "Trains several student networks to give the teacher backbone's features on the good images; a defect "
            "is where the students miss the teacher and disagree with each other. The teacher is the backbone "
            "setting; training takes minutes, longer than STFPM's single student.",
            {trainingBudgetParameter("Quick: 128 px, 300 steps. Balanced: 192 px, 600 steps. Thorough: 256 px, "
                                     "1500 steps. Every step trains each student."),
             trainingStepsParameter(),
             {"students",
              "Students",
              "How many students learn the teacher; their disagreement is half the score. More students measure "
              "it more reliably, and each adds its share of training time.",
              3,
              2,
              5,
              true,
              {}},
             networkWidthParameter(
                 "Student width",
                 "Channels of each student's first stage (doubling per stage); wider learns the teacher more closely "
                 "and trains slower.")},
            [](const DetectorSettings& settings) { return std::make_unique<Students>(settings); },
            [](const DetectorSettings& settings) {
                return widthScaledSeconds(budgetOf(settings).steps, kSecondsPerStudentStep, settings.parameters.at("width"))
                    * settings.parameters.at("students");
            },
            true,
            false,
            "resnet18"};
}

} // namespace ds
