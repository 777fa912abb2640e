#include "core/detectors/DistillationDetector.h"

#include "core/backbones/BackboneCatalog.h"
#include "core/components/AnomalyMap.h"
#include "core/data/ImageIO.h"
#include "core/networks/Networks.h"
#include "core/networks/TrainingImages.h"

#include <optional>

namespace ds {
namespace {

namespace F = torch::nn::functional;

constexpr int kBatch = 8;
constexpr int kCrop = 128;

// Per level, half the squared distance of unit-length teacher and student descriptors
// (1 - their cosine): B x h x w each.
std::vector<torch::Tensor> levelDistances(const std::vector<torch::Tensor>& teacher, const std::vector<torch::Tensor>& student)
{
    std::vector<torch::Tensor> distances;
    for (size_t level = 0; level < teacher.size(); ++level) {
        const auto unit = F::NormalizeFuncOptions().dim(1);
        distances.push_back(0.5 * (F::normalize(teacher[level], unit) - F::normalize(student[level], unit)).pow(2).sum(1));
    }
    return distances;
}

} // namespace

DistillationDetector::DistillationDetector(const DetectorSettings& settings, NetworkBudget budget)
    : ArchivedDetector(settings)
    , budget_(budget)
    // A TorchScript teacher is most likely pretrained on ImageNet; the built-in ones see
    // each image evened out, as the statistical methods' automatic choice does.
    , normalisation_(isBuiltinBackbone(settings.backbone) ? InputNormalisation::PerImage : InputNormalisation::ImageNet)
{
}

void DistillationDetector::fit(const std::vector<cv::Mat>& goodImages, JobContext& job)
{
    translatingTorchErrors([&] { fitImages(goodImages, job); });
}

std::vector<AnomalyResult> DistillationDetector::predict(const std::vector<cv::Mat>& images)
{
    return translatingTorchErrors([&] { return predictImages(images); });
}

void DistillationDetector::loadState(torch::serialize::InputArchive& archive)
{
    geometry_ = InputGeometry::read(archive, budget_.side);
    torch::serialize::InputArchive teacher;
    archive.read("teacher", teacher);
    teacher_ = loadBackbone(teacher);
    teacher_->to(device());
    buildStudentForTeacher();
    readModule(archive, "student", *student_, device());
    toChannelsLast(*student_);
    student_->eval();
    fitted_ = true;
}

void DistillationDetector::writeState(torch::serialize::OutputArchive& archive) const
{
    geometry_.write(archive);
    torch::serialize::OutputArchive teacher;
    teacher_->save(teacher);
    archive.write("teacher", teacher);
    writeModule(archive, "student", *student_);
}

torch::Tensor DistillationDetector::batchOf(const std::vector<cv::Mat>& images, const cv::Size& size) const
{
    return imagesToBatch(images, size, device(), normalisation_).contiguous(torch::MemoryFormat::ChannelsLast);
}

// The student's heads follow the teacher's channels, read from a small probe.
void DistillationDetector::buildStudentForTeacher()
{
    std::vector<int64_t> channels;
    {
        c10::InferenceMode inference;
        for (const torch::Tensor& map : teacher_->extract(torch::zeros({1, 3, 64, 64}, device())))
            channels.push_back(map.size(1));
    }
    student_ = buildStudent(channels);
    student_->to(device());
    toChannelsLast(*student_);
}

// A random teacher's BatchNorm follows the good images' statistics (as the statistical
// methods' optional pass does), so no channel of it is saturated or silent.
void DistillationDetector::adaptTeacher(const std::vector<cv::Mat>& goodImages, JobContext& job)
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

void DistillationDetector::fitImages(const std::vector<cv::Mat>& goodImages, JobContext& job)
{
    if (goodImages.size() < 2)
        throw InputError("training needs at least 2 good images, got " + std::to_string(goodImages.size()));
    fitted_ = false;
    chooseAspect(settings_, goodImages);
    geometry_ = chooseInputGeometry(goodImages, budget_.side, settings_.keepAspectRatio, false);
    // A second fit starts from the same teacher and the same initial student.
    teacher_ = createBackbone(settings_.backbone, settings_.seed);
    teacher_->to(device());
    const double learnt = teacher_->learnsFromImages() ? 0.4 : 0.0;
    if (teacher_->learnsFromImages()) {
        JobContext::Span span(job, 0.0, learnt);
        std::vector<cv::Mat> scaled;
        for (const cv::Mat& image : goodImages)
            scaled.push_back(resizeImage(image, geometry_.sizeFor(image.size())));
        teacher_->learn(
            scaled, [&](const std::vector<cv::Mat>& batch) { return batchOf(batch, batch.front().size()); }, 0, job);
    }
    {
        JobContext::Span span(job, learnt, learnt + 0.05);
        adaptTeacher(goodImages, job);
    }
    buildStudentForTeacher();
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
    training.steps = budget_.steps;
    training.stage = "Training the student to match the teacher on the good images";
    training.curve = "student loss";
    JobContext::Span span(job, learnt + 0.07, 1.0);
    runTrainingLoop(job, training, [&](int) {
        const std::vector<cv::Mat> crops = images->randomCrops(kBatch, rng);
        const torch::Tensor input = batchOf(crops, cv::Size(images->crop(), images->crop()));
        std::vector<torch::Tensor> teacher;
        {
            torch::NoGradGuard frozen;
            teacher = teacher_->extract(input);
        }
        torch::Tensor loss = torch::zeros({}, input.options());
        for (const torch::Tensor& distance : levelDistances(teacher, studentMaps(input, teacher)))
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

std::vector<AnomalyResult> DistillationDetector::predictImages(const std::vector<cv::Mat>& images)
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
        std::vector<torch::Tensor> distances = levelDistances(teacher, studentMaps(input, teacher));
        const auto finest = F::InterpolateFuncOptions()
                                .size(std::vector<int64_t>(distances.front().sizes().slice(1).begin(),
                                                           distances.front().sizes().slice(1).end()))
                                .mode(torch::kBilinear)
                                .align_corners(false);
        for (torch::Tensor& distance : distances)
            distance = F::interpolate(distance.unsqueeze(1), finest).squeeze(1);
        const torch::Tensor maps = combineLevels(distances);
        for (int64_t i = 0; i < int64_t(batch.size()); ++i) {
            AnomalyResult result;
            result.anomalyMap = finishAnomalyMap(tensorToMat(maps[i]), inputSize, settings_.imageSize);
            double maximum = 0;
            cv::minMaxLoc(result.anomalyMap, nullptr, &maximum);
            result.score = float(maximum);
            results.push_back(std::move(result));
        }
    }
    return results;
}

} // namespace ds
