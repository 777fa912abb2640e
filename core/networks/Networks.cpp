#include "core/networks/Networks.h"

#include <algorithm>
#include <mutex>

namespace ds {
namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1)
{
    return nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(false));
}

// torchvision's BasicBlock.
struct BasicBlockImpl : nn::Module {
    BasicBlockImpl(int64_t in, int64_t out, int64_t stride)
    {
        conv1 = register_module("conv1", conv(in, out, 3, stride));
        bn1 = register_module("bn1", nn::BatchNorm2d(out));
        conv2 = register_module("conv2", conv(out, out, 3));
        bn2 = register_module("bn2", nn::BatchNorm2d(out));
        if (stride != 1 || in != out)
            downsample = register_module("downsample", nn::Sequential(conv(in, out, 1, stride), nn::BatchNorm2d(out)));
    }
    torch::Tensor forward(const torch::Tensor& x)
    {
        const torch::Tensor y = bn2(conv2(torch::relu(bn1(conv1(x)))));
        return torch::relu(y + (downsample ? downsample->forward(x) : x));
    }
    nn::Conv2d conv1 {nullptr}, conv2 {nullptr};
    nn::BatchNorm2d bn1 {nullptr}, bn2 {nullptr};
    nn::Sequential downsample {nullptr};
};
TORCH_MODULE(BasicBlock);

std::mutex seedMutex;

torch::Tensor gaussianWindow(int64_t channels, const torch::Device& device)
{
    const torch::Tensor x = torch::arange(11, torch::kFloat32) - 5;
    torch::Tensor g = torch::exp(-x.pow(2) / (2 * 1.5 * 1.5));
    g = g / g.sum();
    return torch::outer(g, g).expand({channels, 1, 11, 11}).contiguous().to(device);
}

} // namespace

ConvBlockImpl::ConvBlockImpl(int64_t in, int64_t out)
{
    layers = register_module("layers",
                             nn::Sequential(conv(in, out, 3), nn::BatchNorm2d(out), nn::ReLU(true), conv(out, out, 3),
                                            nn::BatchNorm2d(out), nn::ReLU(true)));
}

torch::Tensor ConvBlockImpl::forward(const torch::Tensor& x)
{
    return layers->forward(x);
}

EncoderDecoderImpl::EncoderDecoderImpl(int64_t in, int64_t out, int64_t width, int levels, bool withSkips, bool isVariational)
    : skips(withSkips)
    , variational(isVariational)
{
    down = register_module("down", nn::ModuleList());
    up = register_module("up", nn::ModuleList());
    merge = register_module("merge", nn::ModuleList());
    std::vector<int64_t> widths;
    for (int level = 0; level < levels; ++level)
        widths.push_back(width * std::min<int64_t>(8, int64_t(1) << level));
    int64_t channels = in;
    for (int64_t w : widths) {
        down->push_back(ConvBlock(channels, w));
        channels = w;
    }
    bottleneck = register_module("bottleneck", ConvBlock(channels, channels));
    if (variational)
        latent = register_module("latent", nn::Conv2d(nn::Conv2dOptions(channels, 2 * channels, 1)));
    for (int level = levels - 1; level >= 0; --level) {
        const int64_t w = widths[size_t(level)];
        up->push_back(conv(channels, w, 3));
        merge->push_back(ConvBlock(skips ? 2 * w : w, w));
        channels = w;
    }
    head = register_module("head", nn::Conv2d(nn::Conv2dOptions(channels, out, 1)));
}

torch::Tensor EncoderDecoderImpl::forward(const torch::Tensor& input)
{
    std::vector<torch::Tensor> encoded;
    torch::Tensor x = input;
    for (const auto& block : *down) {
        x = block->as<ConvBlock>()->forward(x);
        encoded.push_back(x);
        x = F::max_pool2d(x, F::MaxPool2dFuncOptions(2));
    }
    x = bottleneck->forward(x);
    if (variational) {
        const std::vector<torch::Tensor> statistics = latent->forward(x).chunk(2, 1);
        const torch::Tensor& mean = statistics[0];
        const torch::Tensor logVariance = statistics[1].clamp(-10.0, 10.0);
        klDivergence = -0.5 * (1 + logVariance - mean.pow(2) - logVariance.exp()).mean();
        // Sampled while training; the mean when scoring, so scores are deterministic.
        x = is_training() ? mean + torch::randn_like(mean) * (0.5 * logVariance).exp() : mean;
    }
    for (size_t i = 0; i < up->size(); ++i) {
        const torch::Tensor& skip = encoded[encoded.size() - 1 - i];
        x = F::interpolate(x,
                           F::InterpolateFuncOptions()
                               .size(std::vector<int64_t> {skip.size(2), skip.size(3)})
                               .mode(torch::kBilinear)
                               .align_corners(false));
        x = torch::relu((*up)[i]->as<nn::Conv2d>()->forward(x));
        if (skips)
            x = torch::cat({x, skip}, 1);
        x = (*merge)[i]->as<ConvBlock>()->forward(x);
    }
    return head->forward(x);
}

ResidualEncoderImpl::ResidualEncoderImpl(int64_t w)
    : width(w)
{
    stem = register_module("stem",
                           nn::Sequential(conv(3, w, 7, 2), nn::BatchNorm2d(w), nn::ReLU(true),
                                          nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1))));
    stages = register_module("stages", nn::ModuleList());
    int64_t channels = w;
    for (int stage = 0; stage < 4; ++stage) {
        const int64_t out = w << stage;
        stages->push_back(nn::Sequential(BasicBlock(channels, out, stage == 0 ? 1 : 2), BasicBlock(out, out, 1)));
        channels = out;
    }
}

std::vector<torch::Tensor> ResidualEncoderImpl::forward(const torch::Tensor& input)
{
    std::vector<torch::Tensor> maps;
    torch::Tensor x = stem->forward(input);
    for (const auto& stage : *stages) {
        x = stage->as<nn::Sequential>()->forward(x);
        maps.push_back(x);
    }
    return maps;
}

PyramidStudentImpl::PyramidStudentImpl(int64_t width, const std::vector<int64_t>& teacherChannels)
{
    encoder = register_module("encoder", ResidualEncoder(width));
    heads = register_module("heads", nn::ModuleList());
    for (size_t level = 0; level < teacherChannels.size(); ++level) {
        const int64_t stage = std::min<int64_t>(int64_t(level), 3);
        heads->push_back(nn::Conv2d(nn::Conv2dOptions(width << stage, teacherChannels[level], 1)));
    }
}

std::vector<torch::Tensor> PyramidStudentImpl::forward(const torch::Tensor& input, const std::vector<torch::Tensor>& teacher)
{
    const std::vector<torch::Tensor> stages = encoder->forward(input);
    std::vector<torch::Tensor> maps;
    for (size_t level = 0; level < teacher.size(); ++level) {
        torch::Tensor map = heads[level]->as<nn::Conv2d>()->forward(stages[std::min<size_t>(level, 3)]);
        if (map.sizes().slice(2) != teacher[level].sizes().slice(2))
            map = F::interpolate(
                map,
                F::InterpolateFuncOptions()
                    .size(std::vector<int64_t>(teacher[level].sizes().slice(2).begin(), teacher[level].sizes().slice(2).end()))
                    .mode(torch::kBilinear)
                    .align_corners(false));
        maps.push_back(map);
    }
    return maps;
}

PyramidDecoderImpl::PyramidDecoderImpl(int64_t in, int64_t width, const std::vector<int64_t>& teacherChannels)
{
    stages = register_module("stages", nn::ModuleList());
    heads = register_module("heads", nn::ModuleList());
    int64_t channels = in;
    for (auto level = int64_t(teacherChannels.size()) - 1; level >= 0; --level) {
        const int64_t out = width << std::min<int64_t>(level, 3);
        stages->push_back(ConvBlock(channels, out));
        heads->push_back(nn::Conv2d(nn::Conv2dOptions(out, teacherChannels[size_t(level)], 1)));
        channels = out;
    }
}

std::vector<torch::Tensor> PyramidDecoderImpl::forward(torch::Tensor x, const std::vector<torch::Tensor>& teacher)
{
    std::vector<torch::Tensor> maps(teacher.size());
    for (size_t step = 0; step < teacher.size(); ++step) {
        const size_t level = teacher.size() - 1 - step;
        x = F::interpolate(
            x,
            F::InterpolateFuncOptions()
                .size(std::vector<int64_t>(teacher[level].sizes().slice(2).begin(), teacher[level].sizes().slice(2).end()))
                .mode(torch::kBilinear)
                .align_corners(false));
        x = stages[step]->as<ConvBlock>()->forward(x);
        maps[level] = heads[step]->as<nn::Conv2d>()->forward(x);
    }
    return maps;
}

void toChannelsLast(torch::nn::Module& module)
{
    torch::NoGradGuard noGrad;
    for (torch::Tensor& parameter : module.parameters())
        if (parameter.dim() == 4)
            parameter.set_data(parameter.data().contiguous(torch::MemoryFormat::ChannelsLast));
}

void lockTorchSeed(bool lock, uint64_t seed)
{
    if (lock) {
        seedMutex.lock();
        torch::manual_seed(seed);
    } else {
        seedMutex.unlock();
    }
}

torch::Tensor ssimMap(const torch::Tensor& a, const torch::Tensor& b)
{
    const int64_t channels = a.size(1);
    const torch::Tensor window = gaussianWindow(channels, a.device()).to(a.dtype());
    const auto blur
        = [&](const torch::Tensor& x) { return F::conv2d(x, window, F::Conv2dFuncOptions().padding(5).groups(channels)); };
    const torch::Tensor muA = blur(a), muB = blur(b);
    const torch::Tensor varA = blur(a * a) - muA.pow(2), varB = blur(b * b) - muB.pow(2);
    const torch::Tensor covariance = blur(a * b) - muA * muB;
    constexpr double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
    const torch::Tensor ssim
        = ((2 * muA * muB + c1) * (2 * covariance + c2)) / ((muA.pow(2) + muB.pow(2) + c1) * (varA + varB + c2));
    return ssim.mean(1);
}

torch::Tensor ssimLoss(const torch::Tensor& a, const torch::Tensor& b)
{
    return 1 - ssimMap(a, b).mean();
}

torch::Tensor focalLoss(const torch::Tensor& logits, const torch::Tensor& targets)
{
    const torch::Tensor crossEntropy = torch::binary_cross_entropy_with_logits(logits, targets, {}, {}, at::Reduction::None);
    const torch::Tensor probability = torch::sigmoid(logits);
    const torch::Tensor missed = targets * (1 - probability) + (1 - targets) * probability;
    return (missed.pow(2) * crossEntropy).mean();
}

void writeModule(torch::serialize::OutputArchive& archive, const std::string& key, const torch::nn::Module& module)
{
    torch::serialize::OutputArchive weights;
    module.save(weights);
    archive.write(key, weights);
}

void readModule(torch::serialize::InputArchive& archive, const std::string& key, torch::nn::Module& module,
                const torch::Device& device)
{
    torch::serialize::InputArchive weights;
    archive.read(key, weights);
    module.load(weights);
    module.to(device);
}

} // namespace ds
