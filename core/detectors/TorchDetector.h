#pragma once
// Internal to core: the shared machinery of detectors that score backbone features.
#include "core/backbones/Backbone.h"
#include "core/components/TensorImage.h"
#include "core/detectors/ArchivedDetector.h"

namespace ds {

// Parameters every TorchDetector method offers (listed in its DetectorInfo).
std::vector<ParameterSpec> sharedTorchParameters();

// Runs the backbone over batches (progress, cancellation, device placement) and frames
// the saved state; a method supplies how features are aggregated, fitted and scored.
class TorchDetector : public ArchivedDetector {
public:
    void fit(const std::vector<cv::Mat>& goodImages, JobContext& job) final;
    std::vector<AnomalyResult> predict(const std::vector<cv::Mat>& images) final;
    void loadState(torch::serialize::InputArchive& archive) final;

protected:
    explicit TorchDetector(DetectorSettings settings);

    // Called at the start of every fit(), before the first aggregate().
    virtual void resetFit() { }
    // Whether the method compares features place by place (then every image goes to the
    // backbone at one size, with shapes kept the typical training image's).
    virtual bool alignsPositions() const { return false; }
    // Method-specific features of a batch from the backbone's maps: B x C x h x w.
    virtual torch::Tensor aggregate(const std::vector<torch::Tensor>& maps) = 0;
    // Fitting: called once before the first batch, per batch, and once at the end.
    virtual void beginFit(int64_t imageCount, int64_t channels, int64_t height, int64_t width) = 0;
    virtual void accumulate(const torch::Tensor& features) = 0;
    virtual void finishFit(JobContext& job) = 0;
    // Share of the fit's progress bar taken by feature extraction (the rest is finishFit).
    virtual double extractionShare() const { return 0.9; }

    struct PatchScores {
        torch::Tensor maps; // B x h x w patch scores
        torch::Tensor imageWeights; // B; multiplies each image's map maximum
        torch::Tensor imageScores; // B; when defined, the image scores themselves (weights unused)
    };
    virtual PatchScores score(const torch::Tensor& features) = 0;

    virtual void writeStatistics(torch::serialize::OutputArchive& archive) const = 0;
    virtual void readStatistics(torch::serialize::InputArchive& archive) = 0;

    bool isFitted() const final { return fitted_; }
    void writeState(torch::serialize::OutputArchive& archive) const final;

private:
    void ensureBackbone();
    torch::Tensor batchOf(const std::vector<cv::Mat>& images, const cv::Size& size) const;
    void fitImages(const std::vector<cv::Mat>& goodImages, JobContext& job);
    std::vector<AnomalyResult> predictImages(const std::vector<cv::Mat>& images);
    void forEachBatch(const std::vector<cv::Mat>& images, JobContext& job, const std::string& stage,
                      const std::function<void(std::vector<torch::Tensor>)>& consume);

    std::unique_ptr<Backbone> backbone_;
    InputNormalisation normalisation_ = InputNormalisation::ImageNet;
    InputGeometry geometry_;
    bool fitted_ = false;
};

} // namespace ds
