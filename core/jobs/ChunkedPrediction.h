#pragma once
#include "core/detectors/Detector.h"
#include "core/jobs/JobContext.h"

#include <functional>

namespace ds {

// Scores images a few at a time so cancellation is noticed within a chunk and results
// can be used (stored, shown) as they come. onChunk gets the index of the chunk's first
// image and its results; the stage is reported as progress within the current span.
void predictInChunks(Detector& detector, const std::vector<cv::Mat>& images, JobContext& job, const std::string& stage,
                     const std::function<void(size_t first, std::vector<AnomalyResult>& results)>& onChunk);

} // namespace ds
