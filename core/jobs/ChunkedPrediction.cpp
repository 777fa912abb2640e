#include "core/jobs/ChunkedPrediction.h"

namespace ds {

void predictInChunks(Detector& detector, const std::vector<cv::Mat>& images, JobContext& job, const std::string& stage,
                     const std::function<void(size_t first, std::vector<AnomalyResult>& results)>& onChunk)
{
    constexpr size_t kChunk = 8;
    for (size_t start = 0; start < images.size(); start += kChunk) {
        job.throwIfCancelled();
        const size_t end = std::min(images.size(), start + kChunk);
        std::vector<AnomalyResult> results
            = detector.predict(std::vector<cv::Mat>(images.begin() + long(start), images.begin() + long(end)));
        onChunk(start, results);
        job.report(double(end) / double(images.size()), stage);
    }
}

} // namespace ds
