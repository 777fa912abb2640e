#include "core/backbones/FilterBank.h"

#include <cmath>

namespace ds {
namespace {

namespace F = torch::nn::functional;

// The six kernels G, Gx, Gy, Gxx, Gxy, Gyy of one scale, 6 x 1 x k x k.
torch::Tensor gaussianDerivatives(double sigma)
{
    const int64_t radius = int64_t(std::ceil(3.0 * sigma));
    const torch::Tensor x = torch::arange(-radius, radius + 1, torch::kFloat64);
    const torch::Tensor g = torch::exp(-x * x / (2 * sigma * sigma));
    const torch::Tensor g0 = g / g.sum();
    const torch::Tensor g1 = -x / sigma * g0; // derivatives scale-normalised (times sigma per order)
    const torch::Tensor curvature = (x * x / (sigma * sigma) - 1.0) * g0;
    // Truncation leaves the sampled second derivative a small sum, which would make it
    // respond to plain brightness: take that out.
    const torch::Tensor g2 = curvature - curvature.sum() * g0;
    const auto outer = [](const torch::Tensor& along_y, const torch::Tensor& along_x) { return torch::outer(along_y, along_x); };
    return torch::stack({outer(g0, g0), outer(g0, g1), outer(g1, g0), outer(g0, g2), outer(g1, g1), outer(g2, g0)})
        .unsqueeze(1)
        .to(torch::kFloat32);
}

class FilterBank : public Backbone {
public:
    FilterBank()
        : fine_(gaussianDerivatives(1.0))
        , coarse_(gaussianDerivatives(2.0))
    {
    }

    std::string name() const override { return "filterbank"; }

    std::vector<torch::Tensor> extract(const torch::Tensor& batch) override
    {
        // Scales 1 and 2 px on the image itself; 4, 8 and 16 px as the 2 px filter on the
        // image averaged down 2x, 4x and 8x (a pyramid keeps the kernels small).
        const auto down = [&](int64_t factor) { return F::avg_pool2d(batch, F::AvgPool2dFuncOptions(factor)); };
        const torch::Tensor stride16 = responses(down(4), coarse_, 4);
        const torch::Tensor largest = F::interpolate(responses(down(8), coarse_, 2),
                                                     F::InterpolateFuncOptions()
                                                         .size(std::vector<int64_t> {stride16.size(2), stride16.size(3)})
                                                         .mode(torch::kBilinear)
                                                         .align_corners(false));
        return {torch::cat({responses(batch, fine_, 4), responses(batch, coarse_, 4)}, 1), responses(down(2), coarse_, 4),
                torch::cat({stride16, largest}, 1)};
    }

    void to(const torch::Device& device) override
    {
        fine_ = fine_.to(device);
        coarse_ = coarse_.to(device);
    }

    void save(torch::serialize::OutputArchive& archive) const override
    {
        archive.write("kind", c10::IValue(std::string("builtin")));
        archive.write("name", c10::IValue(name()));
    }

private:
    // Per input channel: the six responses averaged over pool x pool cells, and the cell
    // means of the five derivatives' absolute values: B x 3*11 x H/pool x W/pool.
    static torch::Tensor responses(const torch::Tensor& images, const torch::Tensor& kernels, int64_t pool)
    {
        const int64_t channels = images.size(1);
        const int64_t radius = kernels.size(2) / 2;
        // Mirrored borders keep an image's edge from reading as a step (measured: 0.015 image
        // AUROC on the real set over replicated ones); a level smaller than the kernel
        // cannot be mirrored and is replicated instead.
        const bool mirrorable = radius < images.size(2) && radius < images.size(3);
        F::PadFuncOptions::mode_t mode = torch::kReplicate;
        if (mirrorable)
            mode = torch::kReflect;
        const torch::Tensor padded = F::pad(images, F::PadFuncOptions({radius, radius, radius, radius}).mode(mode));
        const torch::Tensor filtered
            = F::conv2d(padded, kernels.repeat({channels, 1, 1, 1}), F::Conv2dFuncOptions().groups(channels)); // B x 6C x H x W
        const auto cells = F::AvgPool2dFuncOptions(pool);
        std::vector<torch::Tensor> parts {F::avg_pool2d(filtered, cells)};
        const torch::Tensor derivatives = filtered.view({images.size(0), channels, 6, filtered.size(2), filtered.size(3)})
                                              .slice(2, 1)
                                              .reshape({images.size(0), channels * 5, filtered.size(2), filtered.size(3)});
        parts.push_back(F::avg_pool2d(derivatives.abs(), cells));
        return torch::cat(parts, 1);
    }

    torch::Tensor fine_, coarse_;
};

} // namespace

std::unique_ptr<Backbone> createFilterBank()
{
    return std::make_unique<FilterBank>();
}

} // namespace ds
