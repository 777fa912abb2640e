#pragma once
#include <torch/torch.h>

#include <vector>

namespace ds {

// Concatenates backbone maps along channels at the resolution of the first (finest) one;
// coarser maps are upsampled (bilinear). With localNeighbourhood > 1 each map is first
// averaged over a k x k neighbourhood (stride 1), PatchCore's "locally aware" features.
// maps: B x Ci x hi x wi -> B x sum(Ci) x h0 x w0.
torch::Tensor aggregateFeatures(const std::vector<torch::Tensor>& maps, int localNeighbourhood);

} // namespace ds
