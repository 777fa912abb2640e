#pragma once
#include "core/backbones/Backbone.h"

namespace ds {

// torchvision's ResNet-18 and Wide-ResNet-50-2 up to layer3, returning layer1..layer3 (layer4 and the classifier
// are never used for anomaly features), with torchvision's initialisation drawn from a
// fixed seed so the same name always yields the same network. Parameter names match
// torchvision's state_dict, so exported torchvision weights map one to one.
std::unique_ptr<Backbone> createResNet(const std::string& name, uint64_t seed);
std::unique_ptr<Backbone> loadResNet(const std::string& name, torch::serialize::InputArchive& weights);

} // namespace ds
