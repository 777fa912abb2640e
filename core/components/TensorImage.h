#pragma once
// Internal to core: the one place where cv::Mat and torch::Tensor meet.
#include <opencv2/core.hpp>
#include <torch/torch.h>

#include <vector>

namespace ds {

// images: CV_32FC3 RGB in [0, 1], any size. Returns B x 3 x side x side on device,
// normalised with the ImageNet mean and std that torchvision-style backbones expect.
torch::Tensor imagesToBatch(const std::vector<cv::Mat>& images, int side, const torch::Device& device);

// A 2-D float tensor (any device) as a CV_32F matrix that owns its data.
cv::Mat tensorToMat(const torch::Tensor& map);

} // namespace ds
