#pragma once
// Internal to core: the one place where cv::Mat and torch::Tensor meet.
#include <opencv2/core.hpp>
#include <torch/torch.h>

#include <vector>

namespace ds {

// How pixel values are brought to the scale the backbone expects.
enum class InputNormalisation {
    ImageNet = 0, // the ImageNet mean and std that torchvision-style backbones expect
    PerImage = 1, // each image's channels to zero mean, unit std (evens out lighting and contrast)
    Unit = 3, // the pixel values as they are, in [0, 1] (networks trained here, reconstruction targets)
};

// images: CV_32FC3 RGB in [0, 1], any size. Returns B x 3 x size.height x size.width on device.
torch::Tensor imagesToBatch(const std::vector<cv::Mat>& images, const cv::Size& size, const torch::Device& device,
                            InputNormalisation normalisation = InputNormalisation::ImageNet);

// masks: CV_32F, all of one size. Returns B x H x W on device.
torch::Tensor masksToBatch(const std::vector<cv::Mat>& masks, const torch::Device& device);

// A 2-D float tensor (any device) as a CV_32F matrix that owns its data.
cv::Mat tensorToMat(const torch::Tensor& map);

} // namespace ds
