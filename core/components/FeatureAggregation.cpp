#include "core/components/FeatureAggregation.h"

namespace ds {

torch::Tensor aggregateFeatures(const std::vector<torch::Tensor>& maps, size_t gridIndex, int localNeighbourhood,
                                const std::vector<double>& scales)
{
    namespace F = torch::nn::functional;
    const auto height = maps.at(gridIndex).size(2);
    const auto width = maps.at(gridIndex).size(3);
    std::vector<torch::Tensor> aligned;
    for (size_t i = 0; i < maps.size(); ++i) {
        torch::Tensor map = maps[i];
        if (localNeighbourhood > 1)
            map = F::avg_pool2d(
                map,
                F::AvgPool2dFuncOptions(localNeighbourhood).stride(1).padding(localNeighbourhood / 2).count_include_pad(false));
        if (map.size(2) > height)
            map = F::adaptive_avg_pool2d(map, F::AdaptiveAvgPool2dFuncOptions(std::vector<int64_t> {height, width}));
        else if (map.size(2) < height)
            map = F::interpolate(map,
                                 F::InterpolateFuncOptions()
                                     .size(std::vector<int64_t> {height, width})
                                     .mode(torch::kBilinear)
                                     .align_corners(false));
        if (!scales.empty())
            map = map * scales.at(i);
        aligned.push_back(map);
    }
    return torch::cat(aligned, 1);
}

std::vector<double> unitRmsScales(const std::vector<torch::Tensor>& maps)
{
    std::vector<double> scales;
    for (const torch::Tensor& map : maps)
        scales.push_back(1.0 / std::max(1e-12, map.pow(2).mean().sqrt().item<double>()));
    return scales;
}

torch::Tensor LocalPatchFeatures::aggregate(const std::vector<torch::Tensor>& maps)
{
    if (scales_.empty())
        scales_ = unitRmsScales(maps);
    return aggregateFeatures(maps, maps.size() - 2, 3, scales_);
}

void LocalPatchFeatures::write(torch::serialize::OutputArchive& archive) const
{
    archive.write("layer_scales", c10::IValue(c10::List<double>(scales_)));
}

void LocalPatchFeatures::read(torch::serialize::InputArchive& archive)
{
    c10::IValue scales;
    archive.read("layer_scales", scales);
    scales_ = scales.toDoubleVector();
}

} // namespace ds
