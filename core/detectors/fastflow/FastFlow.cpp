#include "core/detectors/fastflow/FastFlow.h"

#include "core/detectors/FeatureNetworkDetector.h"
#include "core/networks/Networks.h"

#include <algorithm>

namespace ds {
namespace {

namespace nn = torch::nn;

constexpr NetworkBudgets kBudgets {{{128, 250}, {192, 600}, {256, 1500}}};
// Measured on the reference machine (2 cores): a step of 8-block flows on the filter
// bank's levels, 128-px crops (a ResNet-18 teacher's take about 0.55 s).
constexpr double kSecondsPerStep = 0.4;
// Glow's soft clamp on the coupling's log-scale keeps early steps from overflowing.
constexpr double kScaleClamp = 2.0;

NetworkBudget budgetOf(const DetectorSettings& settings)
{
    return chosenBudget(settings, kBudgets);
}

// Glow's activation normalisation: a per-channel shift and scale set from the first
// training batch, so each channel starts at zero mean and unit spread, then learnt.
struct ActNormImpl : nn::Module {
    explicit ActNormImpl(int64_t channels)
    {
        shift = register_parameter("shift", torch::zeros({1, channels, 1, 1}));
        logScale = register_parameter("log_scale", torch::zeros({1, channels, 1, 1}));
        initialised = register_buffer("initialised", torch::zeros({1}));
    }

    // Adds each sample's log-determinant to logDeterminant (B).
    torch::Tensor forward(const torch::Tensor& x, torch::Tensor& logDeterminant)
    {
        if (is_training() && initialised.item<float>() == 0.0F) {
            torch::NoGradGuard noGrad;
            shift.copy_(-x.mean({0, 2, 3}, true));
            // A channel silent in the first batch is not blown up: the spread is floored
            // at a tenth of the level's mean (else one later value there swamps the map).
            const torch::Tensor spread = x.std({0, 2, 3}, false, true);
            logScale.copy_(-torch::log(spread.clamp_min(0.1 * spread.mean().item<double>() + 1e-12)));
            initialised.fill_(1.0F);
        }
        logDeterminant = logDeterminant + logScale.sum() * double(x.size(2) * x.size(3));
        return (x + shift) * torch::exp(logScale);
    }

    torch::Tensor shift, logScale, initialised;
};
TORCH_MODULE(ActNorm);

// RealNVP's affine coupling: half the channels, through a small convolutional network,
// give a scale and shift for the other half; then a fixed random channel permutation so
// every channel is transformed in turn. Starts as the identity (last layer zero).
struct CouplingImpl : nn::Module {
    CouplingImpl(int64_t channels, int64_t kernel)
        : kept(channels / 2)
    {
        const int64_t changed = channels - kept;
        const auto options = [&](int64_t in, int64_t out) { return nn::Conv2dOptions(in, out, kernel).padding(kernel / 2); };
        nn::Conv2d last(options(channels, 2 * changed));
        nn::init::zeros_(last->weight);
        nn::init::zeros_(last->bias);
        subnet = register_module("subnet", nn::Sequential(nn::Conv2d(options(kept, channels)), nn::ReLU(true), last));
        permutation = register_buffer("permutation", torch::randperm(channels));
    }

    torch::Tensor forward(const torch::Tensor& x, torch::Tensor& logDeterminant)
    {
        const torch::Tensor fixed = x.narrow(1, 0, kept);
        const torch::Tensor scaleShift = subnet->forward(fixed);
        const int64_t changed = x.size(1) - kept;
        const torch::Tensor logScale = kScaleClamp * torch::tanh(scaleShift.narrow(1, 0, changed) / kScaleClamp);
        const torch::Tensor moved = x.narrow(1, kept, changed) * torch::exp(logScale) + scaleShift.narrow(1, changed, changed);
        logDeterminant = logDeterminant + logScale.sum({1, 2, 3});
        return torch::cat({fixed, moved}, 1).index_select(1, permutation);
    }

    int64_t kept;
    nn::Sequential subnet {nullptr};
    torch::Tensor permutation;
};
TORCH_MODULE(Coupling);

// One flow per teacher level: ActNorm, then couplings whose subnets alternate 3x3 and 1x1
// convolutions (as FastFlow's for ResNet-18), mapping good features to a unit Gaussian.
struct FlowPyramidImpl : nn::Module {
    FlowPyramidImpl(const std::vector<int64_t>& teacherChannels, int64_t blocks)
    {
        levels = register_module("levels", nn::ModuleList());
        for (const int64_t channels : teacherChannels) {
            nn::ModuleList flow;
            flow->push_back(ActNorm(channels));
            for (int64_t block = 0; block < blocks; ++block)
                flow->push_back(Coupling(channels, block % 2 == 0 ? 3 : 1));
            levels->push_back(flow);
        }
    }

    // Per level, the Gaussian variables (B x C x h x w) and each sample's log-determinant.
    std::vector<std::pair<torch::Tensor, torch::Tensor>> forward(const std::vector<torch::Tensor>& teacher)
    {
        std::vector<std::pair<torch::Tensor, torch::Tensor>> levelsOut;
        for (size_t level = 0; level < teacher.size(); ++level) {
            torch::Tensor x = teacher[level];
            torch::Tensor logDeterminant = torch::zeros({x.size(0)}, x.options());
            const auto& flow = levels[level]->as<nn::ModuleList>();
            x = (*flow)[0]->as<ActNorm>()->forward(x, logDeterminant);
            for (size_t block = 1; block < flow->size(); ++block)
                x = (*flow)[block]->as<Coupling>()->forward(x, logDeterminant);
            levelsOut.emplace_back(x, logDeterminant);
        }
        return levelsOut;
    }

    nn::ModuleList levels {nullptr};
};
TORCH_MODULE(FlowPyramid);

// FastFlow (Yu et al., 2021): a normalising flow learns the density of the teacher's
// features on good images, per place and level; where a feature is unlikely, the image
// holds something the good images did not. The map is 1 - each place's likelihood per
// value, exp(-|z|^2 / 2C), averaged over levels: 0 where a place is typical, near 1 where
// it is unlikely (the paper's minus the likelihood, shifted so maps stay positive).
class FastFlow : public FeatureNetworkDetector {
public:
    explicit FastFlow(const DetectorSettings& settings)
        : FeatureNetworkDetector(settings, budgetOf(settings), "Training the flow on the teacher's features of the good images",
                                 "flow loss")
    {
    }

protected:
    std::shared_ptr<nn::Module> buildNetwork(const std::vector<int64_t>& teacherChannels) override
    {
        flow_ = seededConstruction(settings_.seed + 1,
                                   [&] { return FlowPyramid(teacherChannels, int64_t(parameter("flow_blocks"))); });
        return flow_.ptr();
    }

    // The negative log-likelihood per feature value, summed over levels.
    torch::Tensor trainingLoss(const torch::Tensor& input, const std::vector<torch::Tensor>& teacher) override
    {
        torch::Tensor loss = torch::zeros({}, input.options());
        for (const auto& [variables, logDeterminant] : flow_->forward(teacher)) {
            const double values = double(variables.numel() / variables.size(0));
            loss = loss + (0.5 * variables.pow(2).sum({1, 2, 3}) - logDeterminant).mean() / values;
        }
        return loss;
    }

    std::vector<torch::Tensor> levelDistances(const torch::Tensor&, const std::vector<torch::Tensor>& teacher) override
    {
        std::vector<torch::Tensor> distances;
        for (const auto& levelOut : flow_->forward(teacher))
            distances.push_back(1.0 - torch::exp(-0.5 * levelOut.first.pow(2).mean(1)));
        return distances;
    }

    torch::Tensor combineLevels(const std::vector<torch::Tensor>& distances) const override
    {
        return torch::stack(distances).mean(0);
    }

private:
    FlowPyramid flow_ {nullptr};
};

} // namespace

DetectorInfo fastFlowInfo()
{
    return {"fastflow",
            "FastFlow (normalising flow)",
            "Learns how likely each place's features from the teacher backbone are on the good images, with a "
            "normalising flow; a defect is where they are unlikely. The teacher is the backbone setting; training "
            "takes minutes.",
            {trainingBudgetParameter("Quick: 128 px, 250 steps. Balanced: 192 px, 600 steps. Thorough: 256 px, "
                                     "1500 steps. Longer training models the good features' density more closely."),
             trainingStepsParameter(),
             {"flow_blocks",
              "Flow blocks",
              "Coupling blocks per level; more blocks model a more complex density and train slower.",
              8,
              2,
              16,
              true,
              {}}},
            [](const DetectorSettings& settings) { return std::make_unique<FastFlow>(settings); },
            [](const DetectorSettings& settings) {
                return budgetOf(settings).steps * kSecondsPerStep * settings.parameters.at("flow_blocks") / 8.0;
            },
            true,
            false};
}

} // namespace ds
