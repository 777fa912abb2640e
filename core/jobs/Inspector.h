#pragma once
#include "core/detectors/Detector.h"

#include <opencv2/core.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace ds {

// One part inspected on its own, outside any run: nothing is written to the project.
struct InspectionResult {
    cv::Mat imageRgb; // CV_32FC3 RGB in [0, 1], the image as loaded (loadImageRgb)
    cv::Mat anomalyMap; // CV_32F in score units, resized to the image's size
    double score = 0.0; // the detector's image score
    double threshold = 0.0; // the model's threshold
    bool defect = false; // score >= threshold
    double milliseconds = 0.0; // decoding and prediction
};

// A trained model of a project, ready to inspect single images. The constructor reads
// everything it needs and closes the project, so an Inspector may be created on one
// thread and used on another. Not thread-safe: one thread uses it at a time.
class Inspector {
public:
    // Throws ds::InputError when the project or the model cannot be read (unknown model,
    // damaged state), ds::Error for other storage failures.
    Inspector(const std::string& projectPath, std::int64_t modelId);
    ~Inspector();
    Inspector(const Inspector&) = delete;
    Inspector& operator=(const Inspector&) = delete;

    const std::string& projectPath() const { return projectPath_; }
    std::int64_t modelId() const { return modelId_; }
    double threshold() const { return threshold_; }
    const DetectorSettings& settings() const { return detector_->settings(); }
    // Time the constructor took to read and load the model.
    double loadSeconds() const { return loadSeconds_; }

    // Scores one image file the way a run does (same resizing, same score). Throws
    // ds::InputError naming the path when the file is not a readable image.
    InspectionResult inspect(const std::string& imagePath);

private:
    std::string projectPath_;
    std::int64_t modelId_ = 0;
    double threshold_ = 0.0;
    double loadSeconds_ = 0.0;
    std::unique_ptr<Detector> detector_;
};

} // namespace ds
