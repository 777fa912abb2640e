#include "core/components/GaussianStatistics.h"

#include "core/Error.h"

namespace ds {

void GaussianStatistics::accumulate(const torch::Tensor& features)
{
    const torch::Tensor x = features.to(torch::kFloat64).permute({2, 0, 1}); // P x B x D
    const torch::Tensor outer = torch::bmm(x.transpose(1, 2), x); // P x D x D
    const torch::Tensor sum = x.sum(1); // P x D
    if (count_ == 0) {
        sum_ = sum;
        outerSum_ = outer;
    } else {
        sum_ += sum;
        outerSum_ += outer;
    }
    count_ += features.size(0);
}

void GaussianStatistics::finish(double epsilon)
{
    if (count_ < 2)
        throw InputError("at least 2 good images are needed to estimate a distribution");
    const double n = double(count_);
    const torch::Tensor mean = sum_ / n;
    torch::Tensor covariance = (outerSum_ - n * mean.unsqueeze(2) * mean.unsqueeze(1)) / (n - 1.0);
    const auto dimension = covariance.size(1);
    covariance += epsilon * torch::eye(dimension, covariance.options()).unsqueeze(0);
    mean_ = mean.to(torch::kFloat32);
    inverseCovariance_ = torch::linalg::inv(covariance).to(torch::kFloat32);
    sum_ = torch::Tensor();
    outerSum_ = torch::Tensor();
    count_ = 0;
}

torch::Tensor GaussianStatistics::squaredMahalanobis(const torch::Tensor& features) const
{
    const torch::Tensor delta = features.permute({2, 0, 1}) - mean_.unsqueeze(1); // P x B x D
    const torch::Tensor weighted = torch::bmm(delta, inverseCovariance_); // P x B x D
    return (weighted * delta).sum(2).transpose(0, 1).clamp_min(0.0); // B x P
}

void GaussianStatistics::set(torch::Tensor mean, torch::Tensor inverseCovariance)
{
    mean_ = std::move(mean);
    inverseCovariance_ = std::move(inverseCovariance);
}

} // namespace ds
