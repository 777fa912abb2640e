#pragma once
// How well one scoring run did, measured against the project's labels and masks: what the
// model comparison and the models list show.
#include "core/jobs/JobContext.h"
#include "core/storage/ProjectFile.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace ds {

// A run's image scores with their ground truth (effectiveTruth: a person's verdict over the
// dataset label), ordered by image id. labels: 0 for a good image, 1 for a defective one (as
// core/metrics expects); images whose truth is unknown are left out.
struct RunScores {
    std::vector<std::int64_t> imageIds;
    std::vector<float> scores;
    std::vector<int> labels;
};

// A metric is empty when the run's images cannot measure it, never zero: image metrics
// need good and defective images; pixel metrics need at least one defective image with a
// mask (and, besides its defect pixels, some defect-free ones).
struct RunMetrics {
    std::optional<double> imageAuroc;
    std::optional<double> pixelAuroc;
    std::optional<double> aupro; // up to 30 % FPR, normalised (core/metrics aupro)
    std::optional<double> f1Max;
    double f1Threshold = 0.0; // where f1Max is reached; meaningful only with f1Max
    int nGood = 0; // scored images per truth
    int nDefective = 0;
    int nWithMask = 0; // scored defective images with a ground-truth mask
    int nReviewed = 0; // images counted whose truth came from a reviewer
    int nUnknown = 0; // scored images left out for lack of truth
    std::optional<double> msPerImage; // RunRecord::msPerImage
    double trainSeconds = 0.0; // the run's model's ModelRecord::trainSeconds
};

// One line of the models list, with the rules every view of a model shares.
struct ModelSummary {
    ModelRecord model;
    std::optional<RunRecord> latestRun; // its latest finished scoring run
    // The threshold verdicts use: the user's chosen one (ProjectFile::chosenThreshold), else
    // the latest run's, else the one training set.
    double threshold = 0.0;
    bool thresholdChosen = false;
    // Image AUROC of the latest run against effectiveTruth; empty unless its images hold
    // both good and defective ones.
    std::optional<double> imageAuroc;
};

// Every model of the project, oldest first.
std::vector<ModelSummary> modelSummaries(const ProjectFile& project);
ModelSummary modelSummary(const ProjectFile& project, const ModelRecord& model);

// The scores of run runId's results. Throws ds::Error when the project has no such run.
RunScores runScores(const ProjectFile& project, std::int64_t runId);

// Metrics of run runId, against effectiveTruth; images of unknown truth are left out.
// Pixel metrics take every scored good image (all pixels good, whatever its mask says) and
// every defective image with a mask (defective images without one are left out: their
// pixels' truth is unknown); any non-zero mask value is a defect pixel. Each heatmap is resized to its image's aspect ratio and mask
// and heatmap are compared at a working size of at most 256 px on the long side (the
// image's own size when smaller): the field compares at mask resolution, but full-size
// maps of many large images would not fit in memory, and at 256 px the metrics change
// in the third decimal. Masks are shrunk by nearest neighbour, so they stay binary.
// job (optional) reports progress while heatmaps are read and is checked for cancellation
// (ds::Cancelled). Throws ds::Error when the project has no such run.
RunMetrics computeRunMetrics(const ProjectFile& project, std::int64_t runId, JobContext* job = nullptr);

} // namespace ds
