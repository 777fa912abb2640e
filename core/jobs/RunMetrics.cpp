#include "core/jobs/RunMetrics.h"

#include "core/Error.h"
#include "core/metrics/Metrics.h"
#include "core/review/GroundTruth.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <map>

namespace ds {
namespace {

constexpr int kPixelMetricsMaxSide = 256;

RunRecord requireRun(const ProjectFile& project, std::int64_t runId)
{
    std::optional<RunRecord> run = project.run(runId);
    if (!run)
        throw Error("Project file '" + project.path() + "' has no run with id " + std::to_string(runId));
    return *run;
}

cv::Size workingSize(const ImageRecord& image)
{
    const double scale = std::min(1.0, double(kPixelMetricsMaxSide) / std::max(image.width, image.height));
    return {std::max(1, int(std::lround(image.width * scale))), std::max(1, int(std::lround(image.height * scale)))};
}

// An image pixel metrics use; a good one is compared against an empty mask.
struct PixelImage {
    ImageRecord image;
    bool defective = false;
};

// Heatmaps and masks of the images pixel metrics use, at their working size. A good
// image's mask stays empty: core/metrics reads that as "no defect pixel".
struct PixelSamples {
    std::vector<cv::Mat> maps;
    std::vector<cv::Mat> masks;
    std::int64_t defectPixels = 0;
    std::int64_t goodPixels = 0;
};

PixelSamples pixelSamples(const ProjectFile& project, std::int64_t runId, const std::vector<PixelImage>& images, JobContext* job)
{
    PixelSamples samples;
    for (size_t i = 0; i < images.size(); ++i) {
        if (job) {
            job->throwIfCancelled();
            job->report(double(i) / double(images.size()), "Reading heatmaps");
        }
        const ImageRecord& image = images[i].image;
        const cv::Mat heatmap = project.heatmap(runId, image.id);
        if (heatmap.empty())
            continue;
        const cv::Size size = workingSize(image);
        cv::Mat map;
        cv::resize(heatmap, map, size, 0, 0, cv::INTER_LINEAR);
        cv::Mat mask;
        if (images[i].defective)
            cv::resize(project.mask(image.id), mask, size, 0, 0, cv::INTER_NEAREST);
        const std::int64_t defects = mask.empty() ? 0 : cv::countNonZero(mask);
        samples.defectPixels += defects;
        samples.goodPixels += std::int64_t(size.area()) - defects;
        samples.maps.push_back(std::move(map));
        samples.masks.push_back(std::move(mask));
    }
    if (job)
        job->report(1.0, "Reading heatmaps");
    return samples;
}

} // namespace

namespace {

std::map<std::int64_t, ImageRecord> imagesById(const ProjectFile& project)
{
    std::map<std::int64_t, ImageRecord> images;
    for (ImageRecord& image : project.images())
        images.emplace(image.id, std::move(image));
    return images;
}

// The run's scores of images with a known truth; unknown counts those left out.
RunScores scoresOf(const ProjectFile& project, std::int64_t runId, const std::map<std::int64_t, ImageTruth>& truth,
                   int* unknown = nullptr)
{
    RunScores scores;
    for (const ResultRecord& result : project.results(runId, ProjectFile::Heatmaps::Skip)) {
        const auto found = truth.find(result.imageId);
        if (found == truth.end()) // foreign keys were off while someone edited the file
            throw InputError("Project file " + quoted(project.path()) + " is damaged: run " + std::to_string(runId)
                             + " has a result for image " + std::to_string(result.imageId) + ", which the project does not hold");
        const std::optional<bool> defective = found->second.defective;
        if (!defective) {
            if (unknown)
                ++*unknown;
            continue;
        }
        scores.imageIds.push_back(result.imageId);
        scores.scores.push_back(float(result.score));
        scores.labels.push_back(*defective ? 1 : 0);
    }
    return scores;
}

} // namespace

namespace {

ModelSummary summaryOf(const ProjectFile& project, const ModelRecord& model, const std::map<std::int64_t, ImageTruth>& truth)
{
    ModelSummary summary;
    summary.model = model;
    summary.latestRun = project.latestDoneRun(model.id);
    const std::optional<double> chosen = project.chosenThreshold(model.id);
    summary.thresholdChosen = chosen.has_value();
    summary.threshold = chosen.value_or(summary.latestRun ? summary.latestRun->threshold : model.threshold);
    if (summary.latestRun) {
        const RunScores scores = scoresOf(project, summary.latestRun->id, truth);
        const auto defects = std::count(scores.labels.begin(), scores.labels.end(), 1);
        if (defects > 0 && defects < std::ptrdiff_t(scores.labels.size()))
            summary.imageAuroc = rocAuc(scores.scores, scores.labels);
    }
    return summary;
}

} // namespace

std::vector<ModelSummary> modelSummaries(const ProjectFile& project)
{
    const std::map<std::int64_t, ImageTruth> truth = effectiveTruth(project);
    std::vector<ModelSummary> summaries;
    for (const ModelRecord& model : project.models())
        summaries.push_back(summaryOf(project, model, truth));
    return summaries;
}

ModelSummary modelSummary(const ProjectFile& project, const ModelRecord& model)
{
    return summaryOf(project, model, effectiveTruth(project));
}

RunScores runScores(const ProjectFile& project, std::int64_t runId)
{
    requireRun(project, runId);
    return scoresOf(project, runId, effectiveTruth(project));
}

RunMetrics computeRunMetrics(const ProjectFile& project, std::int64_t runId, JobContext* job)
{
    const RunRecord run = requireRun(project, runId);
    RunMetrics metrics;
    metrics.msPerImage = run.msPerImage;
    if (const std::optional<ModelRecord> model = project.model(run.modelId))
        metrics.trainSeconds = model->trainSeconds;

    const std::map<std::int64_t, ImageRecord> images = imagesById(project);
    const std::map<std::int64_t, ImageTruth> truth = effectiveTruth(project);
    const RunScores scores = scoresOf(project, runId, truth, &metrics.nUnknown);
    for (std::int64_t imageId : scores.imageIds)
        metrics.nReviewed += truth.at(imageId).fromReviewer ? 1 : 0;
    metrics.nDefective = int(std::count(scores.labels.begin(), scores.labels.end(), 1));
    metrics.nGood = int(scores.labels.size()) - metrics.nDefective;
    if (metrics.nGood > 0 && metrics.nDefective > 0) {
        metrics.imageAuroc = rocAuc(scores.scores, scores.labels);
        const F1Result f1 = f1Max(scores.scores, scores.labels);
        metrics.f1Max = f1.f1;
        metrics.f1Threshold = f1.threshold;
    }

    // The scored images pixel metrics can use: good ones, and defective ones with a mask.
    std::vector<PixelImage> pixelImages;
    for (size_t i = 0; i < scores.imageIds.size(); ++i) {
        const ImageRecord& image = images.at(scores.imageIds[i]);
        const bool defective = scores.labels[i] == 1;
        if (defective && image.hasMask)
            ++metrics.nWithMask;
        if (!defective || image.hasMask)
            pixelImages.push_back({image, defective});
    }
    if (metrics.nWithMask == 0)
        return metrics;
    const PixelSamples samples = pixelSamples(project, runId, pixelImages, job);
    if (samples.defectPixels > 0 && samples.goodPixels > 0) {
        metrics.pixelAuroc = pixelAuroc(samples.maps, samples.masks);
        metrics.aupro = aupro(samples.maps, samples.masks);
    }
    return metrics;
}

} // namespace ds
