#pragma once
// The workbench's long jobs as values for the JobRunner: each reads and writes the project
// through its own connection on the worker thread and sums up what it did as a JobOutcome.
#include "core/detectors/Detector.h"
#include "core/review/ResultsExport.h"
#include "ui/jobs/JobRunner.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ds::ui::jobs {

// Train/good and test/* (with ground truth) of a folder in the MVTec AD layout.
JobRunner::Work importDataset(const QString& project, const QString& folder);
// Every image of a folder of defect-free parts, into the training set.
JobRunner::Work importGoodFolder(const QString& project, const QString& folder);
JobRunner::Work importGoodFiles(const QString& project, const QStringList& files);
// moveToTraining: test images that join the training set if, and only if, training succeeds.
JobRunner::Work train(const QString& project, const ds::DetectorSettings& settings, const QString& name,
                      const std::vector<std::int64_t>& moveToTraining);
// Called on the worker thread for each image as soon as its result is committed.
using ScoredImage = std::function<void(std::int64_t runId, std::int64_t imageId, double score)>;
// A new run of modelId over every test image, or (resumeRunId) the rest of an interrupted run.
JobRunner::Work score(const QString& project, std::int64_t modelId, std::int64_t resumeRunId, ScoredImage scored);
JobRunner::Work exportResults(const QString& project, std::int64_t runId, double threshold,
                              const ds::ResultsExportOptions& options);
// A PDF, or HTML when path ends in .html, on modelId's latest run judged at threshold.
JobRunner::Work writeReport(const QString& project, std::int64_t modelId, double threshold, const QString& path);

} // namespace ds::ui::jobs
