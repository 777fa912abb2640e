#pragma once
#include "core/detectors/Detector.h"
#include "core/jobs/JobContext.h"

#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace ds {

// A file that could not be used, and why; jobs list these and carry on.
struct SkippedFile {
    std::string path;
    std::string reason;
};

struct LoadedImages {
    std::vector<cv::Mat> images; // CV_32FC3 RGB [0, 1], as modelInputImage() makes them
    std::vector<size_t> sourceIndices; // index into the paths given, per loaded image
    std::vector<cv::Size> originalSizes; // each loaded image's size in its file
    std::vector<SkippedFile> skipped;
};

// Loads and resizes every readable image for a model of these settings; an unreadable one
// is recorded in skipped instead of aborting (the caller lists them once, when done). Checks for
// cancellation between files. sha256s (one per path, or none): the project's content
// hashes, so a file changed since import is skipped with that reason.
LoadedImages loadImagesForModel(const std::vector<std::string>& paths, const DetectorSettings& settings, JobContext& job,
                                const std::string& stage, const std::vector<std::string>& sha256s = {});

// Peak resident memory of this process so far, in MiB.
double peakResidentMegabytes();

} // namespace ds
