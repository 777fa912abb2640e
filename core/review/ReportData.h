#pragma once
// What a report on one model tells stakeholders, gathered from a project in one pass as
// plain data: the report writers (report/) render it without the project, on any thread.
#include "core/jobs/JobContext.h"
#include "core/jobs/RunMetrics.h"
#include "core/metrics/Threshold.h"
#include "core/storage/ProjectFile.h"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ds {

struct ReportProjectSummary {
    std::string path;
    int trainImages = 0;
    int testImages = 0;
    int holdoutImages = 0;
    // Every image by what the project knows of it (effectiveTruth): a reviewer's verdict,
    // else the dataset label.
    int goodImages = 0;
    int defectiveImages = 0;
    int unknownImages = 0;
    int reviewedImages = 0; // images with a human verdict (latestReviews)
};

// Where the report's threshold came from.
enum class ThresholdSource { Given, Chosen, Run };
const char* thresholdSourceName(ThresholdSource source); // "given", "chosen", "run"

struct ThresholdChoice {
    double value = 0.0;
    ThresholdSource source = ThresholdSource::Run;
};
// given when there is one, else the threshold a person chose for the run's model
// (ProjectFile::chosenThreshold), else the one the run applied.
ThresholdChoice chooseThreshold(const ProjectFile& project, const RunRecord& run, std::optional<double> given);

// One model's latest finished run and how it measures up.
struct MeasuredRun {
    ModelRecord model; // without its state
    RunRecord run;
    RunMetrics metrics; // computeRunMetrics
    // Scores of the run's images whose truth is known, with 1 = defective, 0 = good (as
    // core/metrics expects), ordered by image id: what its ROC curve is drawn from.
    std::vector<float> scores;
    std::vector<int> labels;
};

// One scored image of the reported run.
struct ScoredImage {
    std::int64_t imageId = 0;
    double score = 0.0;
    std::optional<bool> defective; // effective truth; nullopt: unknown
};

struct FlaggedImage {
    std::int64_t imageId = 0;
    std::string path;
    std::string sha256; // the content imported: the report shows no other file's pixels
    double score = 0.0;
    Verdict modelVerdict = Verdict::Defect; // at the report's threshold
    std::optional<Verdict> humanVerdict; // the latest review; nullopt: not reviewed
    std::string label; // dataset label; kUnknownLabel when none
    // Names of the defect types present in the image's mask, ordered by type id;
    // kUntypedDefectName for regions of no particular type (kUntypedDefect).
    std::vector<std::string> defectTypes;
    cv::Mat heatmap; // the run's anomaly map (CV_32F); may be empty
    cv::Mat mask; // the image's mask (CV_8U); empty when none
};

// What one reviewer did. Every verdict in the audit trail counts, not only the latest.
struct ReviewerStats {
    std::string reviewer;
    int defect = 0;
    int good = 0;
    int unsure = 0;
    // Defect / Good verdicts whose context tells what the model said (the context's run
    // scored the image and a threshold was recorded), and how many of them agreed.
    int compared = 0;
    int agreed = 0;
};

struct ReportData {
    std::string createdAt; // ISO 8601 UTC, when gathered
    ReportProjectSummary project;
    MeasuredRun measured; // the reported model
    ThresholdChoice threshold;
    std::vector<ScoredImage> scoredImages; // every image of the run, by image id
    // At the threshold, over the scored images whose truth is known (confusionAt).
    Confusion confusion;
    int flaggedCount = 0; // scored images at or above the threshold
    std::vector<FlaggedImage> topFlagged; // highest scores first, at most topN
    std::vector<ReviewerStats> reviewers; // by name
    std::vector<MeasuredRun> comparison; // every other model with a finished run, by id
};

// Gathers the report on model modelId's latest finished run (ProjectFile::latestDoneRun)
// at threshold (nullopt: see chooseThreshold) with at most topN flagged images. job
// (optional) reports progress and is checked for cancellation (ds::Cancelled). Throws
// ds::InputError for an unknown model or one without a finished run.
ReportData gatherReport(const ProjectFile& project, std::int64_t modelId, std::optional<double> threshold, int topN,
                        JobContext* job = nullptr);

} // namespace ds
