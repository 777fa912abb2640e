#include "core/review/ReportData.h"

#include "core/Error.h"
#include "core/review/GroundTruth.h"
#include "core/review/ReviewQueue.h"

#include <QDateTime>

#include <algorithm>
#include <array>
#include <map>

namespace ds {
namespace {

using TruthMap = std::map<std::int64_t, ImageTruth>;

std::optional<bool> truthOf(const TruthMap& truth, std::int64_t imageId)
{
    const auto found = truth.find(imageId);
    return found == truth.end() ? std::nullopt : found->second.defective;
}

ReportProjectSummary summarise(const ProjectFile& project, const TruthMap& truth,
                               const std::map<std::int64_t, ReviewRecord>& latest)
{
    ReportProjectSummary summary;
    summary.path = project.path();
    for (const ImageRecord& image : project.images()) {
        ++(image.split == Split::Train      ? summary.trainImages
               : image.split == Split::Test ? summary.testImages
                                            : summary.holdoutImages);
        const std::optional<bool> defective = truthOf(truth, image.id);
        ++(!defective ? summary.unknownImages : *defective ? summary.defectiveImages : summary.goodImages);
    }
    summary.reviewedImages = int(latest.size());
    return summary;
}

// A span of the job's progress, when there is a job.
struct OptionalSpan {
    OptionalSpan(JobContext* job, double begin, double end)
    {
        if (job)
            span.emplace(*job, begin, end);
    }
    std::optional<JobContext::Span> span;
};

MeasuredRun measure(const ProjectFile& project, const ModelRecord& model, const RunRecord& run, const TruthMap& truth,
                    JobContext* job)
{
    if (job)
        job->throwIfCancelled();
    MeasuredRun measured {model, run, computeRunMetrics(project, run.id, job), {}, {}};
    for (const ResultRecord& result : project.results(run.id, ProjectFile::Heatmaps::Skip)) {
        if (const std::optional<bool> defective = truthOf(truth, result.imageId)) {
            measured.scores.push_back(float(result.score));
            measured.labels.push_back(*defective ? 1 : 0);
        }
    }
    return measured;
}

std::vector<std::string> defectTypeNames(const cv::Mat& mask, const std::vector<DefectType>& types)
{
    if (mask.empty())
        return {};
    std::array<bool, 256> present {};
    for (int row = 0; row < mask.rows; ++row) {
        const std::uint8_t* pixel = mask.ptr<std::uint8_t>(row);
        for (int column = 0; column < mask.cols; ++column)
            present[pixel[column]] = true;
    }
    std::vector<std::string> names;
    bool untyped = present[kUntypedDefect];
    for (int value = 1; value < kUntypedDefect; ++value) {
        if (!present[value])
            continue;
        const auto type = std::find_if(types.begin(), types.end(), [&](const DefectType& t) { return t.id == value; });
        if (type != types.end())
            names.push_back(type->name);
        else
            untyped = true; // a value no type claims reads as a defect of no particular type
    }
    if (untyped)
        names.push_back(kUntypedDefectName);
    return names;
}

// The scores each run gave its images, read once per run.
class RunScoreCache {
public:
    explicit RunScoreCache(const ProjectFile& project)
        : project_(project)
    {
    }

    std::optional<double> score(std::int64_t runId, std::int64_t imageId)
    {
        auto run = runs_.find(runId);
        if (run == runs_.end()) {
            std::map<std::int64_t, double> scores;
            if (project_.run(runId))
                for (const ResultRecord& result : project_.results(runId, ProjectFile::Heatmaps::Skip))
                    scores.emplace(result.imageId, result.score);
            run = runs_.emplace(runId, std::move(scores)).first;
        }
        const auto found = run->second.find(imageId);
        return found == run->second.end() ? std::nullopt : std::optional<double>(found->second);
    }

private:
    const ProjectFile& project_;
    std::map<std::int64_t, std::map<std::int64_t, double>> runs_;
};

std::vector<ReviewerStats> reviewerStats(const ProjectFile& project)
{
    RunScoreCache runScores(project);
    std::map<std::string, ReviewerStats> byName;
    for (const ImageRecord& image : project.images()) {
        for (const ReviewRecord& review : project.reviews(image.id)) {
            ReviewerStats& stats = byName[review.reviewer];
            stats.reviewer = review.reviewer;
            ++(review.verdict == Verdict::Defect ? stats.defect : review.verdict == Verdict::Good ? stats.good : stats.unsure);
            const ReviewContext& context = review.context;
            if (review.verdict == Verdict::Unsure || !context.runId || !context.threshold)
                continue;
            const std::optional<double> score = runScores.score(*context.runId, review.imageId);
            if (!score)
                continue;
            ++stats.compared;
            const bool modelSaidDefect = *score >= *context.threshold;
            if (modelSaidDefect == (review.verdict == Verdict::Defect))
                ++stats.agreed;
        }
    }
    std::vector<ReviewerStats> stats;
    for (auto& [name, reviewer] : byName)
        stats.push_back(std::move(reviewer));
    return stats;
}

} // namespace

const char* thresholdSourceName(ThresholdSource source)
{
    switch (source) {
    case ThresholdSource::Given: return "given";
    case ThresholdSource::Chosen: return "chosen";
    case ThresholdSource::Run: return "run";
    }
    return "run";
}

ThresholdChoice chooseThreshold(const ProjectFile& project, const RunRecord& run, std::optional<double> given)
{
    if (given)
        return {*given, ThresholdSource::Given};
    if (const std::optional<double> chosen = project.chosenThreshold(run.modelId))
        return {*chosen, ThresholdSource::Chosen};
    return {run.threshold, ThresholdSource::Run};
}

ReportData gatherReport(const ProjectFile& project, std::int64_t modelId, std::optional<double> threshold, int topN,
                        JobContext* job)
{
    const std::optional<ModelRecord> model = project.model(modelId);
    if (!model)
        throw InputError("Project file '" + project.path() + "' has no model with id " + std::to_string(modelId));
    const std::optional<RunRecord> run = project.latestDoneRun(modelId);
    if (!run)
        throw InputError("Model " + std::to_string(modelId) + " (" + model->name
                         + ") has no finished run: score the test images first");

    ReportData report;
    report.createdAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
    const TruthMap truth = effectiveTruth(project);
    const std::map<std::int64_t, ReviewRecord> latest = project.latestReviews();
    report.project = summarise(project, truth, latest);
    report.threshold = chooseThreshold(project, *run, threshold);
    {
        OptionalSpan span(job, 0.0, 0.4);
        report.measured = measure(project, *model, *run, truth, job);
    }
    report.confusion = confusionAt(report.measured.scores, report.measured.labels, report.threshold.value);

    std::vector<std::int64_t> imageIds;
    std::vector<double> scores;
    std::map<std::int64_t, double> scoreOf;
    for (const ResultRecord& result : project.results(run->id, ProjectFile::Heatmaps::Skip)) {
        report.scoredImages.push_back({result.imageId, result.score, truthOf(truth, result.imageId)});
        imageIds.push_back(result.imageId);
        scores.push_back(result.score);
        scoreOf.emplace(result.imageId, result.score);
        if (result.score >= report.threshold.value)
            ++report.flaggedCount;
    }

    const std::vector<DefectType> types = project.defectTypes();
    const std::vector<std::int64_t> ranked
        = reviewOrder(imageIds, scores, report.threshold.value, ReviewOrder::HighestScoreFirst);
    const size_t shown = size_t(std::min(std::max(topN, 0), report.flaggedCount));
    for (size_t i = 0; i < shown; ++i) {
        if (job) {
            job->throwIfCancelled();
            job->report(0.4 + 0.1 * double(i) / double(shown), "Reading flagged images");
        }
        const std::int64_t imageId = ranked[i];
        const std::optional<ImageRecord> stored = project.image(imageId);
        if (!stored)
            throw InputError("Project file " + quoted(project.path()) + " is damaged: image " + std::to_string(imageId)
                             + " of run " + std::to_string(run->id) + " is missing");
        const ImageRecord& image = *stored;
        FlaggedImage flagged;
        flagged.imageId = imageId;
        flagged.path = image.path;
        flagged.sha256 = image.sha256;
        flagged.score = scoreOf.at(imageId);
        flagged.label = image.label;
        if (const auto review = latest.find(imageId); review != latest.end())
            flagged.humanVerdict = review->second.verdict;
        flagged.heatmap = project.heatmap(run->id, imageId);
        flagged.mask = project.mask(imageId);
        flagged.defectTypes = defectTypeNames(flagged.mask, types);
        report.topFlagged.push_back(std::move(flagged));
    }

    report.reviewers = reviewerStats(project);

    std::vector<std::pair<ModelRecord, RunRecord>> others;
    for (const ModelRecord& other : project.models())
        if (other.id != modelId)
            if (const std::optional<RunRecord> otherRun = project.latestDoneRun(other.id))
                others.emplace_back(other, *otherRun);
    for (size_t i = 0; i < others.size(); ++i) {
        const double begin = 0.5 + 0.5 * double(i) / double(others.size());
        OptionalSpan span(job, begin, begin + 0.5 / double(others.size()));
        report.comparison.push_back(measure(project, others[i].first, others[i].second, truth, job));
    }
    if (job)
        job->report(1.0, "Report gathered");
    return report;
}

} // namespace ds
