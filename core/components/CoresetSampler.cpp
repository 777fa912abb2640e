#include "core/components/CoresetSampler.h"

#include <chrono>

namespace ds {

torch::Tensor greedyCoresetIndices(const torch::Tensor& features, int64_t count, int64_t projectionDim, uint64_t seed,
                                   JobContext& job)
{
    const int64_t n = features.size(0);
    if (count >= n)
        return torch::arange(n, torch::kLong);
    auto generator = at::detail::createCPUGenerator(seed);
    torch::Tensor projected = features;
    if (features.size(1) > projectionDim) {
        const torch::Tensor projection
            = torch::randn({features.size(1), projectionDim}, generator, torch::kFloat32) / std::sqrt(double(projectionDim));
        projected = torch::matmul(features, projection.to(features.device()));
    }
    projected = projected.contiguous();
    const torch::Tensor squaredNorms = projected.pow(2).sum(1);

    std::vector<int64_t> chosen;
    chosen.reserve(size_t(count));
    int64_t next = torch::randint(n, {1}, generator).item<int64_t>();
    torch::Tensor minDistance = torch::full({n}, std::numeric_limits<float>::infinity(), projected.options());
    auto lastCheck = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < count; ++i) {
        chosen.push_back(next);
        // |a - b|^2 = |a|^2 - 2 a.b + |b|^2: one matrix-vector product per pick.
        const torch::Tensor point = projected[next];
        const torch::Tensor distance = squaredNorms - 2.0 * torch::mv(projected, point) + squaredNorms[next];
        torch::minimum_out(minDistance, minDistance, distance);
        next = minDistance.argmax().item<int64_t>();
        const auto now = std::chrono::steady_clock::now();
        if (now - lastCheck > std::chrono::milliseconds(200)) {
            lastCheck = now;
            job.throwIfCancelled();
            job.report(double(i) / double(count), "Selecting coreset");
        }
    }
    return torch::tensor(chosen, torch::kLong);
}

} // namespace ds
