#pragma once
// Internal to core. The good images a network trains on, and the crops its steps take.
#include "core/detectors/ArchivedDetector.h"
#include "core/jobs/JobContext.h"

#include <opencv2/core.hpp>

#include <vector>

namespace ds {

// The good images at a model's input scale, kept 8-bit (a quarter of the memory of float
// images), and random square crops of them for training steps.
class TrainingImages {
public:
    // Reports "Preparing images" through job, within its current span.
    TrainingImages(const std::vector<cv::Mat>& goodImages, const InputGeometry& geometry, int maximumCrop, JobContext& job);
    size_t size() const { return scaled_.size(); }
    // The side of every crop: maximumCrop or the smallest image side if less, in steps of 16.
    int crop() const { return crop_; }
    // A crop of image index at a random place: CV_32FC3 RGB in [0, 1].
    cv::Mat randomCrop(size_t index, cv::RNG& rng) const;
    // A training batch: crops of count images drawn at random.
    std::vector<cv::Mat> randomCrops(int count, cv::RNG& rng) const;

private:
    std::vector<cv::Mat> scaled_;
    int crop_ = 0;
};

} // namespace ds
