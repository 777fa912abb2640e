#pragma once
// Internal to core: includes torch. The building blocks of the methods that train a
// network on the user's images (DRAEM, CutPaste, the self-learned backbone).
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace ds {

// 3x3 convolution, BatchNorm, ReLU, twice: the unit of every encoder and decoder here.
struct ConvBlockImpl : torch::nn::Module {
    ConvBlockImpl(int64_t in, int64_t out);
    torch::Tensor forward(const torch::Tensor& x);
    torch::nn::Sequential layers {nullptr};
};
TORCH_MODULE(ConvBlock);

// A U-Net-shaped encoder-decoder: `levels` halvings, the width doubling with each up to
// 8 x `width`. With skips the decoder sees the encoder's maps at every level (a
// segmentation network); without, it must rebuild the image from the bottleneck alone (a
// reconstruction network: what it cannot rebuild is what it never saw). Variational: the
// bottleneck gives a mean and log-variance per latent value, training samples from them,
// and forward() leaves the KL divergence to a unit Gaussian in klDivergence (a VAE, for
// reconstruction without skips). Input sides must be multiples of 2^levels.
struct EncoderDecoderImpl : torch::nn::Module {
    EncoderDecoderImpl(int64_t in, int64_t out, int64_t width, int levels, bool skips, bool variational = false);
    torch::Tensor forward(const torch::Tensor& x);
    torch::nn::ModuleList down {nullptr}, up {nullptr}, merge {nullptr};
    ConvBlock bottleneck {nullptr};
    torch::nn::Conv2d latent {nullptr}, head {nullptr};
    bool skips = true;
    bool variational = false;
    torch::Tensor klDivergence; // of the last forward(), when variational
};
TORCH_MODULE(EncoderDecoder);

// A ResNet-18-shaped encoder (stem, four stages of two basic blocks, widths w, 2w, 4w,
// 8w, strides 4, 8, 16, 32) whose width is a parameter, so it trains in minutes on a CPU
// at w = 16-32 and is a full ResNet-18 trunk at w = 64. forward() returns every stage's map.
struct ResidualEncoderImpl : torch::nn::Module {
    explicit ResidualEncoderImpl(int64_t width);
    std::vector<torch::Tensor> forward(const torch::Tensor& x);
    int64_t outputChannels() const { return 8 * width; }
    torch::nn::Sequential stem {nullptr};
    torch::nn::ModuleList stages {nullptr};
    int64_t width = 0;
};
TORCH_MODULE(ResidualEncoder);

// A student of a teacher's feature pyramid: a ResidualEncoder learnt from scratch and a
// 1x1 head per teacher level onto the teacher's channels, read from the stage of the same
// stride. forward() gives the student's maps at the teacher's sizes.
struct PyramidStudentImpl : torch::nn::Module {
    PyramidStudentImpl(int64_t width, const std::vector<int64_t>& teacherChannels);
    std::vector<torch::Tensor> forward(const torch::Tensor& input, const std::vector<torch::Tensor>& teacher);
    ResidualEncoder encoder {nullptr};
    torch::nn::ModuleList heads {nullptr};
};
TORCH_MODULE(PyramidStudent);

// Rebuilds a teacher's feature pyramid from one compact map, deepest level first: per
// level, upsampling to its size, a ConvBlock (width doubling per level, capped at 8x) and
// a 1x1 head onto its channels. forward() gives the maps at the teacher's sizes, finest first.
struct PyramidDecoderImpl : torch::nn::Module {
    PyramidDecoderImpl(int64_t in, int64_t width, const std::vector<int64_t>& teacherChannels);
    std::vector<torch::Tensor> forward(torch::Tensor x, const std::vector<torch::Tensor>& teacher);
    torch::nn::ModuleList stages {nullptr}, heads {nullptr};
};
TORCH_MODULE(PyramidDecoder);

// Module weights in channels-last layout (faster oneDNN convolutions on CPU).
void toChannelsLast(torch::nn::Module& module);

// Deterministic weight initialisation: torch's global generator is seeded under a lock so
// two jobs building networks at once do not interleave their draws.
template <typename Build>
auto seededConstruction(uint64_t seed, Build&& build) -> decltype(build());
void lockTorchSeed(bool lock, uint64_t seed);

template <typename Build>
auto seededConstruction(uint64_t seed, Build&& build) -> decltype(build())
{
    lockTorchSeed(true, seed);
    try {
        auto built = build();
        lockTorchSeed(false, 0);
        return built;
    } catch (...) {
        lockTorchSeed(false, 0);
        throw;
    }
}

// Local SSIM (11 x 11 Gaussian window, sigma 1.5, as DRAEM) of B x C x H x W images in
// [0, 1], averaged over channels: B x H x W.
torch::Tensor ssimMap(const torch::Tensor& a, const torch::Tensor& b);
// 1 - SSIM averaged over the batch.
torch::Tensor ssimLoss(const torch::Tensor& a, const torch::Tensor& b);

// Focal loss on logits (gamma 2): defect pixels are few and most good pixels are easy.
torch::Tensor focalLoss(const torch::Tensor& logits, const torch::Tensor& targets);

// Module weights to and from an archive, under one key each.
void writeModule(torch::serialize::OutputArchive& archive, const std::string& key, const torch::nn::Module& module);
void readModule(torch::serialize::InputArchive& archive, const std::string& key, torch::nn::Module& module,
                const torch::Device& device);

} // namespace ds
