#include "core/detectors/patchcore/PatchCore.h"

#include "core/components/CoresetSampler.h"
#include "core/components/FeatureAggregation.h"
#include "core/components/NearestNeighbours.h"
#include "core/detectors/TorchDetector.h"

namespace ds {
namespace {

// PatchCore (Roth et al., 2022): a memory bank of locally aware patch features from the
// good images, thinned by a greedy coreset; a patch's anomaly score is the distance to
// its nearest neighbour in the bank.
class PatchCore : public TorchDetector {
public:
    explicit PatchCore(const DetectorSettings& settings)
        : TorchDetector(settings)
    {
    }

protected:
    // Patches live on the grid of the second-deepest map (layer2, stride 8), as in the
    // paper; finer maps are averaged down onto it. Beyond the paper, layer1 joins too and
    // every map is scaled to unit RMS: with random-init backbones the layers differ in
    // scale, and fine detail matters most (docs/BENCHMARKS.md).
    void resetFit() override { patches_.reset(); }

    torch::Tensor aggregate(const std::vector<torch::Tensor>& maps) override { return patches_.aggregate(maps); }

    double extractionShare() const override { return 0.4; }

    void beginFit(int64_t imageCount, int64_t, int64_t height, int64_t width) override
    {
        pool_.clear();
        // Memory is bounded before the coreset too: beyond max_pool patches in all, each
        // batch contributes a random subset.
        const double patches = double(imageCount) * double(height) * double(width);
        keepFraction_ = std::min(1.0, parameter("max_pool") / patches);
        generator_ = at::detail::createCPUGenerator(settings_.seed + 2);
    }

    void accumulate(const torch::Tensor& features) override
    {
        torch::Tensor patches = features.permute({0, 2, 3, 1}).reshape({-1, features.size(1)});
        if (keepFraction_ < 1.0) {
            const int64_t keep = std::max<int64_t>(1, int64_t(std::lround(keepFraction_ * double(patches.size(0)))));
            patches = patches.index_select(0, torch::randperm(patches.size(0), generator_).slice(0, 0, keep).to(device()));
        }
        pool_.push_back(patches.clone());
    }

    void finishFit(JobContext& job) override
    {
        const torch::Tensor all = torch::cat(pool_);
        pool_.clear();
        const int64_t target
            = std::max<int64_t>(1,
                                std::min<int64_t>(int64_t(parameter("max_bank")),
                                                  int64_t(std::ceil(parameter("coreset_ratio") * double(all.size(0))))));
        const torch::Tensor chosen
            = greedyCoresetIndices(all, target, int64_t(parameter("projection_dim")), settings_.seed + 3, job);
        bank_ = all.index_select(0, chosen.to(device())).contiguous();
    }

    PatchScores score(const torch::Tensor& features) override
    {
        const int64_t batch = features.size(0), height = features.size(2), width = features.size(3);
        const torch::Tensor patches = features.permute({0, 2, 3, 1}).reshape({-1, features.size(1)});
        const auto [distances, indices] = nearestNeighbours(patches, bank_, 1);
        const torch::Tensor patchScores = distances.view({batch, height * width});
        const torch::Tensor nearest = indices.view({batch, height * width});

        // The paper's reweighting: the most anomalous patch counts for less when its
        // nearest bank entry sits among close neighbours (a dense, well-covered region).
        const int64_t k = int64_t(parameter("reweight_neighbours"));
        const torch::Tensor worst = patchScores.argmax(1);
        torch::Tensor weights = torch::ones({batch}, patchScores.options());
        if (k > 1 && bank_.size(0) > 1) {
            for (int64_t b = 0; b < batch; ++b) {
                const int64_t p = worst[b].item<int64_t>();
                const torch::Tensor query = patches[b * height * width + p].unsqueeze(0);
                const torch::Tensor anchor = bank_[nearest[b][p].item<int64_t>()].unsqueeze(0);
                const torch::Tensor neighbourhood = nearestNeighbours(anchor, bank_, k).second.squeeze(0);
                const torch::Tensor toNeighbourhood = (bank_.index_select(0, neighbourhood) - query).norm(2, 1);
                weights[b] = 1.0 - torch::softmax(toNeighbourhood, 0)[0];
            }
        }
        return {patchScores.view({batch, height, width}), weights};
    }

    void writeStatistics(torch::serialize::OutputArchive& archive) const override
    {
        archive.write("memory_bank", bank_);
        patches_.write(archive);
    }

    void readStatistics(torch::serialize::InputArchive& archive) override
    {
        archive.read("memory_bank", bank_);
        patches_.read(archive);
        bank_ = bank_.to(device());
    }

private:
    std::vector<torch::Tensor> pool_;
    double keepFraction_ = 1.0;
    at::Generator generator_;
    torch::Tensor bank_;
    LocalPatchFeatures patches_;
};

} // namespace

DetectorInfo patchCoreInfo()
{
    DetectorInfo info {
        "patchcore",
        "PatchCore",
        "A coreset memory bank of local patch features; nearest-neighbour distance. Strong on textures "
        "and small defects; training time grows with the coreset.",
        {{"coreset_ratio", "Coreset ratio", "Fraction of training patches kept in the memory bank.", 0.1, 0.001, 1.0, false},
         {"max_bank", "Max memory bank", "Upper bound on memory-bank patches (bounds memory and scoring time).", 16384, 256,
          1000000, true},
         {"max_pool", "Max patch pool", "Upper bound on patches gathered before coreset selection.", 200000, 1000, 5000000, true},
         {"projection_dim", "Projection dimension", "Random projection used to speed up coreset selection.", 128, 8, 4096, true},
         {"reweight_neighbours", "Reweighting neighbours", "Neighbourhood size of the image-score reweighting (1 = off).", 9, 1,
          64, true}},
        [](const DetectorSettings& settings) { return std::make_unique<PatchCore>(settings); }};
    const std::vector<ParameterSpec> shared = sharedTorchParameters();
    info.parameters.insert(info.parameters.end(), shared.begin(), shared.end());
    return info;
}

} // namespace ds
