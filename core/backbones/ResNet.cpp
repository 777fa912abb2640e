#include "core/backbones/ResNet.h"

#include "core/backbones/BackboneCatalog.h"

#include "core/Error.h"

namespace ds {
namespace {

namespace nn = torch::nn;

nn::Conv2d conv(int in, int out, int kernel, int stride, int padding)
{
    return nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false));
}

// One residual block: BasicBlock (two 3x3) when bottleneckWidth == 0, else Bottleneck
// (1x1, 3x3, 1x1 with expansion 4), exactly as torchvision lays them out.
struct BlockImpl : nn::Module {
    BlockImpl(int in, int planes, int stride, int bottleneckWidth)
    {
        const bool bottleneck = bottleneckWidth > 0;
        const int out = bottleneck ? planes * 4 : planes;
        if (bottleneck) {
            conv1 = register_module("conv1", conv(in, bottleneckWidth, 1, 1, 0));
            bn1 = register_module("bn1", nn::BatchNorm2d(bottleneckWidth));
            conv2 = register_module("conv2", conv(bottleneckWidth, bottleneckWidth, 3, stride, 1));
            bn2 = register_module("bn2", nn::BatchNorm2d(bottleneckWidth));
            conv3 = register_module("conv3", conv(bottleneckWidth, out, 1, 1, 0));
            bn3 = register_module("bn3", nn::BatchNorm2d(out));
        } else {
            conv1 = register_module("conv1", conv(in, planes, 3, stride, 1));
            bn1 = register_module("bn1", nn::BatchNorm2d(planes));
            conv2 = register_module("conv2", conv(planes, planes, 3, 1, 1));
            bn2 = register_module("bn2", nn::BatchNorm2d(planes));
        }
        if (stride != 1 || in != out)
            downsample = register_module("downsample", nn::Sequential(conv(in, out, 1, stride, 0), nn::BatchNorm2d(out)));
    }

    torch::Tensor forward(const torch::Tensor& x)
    {
        torch::Tensor y = torch::relu(bn1(conv1(x)));
        y = bn2(conv2(y));
        if (conv3) {
            y = bn3(conv3(torch::relu(y)));
        }
        const torch::Tensor identity = downsample ? downsample->forward(x) : x;
        return torch::relu(y + identity);
    }

    nn::Conv2d conv1 {nullptr}, conv2 {nullptr}, conv3 {nullptr};
    nn::BatchNorm2d bn1 {nullptr}, bn2 {nullptr}, bn3 {nullptr};
    nn::Sequential downsample {nullptr};
};
TORCH_MODULE(Block);

struct Architecture {
    std::vector<int> blocks; // blocks in layer1..layer3
    bool bottleneck;
    int widthFactor; // Wide ResNet doubles the bottleneck width
};

Architecture architectureFor(const std::string& name)
{
    if (name == "resnet18")
        return {{2, 2, 2}, false, 1};
    if (name == "wide_resnet50_2")
        return {{3, 4, 6}, true, 2};
    throw InputError("unknown backbone '" + name + "' (use " + backboneChoices() + ")");
}

struct ResNetTrunkImpl : nn::Module {
    explicit ResNetTrunkImpl(const Architecture& arch)
    {
        conv1 = register_module("conv1", conv(3, 64, 7, 2, 3));
        bn1 = register_module("bn1", nn::BatchNorm2d(64));
        int in = 64;
        const int planes[3] = {64, 128, 256};
        nn::Sequential* layers[3] = {&layer1, &layer2, &layer3};
        for (int l = 0; l < 3; ++l) {
            nn::Sequential layer;
            for (int b = 0; b < arch.blocks[l]; ++b) {
                const int stride = (b == 0 && l > 0) ? 2 : 1;
                const int width = arch.bottleneck ? planes[l] * arch.widthFactor : 0;
                layer->push_back(Block(in, planes[l], stride, width));
                in = arch.bottleneck ? planes[l] * 4 : planes[l];
            }
            *layers[l] = register_module("layer" + std::to_string(l + 1), layer);
        }
    }

    std::vector<torch::Tensor> forward(const torch::Tensor& x)
    {
        torch::Tensor y = torch::max_pool2d(torch::relu(bn1(conv1(x))), 3, 2, 1);
        torch::Tensor f1 = layer1->forward(y);
        torch::Tensor f2 = layer2->forward(f1);
        torch::Tensor f3 = layer3->forward(f2);
        return {f1, f2, f3};
    }

    nn::Conv2d conv1 {nullptr};
    nn::BatchNorm2d bn1 {nullptr};
    nn::Sequential layer1 {nullptr}, layer2 {nullptr}, layer3 {nullptr};
};
TORCH_MODULE(ResNetTrunk);

// torchvision's ResNet init: Kaiming-normal (fan_out, ReLU) convolutions, BatchNorm
// weight 1 and bias 0.
void initialise(ResNetTrunk& trunk, uint64_t seed)
{
    torch::NoGradGuard noGrad;
    auto generator = at::detail::createCPUGenerator(seed);
    for (auto& module : trunk->modules(false)) {
        if (auto* c = module->as<nn::Conv2d>()) {
            auto& w = c->weight;
            const double fanOut = double(w.size(0)) * w.size(2) * w.size(3);
            w.normal_(0.0, std::sqrt(2.0 / fanOut), generator);
        } else if (auto* bn = module->as<nn::BatchNorm2d>()) {
            bn->weight.fill_(1.0);
            bn->bias.zero_();
        }
    }
}

class ResNetBackbone : public Backbone {
public:
    ResNetBackbone(std::string name, ResNetTrunk trunk)
        : name_(std::move(name))
        , trunk_(std::move(trunk))
    {
        trunk_->eval();
    }
    std::string name() const override { return name_; }
    std::vector<torch::Tensor> extract(const torch::Tensor& batch) override { return trunk_->forward(batch); }
    void to(const torch::Device& device) override { trunk_->to(device); }
    bool supportsNormalisationPass() const override { return true; }
    void beginNormalisationPass() override
    {
        for (auto& module : trunk_->modules(false))
            if (auto* bn = module->as<nn::BatchNorm2d>()) {
                bn->reset_running_stats();
                bn->options.momentum(c10::nullopt); // cumulative average over all batches
            }
        trunk_->train();
    }
    void endNormalisationPass() override
    {
        for (auto& module : trunk_->modules(false))
            if (auto* bn = module->as<nn::BatchNorm2d>())
                bn->options.momentum(0.1);
        trunk_->eval();
    }
    void save(torch::serialize::OutputArchive& archive) const override
    {
        archive.write("kind", c10::IValue(std::string("builtin")));
        archive.write("name", c10::IValue(name_));
        torch::serialize::OutputArchive weights;
        trunk_->save(weights);
        archive.write("weights", weights);
    }

private:
    std::string name_;
    ResNetTrunk trunk_;
};

} // namespace

std::unique_ptr<Backbone> createResNet(const std::string& name, uint64_t seed)
{
    ResNetTrunk trunk(architectureFor(name));
    initialise(trunk, seed);
    return std::make_unique<ResNetBackbone>(name, trunk);
}

std::unique_ptr<Backbone> loadResNet(const std::string& name, torch::serialize::InputArchive& weights)
{
    ResNetTrunk trunk(architectureFor(name));
    trunk->load(weights);
    return std::make_unique<ResNetBackbone>(name, trunk);
}

} // namespace ds
