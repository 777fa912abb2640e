#pragma once
// Internal to core: includes torch. What the methods that train a network on a frozen
// teacher's features share (student-teacher distillation, normalising flows).
#include "core/backbones/Backbone.h"
#include "core/components/TensorImage.h"
#include "core/detectors/ArchivedDetector.h"
#include "core/networks/TrainingLoop.h"

#include <functional>

namespace ds {

// A frozen teacher (the backbone setting: nothing is downloaded, a pretrained one comes
// as a TorchScript file) gives a feature pyramid, and a network learns, on the good images
// alone, what the teacher gives for them: a student imitates its descriptors, a decoder
// rebuilds them, a flow learns their density. It learns them only for what good parts
// look like: where the network fails on the teacher's features, the image holds something
// it never saw. A method says what its network is, what training minimises, how far it
// fails per level and how levels combine into the map. The image score is the map's
// maximum. Training sees crops; an input larger than them is scored in overlapping
// windows of the crops' size (a deep teacher's features far from any border are unlike
// any in training: a decoder's image AUROC on shape-kept fabric crops 0.611, windowed 0.771).
class FeatureNetworkDetector : public ArchivedDetector {
public:
    void fit(const std::vector<cv::Mat>& goodImages, JobContext& job) final;
    std::vector<AnomalyResult> predict(const std::vector<cv::Mat>& images) final;
    void loadState(torch::serialize::InputArchive& archive) final;

protected:
    // stage and curve name the training run and its loss curve in the job's log.
    FeatureNetworkDetector(const DetectorSettings& settings, NetworkBudget budget, std::string stage, std::string curve);

    // Builds the network (seeded from settings_) for a teacher with these channels per
    // level, finest first; the method keeps it. Whatever the method learns about good
    // images belongs in the network's buffers, so it is saved with it.
    virtual std::shared_ptr<torch::nn::Module> buildNetwork(const std::vector<int64_t>& teacherChannels) = 0;
    // What training minimises on a batch of crops, given the teacher's maps; by default the
    // sum over levels of the mean distance.
    virtual torch::Tensor trainingLoss(const torch::Tensor& input, const std::vector<torch::Tensor>& teacher);
    // Per level, B x h x w at the level's size: how far the network fails on the teacher's features.
    virtual std::vector<torch::Tensor> levelDistances(const torch::Tensor& input, const std::vector<torch::Tensor>& teacher) = 0;
    // One B x h x w map from the levels' distances, each already at the finest level's size.
    virtual torch::Tensor combineLevels(const std::vector<torch::Tensor>& distances) const = 0;
    // After training, what the method learns from the good images themselves (nothing by default).
    virtual void calibrate(const std::vector<cv::Mat>& goodImages, JobContext& job);

    // Per level, 1 - the cosine of the teacher's and the student's descriptors.
    static std::vector<torch::Tensor> cosineDistances(const std::vector<torch::Tensor>& teacher,
                                                      const std::vector<torch::Tensor>& student);
    // Runs the teacher over images in batches of one input size, each input cut into the
    // windows the network was trained on: visit(first, end, input, teacher maps), once per
    // window, so possibly several times for the same images.
    void
    forEachBatch(const std::vector<cv::Mat>& images, JobContext* job, const std::string& stage,
                 const std::function<void(size_t, size_t, const torch::Tensor&, const std::vector<torch::Tensor>&)>& visit) const;

    bool isFitted() const final { return fitted_; }
    void writeState(torch::serialize::OutputArchive& archive) const final;

private:
    // Where one window lies in its batch's input of inputSize; last: the batch's last window.
    struct Window {
        cv::Rect area;
        cv::Size inputSize;
        bool last = true;
    };
    using WindowVisit
        = std::function<void(size_t, size_t, const Window&, const torch::Tensor&, const std::vector<torch::Tensor>&)>;
    void forEachWindow(const std::vector<cv::Mat>& images, JobContext* job, const std::string& stage,
                       const WindowVisit& visit) const;
    std::vector<cv::Rect> windowsOf(const cv::Size& inputSize) const;
    torch::Tensor batchOf(const std::vector<cv::Mat>& images, const cv::Size& size) const;
    void buildNetworkForTeacher();
    void adaptTeacher(const std::vector<cv::Mat>& goodImages, JobContext& job);
    void fitImages(const std::vector<cv::Mat>& goodImages, JobContext& job);
    std::vector<AnomalyResult> predictImages(const std::vector<cv::Mat>& images);

    NetworkBudget budget_;
    TrainingPlan training_;
    InputNormalisation normalisation_;
    std::unique_ptr<Backbone> teacher_;
    std::shared_ptr<torch::nn::Module> network_;
    InputGeometry geometry_;
    // The side of the training crops: a larger input is scored in overlapping windows of it,
    // so the network sees what it was trained on (0: whole inputs, as models saved before).
    int window_ = 0;
    bool fitted_ = false;
};

} // namespace ds
