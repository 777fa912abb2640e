#include "core/networks/TrainingImages.h"

#include "core/data/ImageIO.h"

#include <algorithm>

namespace ds {

TrainingImages::TrainingImages(const std::vector<cv::Mat>& goodImages, const InputGeometry& geometry, int maximumCrop,
                               JobContext& job)
    : crop_(maximumCrop)
{
    for (size_t i = 0; i < goodImages.size(); ++i) {
        job.throwIfCancelled();
        cv::Mat image = resizeImage(goodImages[i], geometry.sizeFor(goodImages[i].size()));
        image.convertTo(image, CV_8UC3, 255.0);
        crop_ = std::min({crop_, image.cols, image.rows});
        scaled_.push_back(std::move(image));
        if (i % 32 == 0)
            job.report(double(i + 1) / double(goodImages.size()), "Preparing images");
    }
    crop_ = std::max(16, crop_ / 16 * 16);
}

cv::Mat TrainingImages::randomCrop(size_t index, cv::RNG& rng) const
{
    const cv::Mat& image = scaled_[index];
    const cv::Rect window(rng.uniform(0, image.cols - crop_ + 1), rng.uniform(0, image.rows - crop_ + 1), crop_, crop_);
    cv::Mat piece;
    image(window).convertTo(piece, CV_32FC3, 1.0 / 255.0);
    return piece;
}

std::vector<cv::Mat> TrainingImages::randomCrops(int count, cv::RNG& rng) const
{
    std::vector<cv::Mat> crops;
    for (int i = 0; i < count; ++i)
        crops.push_back(randomCrop(size_t(rng.uniform(0, int(scaled_.size()))), rng));
    return crops;
}

} // namespace ds
