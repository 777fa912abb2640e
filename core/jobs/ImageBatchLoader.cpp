#include "core/jobs/ImageBatchLoader.h"

#include "core/Error.h"
#include "core/data/ImageIO.h"

#include <sys/resource.h>

namespace ds {

LoadedImages loadImagesForModel(const std::vector<std::string>& paths, const DetectorSettings& settings, JobContext& job,
                                const std::string& stage, const std::vector<std::string>& sha256s)
{
    LoadedImages loaded;
    for (size_t i = 0; i < paths.size(); ++i) {
        job.throwIfCancelled();
        try {
            const cv::Mat image = loadImageRgb(paths[i], sha256s.empty() ? std::string() : sha256s[i]);
            loaded.images.push_back(modelInputImage(image, settings));
            loaded.sourceIndices.push_back(i);
            loaded.originalSizes.push_back(image.size());
        } catch (const InputError& e) {
            loaded.skipped.push_back({paths[i], e.what()});
        }
        job.report(double(i + 1) / double(paths.size()), stage);
    }
    return loaded;
}

double peakResidentMegabytes()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0; // Linux reports KiB
}

} // namespace ds
