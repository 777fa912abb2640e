#pragma once
#include "core/jobs/JobContext.h"

#include <opencv2/core.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ds {

// What a detector says about one image.
struct AnomalyResult {
    cv::Mat anomalyMap; // CV_32F, imageSize x imageSize (whatever the image's shape), higher = more anomalous
    float score = 0.f; // image-level anomaly score (see each method's README)
};

// Everything that defines a model before training; stored with the model as JSON.
struct DetectorSettings {
    std::string method = "synthanomaly"; // the best measured offline (docs/BENCHMARKS.md)
    std::string backbone = "filterbank"; // builtin name or path to a TorchScript file (docs/BENCHMARKS.md)
    int imageSize = 256; // images are resized to imageSize x imageSize, or to as many pixels
    bool keepAspectRatio = false; // true: every image at one common scale, its shape kept
    // true: fit() sets keepAspectRatio from the training images (shape kept when their
    // typical shape is far from square, where squashing loses thin defects)
    bool automaticAspect = true;
    uint64_t seed = 0; // backbone initialisation, channel subsets, sampling
    bool adaptBatchNorm = false; // re-estimate a builtin backbone's BatchNorm on the good images
    std::map<std::string, double> parameters; // method-specific; createDetector() fills in the defaults

    std::string toJson() const;
    static DetectorSettings fromJson(const std::string& json); // throws ds::InputError
};

// Brings a decoded image to what a model of these settings is given: squashed to
// imageSize x imageSize, or with keepAspectRatio or automaticAspect shrunk (never
// enlarged) to at most 4 x imageSize^2 pixels, shape kept; loaders use it so memory
// stays bounded. (With automaticAspect the model squashes, when it chose to, itself:
// then training and scoring resize alike.)
cv::Mat modelInputImage(const cv::Mat& image, const DetectorSettings& settings);

// With automaticAspect: keeps shapes when the median training image is at least 1.5
// times longer than wide (or the reverse). Detectors call it at the start of fit().
void chooseAspect(DetectorSettings& settings, const std::vector<cv::Mat>& goodImages);

// One tunable parameter of a method, with what the Train dialog shows.
struct ParameterSpec {
    std::string key;
    std::string label;
    std::string tooltip;
    double defaultValue = 0;
    double minimum = 0;
    double maximum = 0;
    bool isInteger = false;
    std::vector<std::string> choices; // integer parameters 0..n-1 with names: shown as a list
};

// Anomaly detector trained on good images only. Not thread-safe: one job uses it at a time.
class Detector {
public:
    virtual ~Detector() = default;
    const DetectorSettings& settings() const { return settings_; }

    // Looks up a parameter of settings(), falling back to the method's default.
    double parameter(const std::string& key) const;

    // goodImages: CV_32FC3 RGB in [0, 1], any size (see modelInputImage()). Reports
    // progress through job and throws ds::Cancelled within about a second of job.cancel().
    virtual void fit(const std::vector<cv::Mat>& goodImages, JobContext& job) = 0;
    // Same image format as fit(); must be called after fit() or loadDetector().
    virtual std::vector<AnomalyResult> predict(const std::vector<cv::Mat>& images) = 0;
    AnomalyResult predict(const cv::Mat& image) { return predict(std::vector<cv::Mat> {image}).front(); }
    // Self-contained bytes (settings, backbone weights, statistics) for loadDetector().
    virtual std::vector<uint8_t> saveState() const = 0;

protected:
    explicit Detector(DetectorSettings settings)
        : settings_(std::move(settings))
    {
    }
    DetectorSettings settings_;
};

// The registry: one entry per method folder under core/detectors/.
struct DetectorInfo {
    std::string method; // key used on the command line and in the project file
    std::string title; // shown in the GUI
    std::string description;
    std::vector<ParameterSpec> parameters;
    std::function<std::unique_ptr<Detector>(const DetectorSettings&)> create;
    // Seconds a network this method trains takes on the reference machine (2 cores, no
    // GPU), from its complete parameters; empty for methods that train none.
    std::function<double(const DetectorSettings&)> networkTrainingSeconds;
    // False for methods that bring their own network (settings.backbone is not used).
    bool usesBackboneSetting = true;
    // True for methods that judge whole images: their map only roughly places a defect.
    bool judgesWholeImages = false;
    // The backbone the method trains with unless the user picks one (measured per method).
    std::string defaultBackbone = DetectorSettings().backbone;
};

const std::vector<DetectorInfo>& detectorRegistry();
const DetectorInfo& detectorInfo(const std::string& method); // throws ds::InputError if unknown
std::unique_ptr<Detector> createDetector(const DetectorSettings& settings);
// About how long training takes here for this many good images: feature extraction or
// image preparation, plus any network the method or backbone trains; scaled by this
// machine's cores (or CUDA). For the Train dialog, before the user commits to it.
double estimatedTrainingSeconds(const DetectorSettings& settings, size_t goodImages);
// Throws ds::InputError when the bytes are not a DefectScope model.
std::unique_ptr<Detector> loadDetector(const std::vector<uint8_t>& state);

} // namespace ds
