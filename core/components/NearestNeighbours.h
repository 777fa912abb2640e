#pragma once
#include <torch/torch.h>

namespace ds {

// Exact k nearest neighbours by Euclidean distance, in chunks of queries so the distance
// matrix stays small. queries: Q x D, bank: M x D (same device).
// Returns {distances Q x k (not squared), indices Q x k}, nearest first.
std::pair<torch::Tensor, torch::Tensor> nearestNeighbours(const torch::Tensor& queries, const torch::Tensor& bank, int64_t k);

} // namespace ds
