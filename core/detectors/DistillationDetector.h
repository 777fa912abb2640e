#pragma once
// Internal to core: includes torch. What the student-teacher methods share.
#include "core/backbones/Backbone.h"
#include "core/components/TensorImage.h"
#include "core/detectors/ArchivedDetector.h"
#include "core/networks/TrainingLoop.h"

namespace ds {

// A frozen teacher (the backbone setting: nothing is downloaded, a pretrained one comes
// as a TorchScript file) gives a feature pyramid; a student network learns, on the good
// images alone, to give the same descriptors. It learns them only for what good parts
// look like: where the student strays from the teacher, the image holds something it
// never saw. Per level the distance is 1 - the cosine of the two descriptors (half the
// squared distance of unit-length ones, the training loss too); a method says what its
// student sees and how levels combine into the map. The image score is the map's maximum.
class DistillationDetector : public ArchivedDetector {
public:
    void fit(const std::vector<cv::Mat>& goodImages, JobContext& job) final;
    std::vector<AnomalyResult> predict(const std::vector<cv::Mat>& images) final;
    void loadState(torch::serialize::InputArchive& archive) final;

protected:
    DistillationDetector(const DetectorSettings& settings, NetworkBudget budget);

    // Builds the student (seeded from settings_) for a teacher with these channels per
    // level, finest first; the method keeps it for studentMaps().
    virtual std::shared_ptr<torch::nn::Module> buildStudent(const std::vector<int64_t>& teacherChannels) = 0;
    // The student's maps at the teacher's sizes, from the input batch and the teacher's maps.
    virtual std::vector<torch::Tensor> studentMaps(const torch::Tensor& input, const std::vector<torch::Tensor>& teacher) = 0;
    // One B x h x w map from the levels' distances, each already at the finest level's size.
    virtual torch::Tensor combineLevels(const std::vector<torch::Tensor>& distances) const = 0;

    bool isFitted() const final { return fitted_; }
    void writeState(torch::serialize::OutputArchive& archive) const final;

private:
    torch::Tensor batchOf(const std::vector<cv::Mat>& images, const cv::Size& size) const;
    void buildStudentForTeacher();
    void adaptTeacher(const std::vector<cv::Mat>& goodImages, JobContext& job);
    void fitImages(const std::vector<cv::Mat>& goodImages, JobContext& job);
    std::vector<AnomalyResult> predictImages(const std::vector<cv::Mat>& images);

    NetworkBudget budget_;
    InputNormalisation normalisation_;
    std::unique_ptr<Backbone> teacher_;
    std::shared_ptr<torch::nn::Module> student_;
    InputGeometry geometry_;
    bool fitted_ = false;
};

} // namespace ds
