#pragma once
// The jobs both front ends run on a project file. Each opens its own connection to the
// project (so it may run on a worker thread) and either completes or leaves the project
// exactly as it was: a cancelled or failed job writes nothing.
#include "core/data/Dataset.h"
#include "core/detectors/Detector.h"
#include "core/jobs/ImageBatchLoader.h"
#include "core/jobs/JobContext.h"
#include "core/ProjectTypes.h"

#include <functional>
#include <optional>

namespace ds {

struct ImportReport {
    int added = 0;
    int duplicates = 0; // same content as an image already in the project
    std::vector<std::int64_t> imageIds; // added or already present, in input order of readable files
    std::vector<SkippedFile> skipped;
};

// Imports image files (each decoded once to validate it and read its size, and hashed,
// before anything is written), with masks for defective items that have one. Unreadable
// files are skipped and listed. All or nothing: the writes form one short transaction.
ImportReport importImages(const std::string& projectPath, const std::vector<DatasetItem>& items, Split split, JobContext& job);
// An MVTec-layout dataset: train/good into Train, test/* into Test with labels and masks.
// Each test/<class> folder other than good becomes the defect type of that name (reused
// when the project has it), and its ground-truth masks take that type.
ImportReport importMvtecDataset(const std::string& projectPath, const std::string& root, JobContext& job);

struct TrainOutcome {
    std::int64_t modelId = 0;
    double trainSeconds = 0;
    double threshold = 0; // from held-out good images (see trainModel)
    int trainCount = 0;
    int heldOutCount = 0;
    std::vector<SkippedFile> skipped;
};

// Trains on the project's Train images. A tenth of them (at least one when there are four
// or more), spread evenly, is held out of training and scored instead: the model's
// default threshold is the 0.99 quantile of those scores, so good parts pass by default.
// moveToTraining: other images (e.g. test images reviewed Good) that join the training
// set; they move to the Train split in the same transaction that stores the model, so a
// cancelled or failed training leaves them where they were.
TrainOutcome trainModel(const std::string& projectPath, const DetectorSettings& settings, const std::string& name,
                        JobContext& job, const std::vector<std::int64_t>& moveToTraining = {});

struct InferOutcome {
    std::int64_t runId = 0;
    double threshold = 0; // the model's threshold, stored with the run
    std::optional<double> f1Threshold; // F1-optimal, when scored images are known good and known defective (effectiveTruth)
    int scored = 0;
    std::vector<SkippedFile> skipped;
};

// Scores images of the project (imageIds, or every Test image when empty) with a stored
// model into a new run. onResult is called after each image is stored (from this thread).
InferOutcome inferImages(const std::string& projectPath, std::int64_t modelId, const std::vector<std::int64_t>& imageIds,
                         JobContext& job, const std::function<void(const ResultRecord&)>& onResult = {});

// Finishes a run a crash or kill interrupted (RunStatus::Interrupted): scores the project's
// Test images it has no result for, keeping the results it has, and finishes it Done.
// Failing or cancelled, it stays Interrupted with what it holds. ds::InputError for an
// unknown run or one that is not interrupted.
InferOutcome resumeRun(const std::string& projectPath, std::int64_t runId, JobContext& job,
                       const std::function<void(const ResultRecord&)>& onResult = {});

} // namespace ds
