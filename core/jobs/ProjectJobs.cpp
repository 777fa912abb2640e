#include "core/jobs/ProjectJobs.h"

#include "core/Error.h"
#include "core/data/ImageIO.h"
#include "core/jobs/ChunkedPrediction.h"
#include "core/metrics/Threshold.h"
#include "core/review/GroundTruth.h"
#include "core/storage/ContentHash.h"
#include "core/storage/ProjectFile.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

namespace ds {
namespace {

std::string modelNameFor(const DetectorSettings& settings)
{
    const std::string backbone = std::filesystem::path(settings.backbone).filename().string();
    return detectorInfo(settings.method).title + " / " + backbone + " / " + std::to_string(settings.imageSize) + " px";
}

} // namespace

namespace {

// An image checked and hashed before any write, so the write transaction stays short.
struct CheckedImage {
    ImageRecord record;
    cv::Mat mask; // CV_8U at the image size, decoded before writing; empty for none
};

// The project's own files are refused unread: reading one would drop this process's locks on
// the project (see isProjectDatabaseFile).
void refuseProjectDatabaseFile(const std::string& file, const std::string& projectPath)
{
    if (isProjectDatabaseFile(file, projectPath))
        throw InputError(file + ": is the project file " + projectPath + " (or SQLite's file beside it), not an image");
}

std::vector<CheckedImage> checkImages(const std::vector<DatasetItem>& items, Split split, const std::string& projectPath,
                                      JobContext& job, ImportReport& report)
{
    std::vector<CheckedImage> checked;
    for (size_t i = 0; i < items.size(); ++i) {
        job.throwIfCancelled();
        job.report(double(i) / double(items.size()), "Checking images");
        const DatasetItem& item = items[i];
        try {
            refuseProjectDatabaseFile(item.path, projectPath);
            const cv::Mat image = loadImageRgb(item.path);
            CheckedImage entry;
            entry.record.path = std::filesystem::absolute(item.path).string();
            entry.record.sha256 = sha256HexOfFile(item.path);
            entry.record.width = image.cols;
            entry.record.height = image.rows;
            entry.record.split = split;
            entry.record.label = item.label;
            checked.push_back(std::move(entry));
        } catch (const Error& e) {
            report.skipped.push_back({item.path, e.what()});
            continue;
        }
        // Masks are decoded here too, so the write transaction holds the lock only to write.
        if (item.maskPath.empty())
            continue;
        try {
            refuseProjectDatabaseFile(item.maskPath, projectPath);
            const cv::Mat mask = loadMask(item.maskPath);
            const ImageRecord& record = checked.back().record;
            requireMaskFits(mask, cv::Size(record.width, record.height), item.maskPath);
            checked.back().mask = mask;
        } catch (const InputError& e) {
            report.skipped.push_back({item.maskPath, e.what()});
        }
    }
    return checked;
}

// Writes checked images (and their masks) in one transaction: all or nothing.
void storeImages(ProjectFile& project, const std::vector<CheckedImage>& images, JobContext& job, ImportReport& report)
{
    ProjectFile::Transaction transaction(project);
    for (const CheckedImage& image : images) {
        job.throwIfCancelled();
        const AddImageResult added = project.addImage(image.record);
        report.imageIds.push_back(added.id);
        if (!added.inserted) {
            ++report.duplicates;
            continue;
        }
        ++report.added;
        if (!image.mask.empty())
            project.setMask(added.id, image.mask);
    }
    transaction.commit();
}

} // namespace

ImportReport importImages(const std::string& projectPath, const std::vector<DatasetItem>& items, Split split, JobContext& job)
{
    ImportReport report;
    std::vector<CheckedImage> checked;
    {
        JobContext::Span span(job, 0.0, 0.9);
        checked = checkImages(items, split, projectPath, job, report);
    }
    ProjectFile project = ProjectFile::openOrCreate(projectPath);
    job.report(0.9, "Storing images");
    storeImages(project, checked, job, report);
    job.report(1.0, "Imported");
    return report;
}

namespace {

// Each defect class of the images (an MVTec test/<class> folder other than good) becomes the
// defect type of that name, the one the project has or a new one, and the masks of its
// images take that type. A class whose name cannot name a type (e.g. "untyped") keeps
// untyped masks, and says so in the log.
void typeMasksByClass(ProjectFile& project, std::vector<CheckedImage>& images, JobContext& job)
{
    std::map<std::string, std::optional<int>> typeOfClass;
    for (CheckedImage& image : images) {
        const std::string& label = image.record.label;
        if (label == kGoodLabel || label == kUnknownLabel)
            continue;
        if (!typeOfClass.count(label)) {
            const std::vector<DefectType> types = project.defectTypes();
            const auto existing
                = std::find_if(types.begin(), types.end(), [&](const DefectType& type) { return type.name == label; });
            try {
                typeOfClass[label]
                    = existing != types.end() ? existing->id : project.addDefectType(label, unusedDefectTypeColour(types));
            } catch (const InputError& e) {
                typeOfClass[label] = std::nullopt;
                job.log("masks of class '" + label + "' stay untyped: " + e.what());
            }
        }
        if (const std::optional<int> type = typeOfClass[label]; type && !image.mask.empty())
            image.mask.setTo(*type, image.mask != 0);
    }
}

} // namespace

ImportReport importMvtecDataset(const std::string& projectPath, const std::string& root, JobContext& job)
{
    const MvtecDataset dataset = readMvtecDataset(root);
    ImportReport report;
    std::vector<CheckedImage> checked, test;
    {
        JobContext::Span span(job, 0.0, 0.45);
        checked = checkImages(dataset.train, Split::Train, projectPath, job, report);
    }
    {
        JobContext::Span span(job, 0.45, 0.9);
        test = checkImages(dataset.test, Split::Test, projectPath, job, report);
    }
    checked.insert(checked.end(), std::make_move_iterator(test.begin()), std::make_move_iterator(test.end()));
    ProjectFile project = ProjectFile::openOrCreate(projectPath);
    job.report(0.9, "Storing images");
    ProjectFile::Transaction transaction(project); // the defect types with the images, or neither
    typeMasksByClass(project, checked, job);
    storeImages(project, checked, job, report);
    transaction.commit();
    job.report(1.0, "Imported");
    return report;
}

TrainOutcome trainModel(const std::string& projectPath, const DetectorSettings& settings, const std::string& name,
                        JobContext& job, const std::vector<std::int64_t>& moveToTraining)
{
    ProjectFile project = ProjectFile::open(projectPath);
    std::vector<ImageRecord> records = project.images(Split::Train);
    for (const std::int64_t id : moveToTraining) {
        std::optional<ImageRecord> record = project.image(id);
        if (!record)
            throw InputError("the project has no image " + std::to_string(id));
        if (record->split != Split::Train)
            records.push_back(std::move(*record));
    }
    std::vector<std::string> trainPaths, heldOutPaths, trainHashes, heldOutHashes;
    const size_t heldOutTarget = records.size() >= 4 ? std::max<size_t>(1, records.size() / 10) : 0;
    const size_t stride = heldOutTarget ? records.size() / heldOutTarget : 0; // spread over the set
    for (size_t i = 0; i < records.size(); ++i) {
        const bool holdOut = stride && i % stride == stride - 1 && heldOutPaths.size() < heldOutTarget;
        (holdOut ? heldOutPaths : trainPaths).push_back(records[i].path);
        (holdOut ? heldOutHashes : trainHashes).push_back(records[i].sha256);
    }

    TrainOutcome outcome;
    std::unique_ptr<Detector> detector = createDetector(settings);
    LoadedImages train, heldOut;
    {
        JobContext::Span span(job, 0.0, 0.13);
        train = loadImagesForModel(trainPaths, settings, job, "Loading training images", trainHashes);
    }
    {
        JobContext::Span span(job, 0.13, 0.15);
        heldOut = loadImagesForModel(heldOutPaths, settings, job, "Loading held-out images", heldOutHashes);
    }
    outcome.skipped = train.skipped;
    outcome.skipped.insert(outcome.skipped.end(), heldOut.skipped.begin(), heldOut.skipped.end());
    outcome.trainCount = int(train.images.size());
    outcome.heldOutCount = int(heldOut.images.size());
    if (train.images.size() < 2)
        throw InputError("training needs at least 2 readable good images in the project's training set");

    const auto start = std::chrono::steady_clock::now();
    {
        JobContext::Span span(job, 0.15, 0.95);
        detector->fit(train.images, job);
    }
    outcome.trainSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    job.throwIfCancelled();
    job.report(0.95, "Calibrating threshold");
    // Without held-out images the threshold comes from training images, which the model
    // has seen: it is then too low, and says so in the log.
    const std::vector<cv::Mat>& calibration = heldOut.images.empty() ? train.images : heldOut.images;
    if (heldOut.images.empty())
        job.log("too few images to hold some out: threshold calibrated on training images (likely too low)");
    std::vector<float> scores;
    {
        JobContext::Span span(job, 0.95, 1.0);
        predictInChunks(*detector, calibration, job, "Calibrating threshold", [&](size_t, std::vector<AnomalyResult>& results) {
            for (const AnomalyResult& result : results)
                scores.push_back(result.score);
        });
    }
    outcome.threshold = goodImagesThreshold(scores);
    job.throwIfCancelled();

    ModelRecord model;
    model.name = name.empty() ? modelNameFor(settings) : name;
    model.method = settings.method;
    model.paramsJson = detector->settings().toJson(); // every parameter's value, defaults included
    model.backbone = settings.backbone;
    model.state = detector->saveState();
    model.trainSeconds = outcome.trainSeconds;
    model.nTrain = outcome.trainCount;
    model.nHeldOut = outcome.heldOutCount;
    model.threshold = outcome.threshold;
    ProjectFile::Transaction transaction(project);
    if (!moveToTraining.empty())
        project.setSplit(moveToTraining, Split::Train);
    outcome.modelId = project.addModel(model);
    transaction.commit();
    job.report(1.0, "Model saved");
    return outcome;
}

namespace {

ModelRecord storedModel(const ProjectFile& project, std::int64_t modelId)
{
    std::optional<ModelRecord> model = project.model(modelId);
    if (!model)
        throw InputError("the project has no model " + std::to_string(modelId));
    return std::move(*model);
}

// Scores targets into the run, then finishes it Done. On failure or cancel a new run is
// removed with every result written for it; a resumed run goes back to Interrupted with
// the results it had, so it can be resumed again.
InferOutcome scoreIntoRun(ProjectFile& project, const ModelRecord& model, std::int64_t runId,
                          const std::vector<ImageRecord>& targets, bool resumed, JobContext& job,
                          const std::function<void(const ResultRecord&)>& onResult)
{
    std::unique_ptr<Detector> detector = loadDetector(project.modelState(model.id));
    InferOutcome outcome;
    outcome.threshold = model.threshold;
    outcome.runId = runId;
    std::chrono::steady_clock::duration predicting {};
    try {
        constexpr size_t kChunk = 8;
        for (size_t start = 0; start < targets.size(); start += kChunk) {
            job.throwIfCancelled();
            std::vector<std::string> paths, hashes;
            const size_t end = std::min(targets.size(), start + kChunk);
            for (size_t i = start; i < end; ++i) {
                paths.push_back(targets[i].path);
                hashes.push_back(targets[i].sha256);
            }
            JobContext quiet; // per-chunk loading reports nothing; the chunk loop does
            LoadedImages loaded = loadImagesForModel(paths, detector->settings(), quiet, {}, hashes);
            outcome.skipped.insert(outcome.skipped.end(), loaded.skipped.begin(), loaded.skipped.end());
            const auto predictStart = std::chrono::steady_clock::now();
            const std::vector<AnomalyResult> results = detector->predict(loaded.images);
            predicting += std::chrono::steady_clock::now() - predictStart;
            for (size_t i = 0; i < results.size(); ++i) {
                ResultRecord record;
                record.runId = runId;
                record.imageId = targets[start + loaded.sourceIndices[i]].id;
                record.score = results[i].score;
                record.heatmap = results[i].anomalyMap;
                record.threshold = model.threshold;
                project.addResult(record);
                ++outcome.scored;
                if (onResult)
                    onResult(record);
            }
            job.report(double(end) / double(targets.size()), "Scoring images");
        }
        job.throwIfCancelled();
        std::optional<double> msPerImage;
        if (outcome.scored > 0)
            msPerImage = std::chrono::duration<double, std::milli>(predicting).count() / outcome.scored;
        project.finishRun(runId, RunStatus::Done, msPerImage);
    } catch (const std::exception& failure) {
        // The run must not survive half-written; if even the discard fails (disk full),
        // the run is at least marked, and the original error is what the user sees.
        const RunStatus marked = resumed               ? RunStatus::Interrupted
            : dynamic_cast<const Cancelled*>(&failure) ? RunStatus::Cancelled
                                                       : RunStatus::Failed;
        try {
            if (resumed)
                project.finishRun(runId, marked);
            else
                project.discardRun(runId);
        } catch (const std::exception&) {
            try {
                project.finishRun(runId, marked);
            } catch (const std::exception&) {
            }
        }
        throw;
    }

    // Ground truth for the F1-optimal threshold over the whole run; images of unknown
    // truth cannot inform it.
    const std::map<std::int64_t, ImageTruth> truth = effectiveTruth(project);
    std::vector<float> scores;
    std::vector<int> labels;
    for (const ResultRecord& result : project.results(runId, ProjectFile::Heatmaps::Skip)) {
        const auto found = truth.find(result.imageId);
        if (found != truth.end() && found->second.defective) {
            scores.push_back(float(result.score));
            labels.push_back(*found->second.defective ? 1 : 0);
        }
    }
    const auto defects = std::count(labels.begin(), labels.end(), 1);
    if (defects > 0 && defects < long(labels.size()))
        outcome.f1Threshold = f1OptimalThreshold(scores, labels);
    return outcome;
}

} // namespace

InferOutcome inferImages(const std::string& projectPath, std::int64_t modelId, const std::vector<std::int64_t>& imageIds,
                         JobContext& job, const std::function<void(const ResultRecord&)>& onResult)
{
    ProjectFile project = ProjectFile::open(projectPath);
    const ModelRecord model = storedModel(project, modelId);
    std::vector<ImageRecord> targets;
    if (imageIds.empty()) {
        targets = project.images(Split::Test);
        if (targets.empty()) // an empty run would look like a finished one
            throw InputError("the project has no test images to score: import some first");
    } else {
        for (std::int64_t id : imageIds) {
            std::optional<ImageRecord> record = project.image(id);
            if (!record)
                throw InputError("the project has no image " + std::to_string(id));
            targets.push_back(*record);
        }
    }
    return scoreIntoRun(project, model, project.beginRun(modelId, model.threshold), targets, false, job, onResult);
}

InferOutcome resumeRun(const std::string& projectPath, std::int64_t runId, JobContext& job,
                       const std::function<void(const ResultRecord&)>& onResult)
{
    ProjectFile project = ProjectFile::open(projectPath);
    const std::optional<RunRecord> run = project.run(runId);
    if (!run)
        throw InputError("the project has no run " + std::to_string(runId));
    if (run->status != RunStatus::Interrupted)
        throw InputError("run " + std::to_string(runId) + " is " + runStatusName(run->status)
                         + ", not interrupted: only an interrupted run can be resumed");
    const ModelRecord model = storedModel(project, run->modelId);
    std::set<std::int64_t> scored;
    for (const ResultRecord& result : project.results(runId, ProjectFile::Heatmaps::Skip))
        scored.insert(result.imageId);
    std::vector<ImageRecord> targets;
    for (const ImageRecord& image : project.images(Split::Test))
        if (!scored.count(image.id))
            targets.push_back(image);
    project.resumeRun(runId);
    return scoreIntoRun(project, model, runId, targets, true, job, onResult);
}

} // namespace ds
