#pragma once
#include "core/jobs/JobContext.h"

#include <torch/torch.h>

namespace ds {

// Greedy k-center coreset (PatchCore, Sener & Savarese): repeatedly picks the point
// farthest from everything picked so far, on a Johnson-Lindenstrauss random projection
// to projectionDim dimensions (the paper's speed-up). features: N x D.
// Returns the indices (int64, count of them) of the chosen rows. Reports progress and
// checks for cancellation through job.
torch::Tensor greedyCoresetIndices(const torch::Tensor& features, int64_t count, int64_t projectionDim, uint64_t seed,
                                   JobContext& job);

} // namespace ds
