#include "core/components/NearestNeighbours.h"

namespace ds {

std::pair<torch::Tensor, torch::Tensor> nearestNeighbours(const torch::Tensor& queries, const torch::Tensor& bank, int64_t k)
{
    k = std::min(k, bank.size(0));
    const torch::Tensor bankNorms = bank.pow(2).sum(1).unsqueeze(0); // 1 x M
    // Keeps each chunk's Q x M distance matrix near 64 MB.
    const int64_t chunk = std::max<int64_t>(1, (int64_t(16) << 20) / std::max<int64_t>(1, bank.size(0)));
    std::vector<torch::Tensor> distances, indices;
    for (int64_t start = 0; start < queries.size(0); start += chunk) {
        const torch::Tensor q = queries.slice(0, start, std::min(start + chunk, queries.size(0)));
        const torch::Tensor squared = (q.pow(2).sum(1, true) + bankNorms - 2.0 * torch::matmul(q, bank.t())).clamp_min(0.0);
        auto [values, positions] = squared.topk(k, 1, /*largest=*/false, /*sorted=*/true);
        distances.push_back(values.sqrt());
        indices.push_back(positions);
    }
    return {torch::cat(distances), torch::cat(indices)};
}

} // namespace ds
