#include "core/components/FeatureAggregation.h"

namespace ds {

torch::Tensor aggregateFeatures(const std::vector<torch::Tensor>& maps, int localNeighbourhood)
{
    namespace F = torch::nn::functional;
    const auto height = maps.front().size(2);
    const auto width = maps.front().size(3);
    std::vector<torch::Tensor> aligned;
    for (torch::Tensor map : maps) {
        if (localNeighbourhood > 1)
            map = F::avg_pool2d(map, F::AvgPool2dFuncOptions(localNeighbourhood).stride(1).padding(localNeighbourhood / 2)
                                         .count_include_pad(false));
        if (map.size(2) != height || map.size(3) != width)
            map = F::interpolate(map, F::InterpolateFuncOptions()
                                          .size(std::vector<int64_t>{height, width})
                                          .mode(torch::kBilinear)
                                          .align_corners(false));
        aligned.push_back(map);
    }
    return torch::cat(aligned, 1);
}

} // namespace ds
