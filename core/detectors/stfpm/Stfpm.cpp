#include "core/detectors/stfpm/Stfpm.h"

#include "core/backbones/Backbone.h"
#include "core/backbones/BackboneCatalog.h"
#include "core/components/AnomalyMap.h"
#include "core/components/TensorImage.h"
#include "core/data/ImageIO.h"
#include "core/detectors/ArchivedDetector.h"
#include "core/networks/Networks.h"
#include "core/networks/TrainingImages.h"
#include "core/networks/TrainingLoop.h"

#include <algorithm>
#include <optional>

namespace ds {
namespace {

namespace F = torch::nn::functional;

constexpr int kBatch = 8;
constexpr int kCrop = 128;

struct StfpmBudget {
    int side;
    int steps;
};
constexpr StfpmBudget kBudgets[] = {{128, 400}, {192, 1200}, {256, 3000}};
// Measured on the reference machine (2 cores): a step of a width-32 student and a
// ResNet-18 teacher on 128-px crops.
constexpr double kSecondsPerStep = 0.25;

StfpmBudget budgetOf(const DetectorSettings& settings)
{
    StfpmBudget chosen = kBudgets[std::clamp(int(settings.parameters.at("budget")), 0, 2)];
    if (settings.parameters.at("network_steps") > 0)
        chosen.steps = int(settings.parameters.at("network_steps"));
    return chosen;
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
                map = F::interpolate(map, F::InterpolateFuncOptions()
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

// Per level, half the squared distance of unit-length teacher and student descriptors
// (1 - their cosine): B x h x w each.
std::vector<torch::Tensor> levelDistances(const std::vector<torch::Tensor>& teacher, const std::vector<torch::Tensor>& student)
{
    std::vector<torch::Tensor> distances;
    for (size_t level = 0; level < teacher.size(); ++level)
        distances.push_back(
            0.5 * (F::normalize(teacher[level], F::NormalizeFuncOptions().dim(1)) - F::normalize(student[level], F::NormalizeFuncOptions().dim(1)))
                      .pow(2)
                      .sum(1));
    return distances;
}

// STFPM (Wang et al., BMVC 2021): a student network learns, on the good images alone, to
// give the teacher's descriptors at every level of its feature pyramid; where it fails to
// is what it never saw. The teacher is the backbone setting: no weights are downloaded,
// a pretrained one comes as a TorchScript file. Map: the product over levels of the
// student's distance to the teacher, upsampled to the image; score: its maximum.
class Stfpm : public ArchivedDetector {
public:
    explicit Stfpm(const DetectorSettings& settings)
        : ArchivedDetector(settings)
        , normalisation_(isBuiltinBackbone(settings.backbone) ? InputNormalisation::PerImage : InputNormalisation::ImageNet)
    {
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
        torch::serialize::InputArchive teacher;
        archive.read("teacher", teacher);
        teacher_ = loadBackbone(teacher);
        teacher_->to(device());
        buildStudent();
        readModule(archive, "student", *student_, device());
        toChannelsLast(*student_);
        fitted_ = true;
    }

protected:
    bool isFitted() const override { return fitted_; }

    void writeState(torch::serialize::OutputArchive& archive) const override
    {
        geometry_.write(archive);
        torch::serialize::OutputArchive teacher;
        teacher_->save(teacher);
        archive.write("teacher", teacher);
        writeModule(archive, "student", *student_);
    }

private:
    torch::Tensor batchOf(const std::vector<cv::Mat>& images, const cv::Size& size) const
    {
        return imagesToBatch(images, size, device(), normalisation_).contiguous(torch::MemoryFormat::ChannelsLast);
    }

    // The student's heads follow the teacher's channels, read from a small probe.
    void buildStudent()
    {
        std::vector<int64_t> channels;
        {
            c10::InferenceMode inference;
            for (const torch::Tensor& map : teacher_->extract(torch::zeros({1, 3, 64, 64}, device())))
                channels.push_back(map.size(1));
        }
        student_ = seededConstruction(settings_.seed + 1, [&] { return Student(int64_t(parameter("width")), channels); });
        student_->to(device());
        toChannelsLast(*student_);
    }

    // A random teacher's BatchNorm follows the good images' statistics (as the statistical
    // methods' optional pass does), so no channel of it is saturated or silent.
    void adaptTeacher(const std::vector<cv::Mat>& goodImages, JobContext& job)
    {
        if (!teacher_->supportsNormalisationPass())
            return;
        c10::InferenceMode inference;
        teacher_->beginNormalisationPass();
        try {
            for (const auto& [first, end] : batchRanges(goodImages, geometry_, kBatch)) {
                job.throwIfCancelled();
                const std::vector<cv::Mat> batch(goodImages.begin() + long(first), goodImages.begin() + long(end));
                teacher_->extract(batchOf(batch, geometry_.sizeFor(batch.front().size())));
                job.report(double(end) / double(goodImages.size()), "Adapting the teacher to the images");
            }
        } catch (...) {
            teacher_->endNormalisationPass();
            throw;
        }
        teacher_->endNormalisationPass();
    }

    void fitImages(const std::vector<cv::Mat>& goodImages, JobContext& job)
    {
        if (goodImages.size() < 2)
            throw InputError("training needs at least 2 good images, got " + std::to_string(goodImages.size()));
        fitted_ = false;
        const StfpmBudget plan = budgetOf(settings_);
        chooseAspect(settings_, goodImages);
        geometry_ = chooseInputGeometry(goodImages, plan.side, settings_.keepAspectRatio, false);
        // A second fit starts from the same teacher and the same initial student.
        teacher_ = createBackbone(settings_.backbone, settings_.seed);
        teacher_->to(device());
        if (teacher_->learnsFromImages()) {
            JobContext::Span span(job, 0.0, 0.4);
            std::vector<cv::Mat> scaled;
            for (const cv::Mat& image : goodImages)
                scaled.push_back(resizeImage(image, geometry_.sizeFor(image.size())));
            teacher_->learn(
                scaled, [&](const std::vector<cv::Mat>& batch) { return batchOf(batch, batch.front().size()); }, 0, job);
        }
        const double learnt = teacher_->learnsFromImages() ? 0.4 : 0.0;
        {
            JobContext::Span span(job, learnt, learnt + 0.05);
            adaptTeacher(goodImages, job);
        }
        buildStudent();
        std::optional<TrainingImages> images;
        {
            JobContext::Span span(job, learnt + 0.05, learnt + 0.07);
            images.emplace(goodImages, geometry_, kCrop, job);
        }
        cv::RNG rng(settings_.seed + 2);

        c10::InferenceMode autograd(false);
        student_->train();
        torch::optim::Adam optimiser(student_->parameters(), torch::optim::AdamOptions(1e-3));
        TrainingPlan training;
        training.steps = plan.steps;
        training.stage = "Training the student to match the teacher on the good images";
        training.curve = "student loss";
        JobContext::Span span(job, learnt + 0.07, 1.0);
        runTrainingLoop(job, training, [&](int) {
            std::vector<cv::Mat> crops;
            for (int b = 0; b < kBatch; ++b)
                crops.push_back(images->randomCrop(size_t(rng.uniform(0, int(images->size()))), rng));
            const torch::Tensor input = batchOf(crops, cv::Size(images->crop(), images->crop()));
            std::vector<torch::Tensor> teacher;
            {
                torch::NoGradGuard frozen;
                teacher = teacher_->extract(input);
            }
            torch::Tensor loss = torch::zeros({}, input.options());
            for (const torch::Tensor& distance : levelDistances(teacher, student_->forward(input, teacher)))
                loss = loss + distance.mean();
            optimiser.zero_grad();
            loss.backward();
            optimiser.step();
            return loss.item<double>();
        });
        student_->eval();
        fitted_ = true;
        job.report(1.0, "Trained");
    }

    std::vector<AnomalyResult> predictImages(const std::vector<cv::Mat>& images)
    {
        if (!fitted_)
            throw Error("the detector must be trained or loaded before it can score images");
        c10::InferenceMode inference;
        std::vector<AnomalyResult> results;
        for (const auto& [first, end] : batchRanges(images, geometry_, kBatch)) {
            const std::vector<cv::Mat> batch(images.begin() + long(first), images.begin() + long(end));
            const cv::Size inputSize = geometry_.sizeFor(batch.front().size());
            const torch::Tensor input = batchOf(batch, inputSize);
            const std::vector<torch::Tensor> teacher = teacher_->extract(input);
            const std::vector<torch::Tensor> distances = levelDistances(teacher, student_->forward(input, teacher));
            const std::vector<int64_t> finest(distances.front().sizes().slice(1).begin(), distances.front().sizes().slice(1).end());
            torch::Tensor map = torch::ones_like(distances.front());
            for (const torch::Tensor& distance : distances)
                map = map
                    * F::interpolate(distance.unsqueeze(1), F::InterpolateFuncOptions().size(finest).mode(torch::kBilinear).align_corners(false))
                          .squeeze(1);
            for (int64_t i = 0; i < int64_t(batch.size()); ++i) {
                AnomalyResult result;
                result.anomalyMap = finishAnomalyMap(tensorToMat(map[i]), inputSize, settings_.imageSize);
                double maximum = 0;
                cv::minMaxLoc(result.anomalyMap, nullptr, &maximum);
                result.score = float(maximum);
                results.push_back(std::move(result));
            }
        }
        return results;
    }

    InputNormalisation normalisation_;
    std::unique_ptr<Backbone> teacher_;
    Student student_ {nullptr};
    InputGeometry geometry_;
    bool fitted_ = false;
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
