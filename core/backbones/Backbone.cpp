#include "core/backbones/Backbone.h"

#include "core/Error.h"
#include "core/backbones/BackboneCatalog.h"
#include "core/backbones/FilterBank.h"
#include "core/backbones/ResNet.h"
#include "core/backbones/SelfSupervised.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace ds {
namespace {

// A user-supplied TorchScript module whose forward(x) returns a tuple or list of at
// least two 4-D feature maps, finest first (see packaging/export_backbone.py).
class TorchScriptBackbone : public Backbone {
public:
    TorchScriptBackbone(std::string name, std::string bytes)
        : name_(std::move(name))
        , bytes_(std::move(bytes))
    {
        std::istringstream in(bytes_);
        try {
            module_ = torch::jit::load(in);
        } catch (const c10::Error& e) {
            throw InputError(name_ + ": not a TorchScript module (" + firstLine(e.what()) + ")");
        }
        module_.eval();
        validate();
    }

    std::string name() const override { return name_; }

    std::vector<torch::Tensor> extract(const torch::Tensor& batch) override
    {
        const c10::IValue output = module_.forward({batch});
        std::vector<torch::Tensor> maps;
        if (output.isTuple()) {
            for (const auto& element : output.toTupleRef().elements())
                if (element.isTensor())
                    maps.push_back(element.toTensor());
        } else if (output.isTensorList()) {
            for (const auto& tensor : output.toTensorVector())
                maps.push_back(tensor);
        } else if (output.isList()) {
            for (const auto& element : output.toListRef())
                if (element.isTensor())
                    maps.push_back(element.toTensor());
        }
        if (maps.size() < 2)
            throw InputError(name_
                             + ": forward() must return a tuple of at least two feature maps, finest first "
                               "(e.g. layer1, layer2, layer3)");
        return maps;
    }

    void to(const torch::Device& device) override { module_.to(device); }

    void save(torch::serialize::OutputArchive& archive) const override
    {
        archive.write("kind", c10::IValue(std::string("torchscript")));
        archive.write("name", c10::IValue(name_));
        const auto data = torch::from_blob(const_cast<char*>(bytes_.data()), {int64_t(bytes_.size())}, torch::kUInt8);
        archive.write("file", data.clone());
    }

private:
    static std::string firstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

    // Fails at load time, with a clear message, rather than in the middle of training.
    void validate()
    {
        torch::NoGradGuard noGrad;
        std::vector<torch::Tensor> maps;
        try {
            maps = extract(torch::zeros({1, 3, 64, 64}));
        } catch (const InputError&) {
            throw;
        } catch (const std::exception& e) {
            throw InputError(name_ + ": forward() fails on a 1x3x64x64 image (" + firstLine(e.what()) + ")");
        }
        for (const auto& map : maps)
            if (map.dim() != 4 || map.size(0) != 1)
                throw InputError(name_ + ": feature maps must be 4-D (batch, channels, height, width)");
    }

    std::string name_;
    std::string bytes_;
    torch::jit::Module module_;
};

std::string readWholeFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(path + ": backbone file cannot be read");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

} // namespace

void Backbone::learn(const std::vector<cv::Mat>&, const BatchMaker&, int, JobContext&) { }

std::vector<std::string> builtinBackbones()
{
    return {"filterbank", "resnet18", "wide_resnet50_2", "selfsup"};
}

std::string backboneChoices()
{
    std::string choices;
    for (const auto& builtin : builtinBackbones())
        choices += builtin + ", ";
    return choices.substr(0, choices.size() - 2) + " or a TorchScript .pt file";
}

bool isBuiltinBackbone(const std::string& name)
{
    for (const auto& builtin : builtinBackbones())
        if (builtin == name)
            return true;
    return false;
}

std::unique_ptr<Backbone> createBackbone(const std::string& spec, uint64_t seed)
{
    if (spec == "filterbank")
        return createFilterBank();
    if (spec == "selfsup")
        return createSelfSupervised(seed);
    if (isBuiltinBackbone(spec))
        return createResNet(spec, seed);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(spec, ec))
        throw InputError("unknown backbone '" + spec + "': use " + backboneChoices());
    return std::make_unique<TorchScriptBackbone>(std::filesystem::path(spec).filename().string(), readWholeFile(spec));
}

std::unique_ptr<Backbone> loadBackbone(torch::serialize::InputArchive& archive)
{
    c10::IValue kind, name;
    archive.read("kind", kind);
    archive.read("name", name);
    if (kind.toStringRef() == "builtin" && name.toStringRef() == "filterbank")
        return createFilterBank();
    if (kind.toStringRef() == "builtin" && name.toStringRef() == "selfsup")
        return loadSelfSupervised(archive);
    if (kind.toStringRef() == "builtin") {
        torch::serialize::InputArchive weights;
        archive.read("weights", weights);
        return loadResNet(name.toStringRef(), weights);
    }
    torch::Tensor file;
    archive.read("file", file);
    const auto* data = file.data_ptr<uint8_t>();
    return std::make_unique<TorchScriptBackbone>(name.toStringRef(),
                                                 std::string(reinterpret_cast<const char*>(data), size_t(file.numel())));
}

} // namespace ds
