#pragma once
#include <torch/torch.h>

namespace ds {

// One multivariate Gaussian per feature-map position (PaDiM), accumulated batch by batch
// so training never holds all features at once. Sums are kept in double precision:
// the covariance is a difference of large sums.
class GaussianStatistics {
public:
    // features: B x D x P (D channels, P positions). Call once per batch.
    void accumulate(const torch::Tensor& features);
    // Mean P x D and inverse covariance P x D x D (float); covariance regularised by
    // epsilon * I so it is invertible with few images. Needs at least 2 samples.
    void finish(double epsilon = 0.01);
    // Squared Mahalanobis distance of features (B x D x P) to each position's Gaussian: B x P.
    torch::Tensor squaredMahalanobis(const torch::Tensor& features) const;

    const torch::Tensor& mean() const { return mean_; }
    const torch::Tensor& inverseCovariance() const { return inverseCovariance_; }
    void set(torch::Tensor mean, torch::Tensor inverseCovariance);

private:
    int64_t count_ = 0;
    torch::Tensor sum_; // P x D
    torch::Tensor outerSum_; // P x D x D
    torch::Tensor mean_;
    torch::Tensor inverseCovariance_;
};

} // namespace ds
