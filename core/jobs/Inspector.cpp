#include "core/jobs/Inspector.h"

#include "core/Error.h"
#include "core/data/ImageIO.h"
#include "core/storage/ProjectFile.h"

#include <opencv2/imgproc.hpp>

#include <chrono>

namespace ds {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

} // namespace

Inspector::Inspector(const std::string& projectPath, std::int64_t modelId)
    : projectPath_(projectPath)
    , modelId_(modelId)
{
    const Clock::time_point start = Clock::now();
    const ProjectFile project = ProjectFile::open(projectPath);
    const std::optional<ModelRecord> model = project.model(modelId);
    if (!model)
        throw InputError(projectPath + " has no model " + std::to_string(modelId));
    threshold_ = model->threshold;
    try {
        detector_ = loadDetector(project.modelState(modelId));
    } catch (const InputError& e) {
        throw InputError("model " + std::to_string(modelId) + " of " + projectPath + ": " + e.what());
    }
    loadSeconds_ = secondsSince(start);
}

Inspector::~Inspector() = default;

InspectionResult Inspector::inspect(const std::string& imagePath)
{
    const Clock::time_point start = Clock::now();
    InspectionResult result;
    // Reading the project's own file would drop this process's locks on it (see isProjectDatabaseFile).
    if (isProjectDatabaseFile(imagePath, projectPath_))
        throw InputError(imagePath + ": is the project file, not an image");
    result.imageRgb = loadImageRgb(imagePath);
    // The same resizing as a run (loadImagesForModel), so a part scores here what it
    // would score once imported and scored with the model.
    const AnomalyResult predicted = detector_->predict(modelInputImage(result.imageRgb, detector_->settings()));
    result.milliseconds = 1000.0 * secondsSince(start);
    cv::resize(predicted.anomalyMap, result.anomalyMap, result.imageRgb.size(), 0, 0, cv::INTER_LINEAR);
    result.score = predicted.score;
    result.threshold = threshold_;
    result.defect = result.score >= threshold_;
    return result;
}

} // namespace ds
