#include "core/detectors/spade/Spade.h"

#include "core/Error.h"
#include "core/components/FeatureAggregation.h"
#include "core/detectors/TorchDetector.h"

namespace ds {
namespace {

// SPADE (Cohen & Hoshen, 2020): every good image's patch features are kept; a test image
// is compared only with the good images that look most like it as a whole (nearest by
// mean-pooled features), and each of its patches with those images' patches at the same
// place, give or take a few cells. Normal variation that splits the good images into
// modes (lighting set-ups, variants of a part) is then met by its own mode instead of
// widening one model for all. Beyond the paper, a distance is divided by how far the
// matched good images' own patches lie from their nearest good images at that place (a
// local outlier factor) where that is above average: a mode or place that varies a lot
// (bright, high-contrast lighting) does not outscore a quiet one.
class Spade : public TorchDetector {
public:
    explicit Spade(const DetectorSettings& settings)
        : TorchDetector(settings)
    {
    }

protected:
    void resetFit() override { patches_.reset(); }

    // Patches are compared place by place.
    bool alignsPositions() const override { return true; }

    torch::Tensor aggregate(const std::vector<torch::Tensor>& maps) override { return patches_.aggregate(maps); }

    double extractionShare() const override { return normalised() ? 0.5 : 0.95; }

    void beginFit(int64_t imageCount, int64_t channels, int64_t height, int64_t width) override
    {
        const int64_t dimensions = int64_t(parameter("n_features"));
        // The stored patches (16-bit floats) are the model: refuse what SQLite could not hold.
        const double stateBytes = double(imageCount) * double(dimensions) * double(height) * double(width) * 2.0;
        if (stateBytes > 900e6)
            throw InputError("SPADE on this many images at this size needs a " + std::to_string(int(stateBytes / 1e6))
                             + " MB model; lower the image size or n_features, or train on fewer images");
        // A random projection keeps distances between patches (Johnson-Lindenstrauss) at a
        // fraction of the memory; seeded, so a model is reproducible.
        auto generator = at::detail::createCPUGenerator(settings_.seed + 4);
        projection_ = (torch::randn({dimensions, channels}, generator) / std::sqrt(double(dimensions))).to(device());
        stored_.clear();
        globals_.clear();
    }

    void accumulate(const torch::Tensor& features) override
    {
        globals_.push_back(features.mean({2, 3}));
        stored_.push_back(project(features).to(torch::kHalf));
    }

    void finishFit(JobContext& job) override
    {
        bank_ = torch::cat(stored_);
        descriptors_ = torch::cat(globals_);
        stored_.clear();
        globals_.clear();
        spread_ = torch::Tensor();
        if (!normalised())
            return;
        if (bank_.size(0) < 2)
            throw InputError("SPADE's normalisation needs at least 2 good images");
        // Each good image against the others, as a test image would be against them all.
        const int64_t count = bank_.size(0);
        std::vector<torch::Tensor> spreads;
        const torch::Tensor neighbours = nearestImages(descriptors_, /*skipSelf=*/true);
        for (int64_t i = 0; i < count; ++i) {
            job.throwIfCancelled();
            spreads.push_back(patchDistances(bank_[i].to(torch::kFloat32), neighbours[i]));
            job.report(double(i + 1) / double(count), "Measuring the good images' spread");
        }
        spread_ = torch::stack(spreads);
        // Dividing only damps places that vary more than the average: a quiet, flat region
        // (near-zero spread) would otherwise turn its sensor noise into anomalies.
        floor_ = std::max(1e-6, spread_.mean().item<double>());
    }

    PatchScores score(const torch::Tensor& features) override
    {
        const int64_t batch = features.size(0), height = features.size(2), width = features.size(3);
        if (height != bank_.size(2) || width != bank_.size(3))
            throw Error("SPADE was given a feature grid unlike its training images'");
        const torch::Tensor neighbours = nearestImages(features.mean({2, 3}), /*skipSelf=*/false);
        const torch::Tensor projected = project(features);
        torch::Tensor maps = torch::empty({batch, height, width}, projected.options());
        for (int64_t b = 0; b < batch; ++b) {
            torch::Tensor map = patchDistances(projected[b], neighbours[b]);
            if (spread_.defined())
                map = map / spread_.index_select(0, neighbours[b]).mean(0).clamp_min(floor_);
            maps[b] = map;
        }
        return {maps, torch::ones({batch})};
    }

    void writeStatistics(torch::serialize::OutputArchive& archive) const override
    {
        archive.write("projection", projection_);
        archive.write("patches", bank_);
        archive.write("descriptors", descriptors_);
        if (spread_.defined())
            archive.write("spread", spread_);
        archive.write("spread_floor", torch::tensor(floor_, torch::kFloat64));
        patches_.write(archive);
    }

    void readStatistics(torch::serialize::InputArchive& archive) override
    {
        archive.read("projection", projection_);
        archive.read("patches", bank_);
        archive.read("descriptors", descriptors_);
        torch::Tensor floor;
        archive.read("spread_floor", floor);
        floor_ = floor.item<double>();
        spread_ = torch::Tensor();
        if (normalised())
            archive.read("spread", spread_);
        patches_.read(archive);
        projection_ = projection_.to(device());
        bank_ = bank_.to(device());
        descriptors_ = descriptors_.to(device());
        if (spread_.defined())
            spread_ = spread_.to(device());
    }

private:
    bool normalised() const { return parameter("normalise") != 0; }

    // For each of B mean-pooled descriptors (B x C), the stored images nearest to it: B x k.
    torch::Tensor nearestImages(const torch::Tensor& descriptors, bool skipSelf) const
    {
        const int64_t available = descriptors_.size(0) - (skipSelf ? 1 : 0);
        const int64_t k = std::min<int64_t>(int64_t(parameter("k_images")), available);
        const torch::Tensor nearest
            = std::get<1>(torch::cdist(descriptors, descriptors_).topk(k + (skipSelf ? 1 : 0), 1, /*largest=*/false));
        return skipSelf ? nearest.slice(1, 1) : nearest;
    }

    // Distance of each patch of query (D x h x w) to the nearest patch, within the search
    // radius, of the stored images listed in neighbours: h x w.
    torch::Tensor patchDistances(const torch::Tensor& query, const torch::Tensor& neighbours) const
    {
        const int64_t radius = int64_t(parameter("radius"));
        const int64_t height = query.size(1), width = query.size(2);
        // Replicated borders: an edge patch also meets its neighbours' edge patches.
        const torch::Tensor padded = torch::nn::functional::pad(
            bank_.index_select(0, neighbours).to(torch::kFloat32),
            torch::nn::functional::PadFuncOptions({radius, radius, radius, radius}).mode(torch::kReplicate));
        torch::Tensor best;
        for (int64_t dy = 0; dy <= 2 * radius; ++dy)
            for (int64_t dx = 0; dx <= 2 * radius; ++dx) {
                const torch::Tensor shifted = padded.slice(2, dy, dy + height).slice(3, dx, dx + width);
                const torch::Tensor distance = (query.unsqueeze(0) - shifted).pow(2).sum(1).amin(0);
                best = best.defined() ? torch::minimum(best, distance) : distance;
            }
        return best.sqrt();
    }

    // B x C x h x w -> B x D x h x w
    torch::Tensor project(const torch::Tensor& features) const { return torch::einsum("dc,bchw->bdhw", {projection_, features}); }

    LocalPatchFeatures patches_;
    torch::Tensor projection_; // D x C
    torch::Tensor bank_; // N x D x h x w, 16-bit
    torch::Tensor descriptors_; // N x C, each good image's mean feature
    torch::Tensor spread_; // N x h x w, each good image's distances to its nearest good images
    double floor_ = 0;
    std::vector<torch::Tensor> stored_, globals_;
};

} // namespace

DetectorInfo spadeInfo()
{
    DetectorInfo info {"spade",
                       "SPADE",
                       "Each patch against the same place in the most similar good images. Copes with good images that "
                       "come in several looks (lighting, variants); the model grows with the training set.",
                       {{"k_images", "Nearest good images",
                         "How many of the most similar good images each image is compared with.", 30, 1, 200, true},
                        {"radius", "Search radius",
                         "How many feature cells (8 px at the default size) a patch may lie from its match.", 1, 0, 4, true},
                        {"n_features", "Feature dimensions",
                         "Random projection of the patch features (more: finer, larger model).", 128, 16, 512, true},
                        {"normalise", "Normalise by spread",
                         "1: distances divided by the matched good images' own spread at that "
                         "place (a local outlier factor); 0: raw distances, as in the paper.",
                         1, 0, 1, true}},
                       [](const DetectorSettings& settings) { return std::make_unique<Spade>(settings); }};
    const std::vector<ParameterSpec> shared = sharedTorchParameters();
    info.parameters.insert(info.parameters.end(), shared.begin(), shared.end());
    return info;
}

} // namespace ds
