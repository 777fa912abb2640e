#include "core/components/TensorImage.h"

#include "core/Error.h"
#include "core/data/ImageIO.h"

#include <algorithm>

namespace ds {
namespace {

// Keeps flat regions (std near 0) from amplifying sensor noise into features.
constexpr double kStdFloor = 0.02;

cv::Mat standardisedPerChannel(const cv::Mat& image)
{
    cv::Scalar mean, std;
    cv::meanStdDev(image, mean, std);
    cv::Mat result;
    cv::subtract(image, mean, result);
    cv::divide(result, cv::Scalar(std::max(std[0], kStdFloor), std::max(std[1], kStdFloor), std::max(std[2], kStdFloor)), result);
    return result;
}

} // namespace

torch::Tensor imagesToBatch(const std::vector<cv::Mat>& images, const cv::Size& size, const torch::Device& device,
                            InputNormalisation normalisation)
{
    torch::Tensor batch = torch::empty({int64_t(images.size()), 3, size.height, size.width});
    for (size_t i = 0; i < images.size(); ++i) {
        if (images[i].empty() || images[i].type() != CV_32FC3)
            throw InputError("detectors take CV_32FC3 RGB images in [0, 1] (see loadImageRgb)");
        cv::Mat resized = resizeImage(images[i], size);
        if (normalisation == InputNormalisation::PerImage)
            resized = standardisedPerChannel(resized);
        if (!resized.isContinuous())
            resized = resized.clone();
        // H x W x 3 interleaved -> 3 x H x W planar.
        batch[int64_t(i)]
            = torch::from_blob(resized.data, {size.height, size.width, 3}, torch::kFloat32).permute({2, 0, 1}).clone();
    }
    if (normalisation != InputNormalisation::ImageNet)
        return batch.to(device); // already zero mean, unit std, or wanted as it is
    const auto mean = torch::tensor({0.485f, 0.456f, 0.406f}).view({1, 3, 1, 1});
    const auto std = torch::tensor({0.229f, 0.224f, 0.225f}).view({1, 3, 1, 1});
    return ((batch - mean) / std).to(device);
}

torch::Tensor masksToBatch(const std::vector<cv::Mat>& masks, const torch::Device& device)
{
    const int height = masks.front().rows, width = masks.front().cols;
    torch::Tensor batch = torch::empty({int64_t(masks.size()), height, width});
    for (size_t i = 0; i < masks.size(); ++i) {
        if (masks[i].type() != CV_32F || masks[i].size() != masks.front().size())
            throw Error("masks of one batch must be CV_32F of one size");
        const cv::Mat mask = masks[i].isContinuous() ? masks[i] : masks[i].clone();
        batch[int64_t(i)] = torch::from_blob(mask.data, {height, width}, torch::kFloat32).clone();
    }
    return batch.to(device);
}

cv::Mat tensorToMat(const torch::Tensor& map)
{
    const torch::Tensor cpu = map.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    cv::Mat view(int(cpu.size(0)), int(cpu.size(1)), CV_32F, cpu.data_ptr<float>());
    return view.clone();
}

} // namespace ds
