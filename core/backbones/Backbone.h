#pragma once
// Internal to core: includes torch. Front ends use BackboneCatalog.h.
#include <torch/script.h>
#include <torch/torch.h>

#include "core/jobs/JobContext.h"

#include <opencv2/core.hpp>

#include <functional>

#include <memory>
#include <string>
#include <vector>

namespace ds {

// A frozen feature extractor returning intermediate feature maps of one batch, finest
// first, each B x Ci x H/si x W/si. The builtin ResNets return layer1, layer2, layer3
// (strides 4, 8, 16); a TorchScript file returns at least two. PaDiM concatenates every
// map on the finest grid; PatchCore on the grid of the second-deepest.
// Input: B x 3 x H x W float, RGB normalised with the ImageNet mean/std, on device().
class Backbone {
public:
    virtual ~Backbone() = default;
    virtual std::string name() const = 0;
    virtual std::vector<torch::Tensor> extract(const torch::Tensor& batch) = 0;
    virtual void to(const torch::Device& device) = 0;
    // Re-estimates BatchNorm running statistics on the user's good images: between
    // beginNormalisationPass() and endNormalisationPass(), extract() runs in training mode
    // and averages every batch's statistics. Random-init BatchNorm otherwise normalises
    // with mean 0 / variance 1, which leaves some channels saturated and others silent.
    // Extractors without such layers (or whose statistics are pretrained) ignore it.
    virtual bool supportsNormalisationPass() const { return false; }
    virtual void beginNormalisationPass() { }
    virtual void endNormalisationPass() { }
    // A backbone that learns from the user's good images (the self-supervised one) does so
    // here, once, before any feature is extracted. images: CV_32FC3 RGB at the model's
    // input scale; toBatch turns images of one size into what extract() takes (the
    // detector's normalisation); steps: training steps, 0 for the backbone's default.
    // Reports progress and honours cancellation through job.
    using BatchMaker = std::function<torch::Tensor(const std::vector<cv::Mat>&)>;
    virtual bool learnsFromImages() const { return false; }
    virtual void learn(const std::vector<cv::Mat>& images, const BatchMaker& toBatch, int steps, JobContext& job);
    // Writes what is needed to rebuild exactly this extractor (weights included), so a
    // saved model keeps scoring identically even if the original file is gone.
    virtual void save(torch::serialize::OutputArchive& archive) const = 0;
};

// spec: a builtin name ("filterbank"; "resnet18", "wide_resnet50_2" initialised
// deterministically from seed), or a path to a TorchScript file. Throws ds::InputError for an unknown name or a
// file that is not a usable backbone.
std::unique_ptr<Backbone> createBackbone(const std::string& spec, uint64_t seed);

// Rebuilds a backbone written by Backbone::save().
std::unique_ptr<Backbone> loadBackbone(torch::serialize::InputArchive& archive);

} // namespace ds
