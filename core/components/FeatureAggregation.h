#pragma once
#include <torch/torch.h>

#include <vector>

namespace ds {

// Concatenates backbone maps along channels at the resolution of maps[gridIndex]: finer
// maps are area-averaged down to it, coarser ones upsampled (bilinear). With
// localNeighbourhood > 1 each map is first averaged over a k x k neighbourhood (stride 1),
// PatchCore's "locally aware" features. Each map is multiplied by its scales entry when
// scales is given. maps: B x Ci x hi x wi -> B x sum(Ci) x h x w.
torch::Tensor aggregateFeatures(const std::vector<torch::Tensor>& maps, size_t gridIndex, int localNeighbourhood,
                                const std::vector<double>& scales = {});

// Per map, 1 / root-mean-square of its values: makes each layer weigh alike in a distance.
std::vector<double> unitRmsScales(const std::vector<torch::Tensor>& maps);

// PatchCore's locally aware patch features, shared by the methods that score patches: the
// grid of the second-deepest map (stride 8 for the builtin ResNets), finer maps averaged
// onto it, 3 x 3 local averaging, every map at unit RMS as measured on the first batch of a
// fit (random-init layers differ in scale) and kept with the model.
class LocalPatchFeatures {
public:
    void reset() { scales_.clear(); } // at the start of a fit
    torch::Tensor aggregate(const std::vector<torch::Tensor>& maps);
    void write(torch::serialize::OutputArchive& archive) const;
    void read(torch::serialize::InputArchive& archive);

private:
    std::vector<double> scales_; // per backbone map
};

} // namespace ds
