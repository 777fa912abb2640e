#pragma once
#include <string>
#include <vector>

namespace ds {

// Names of the architectures DefectScope builds itself (no weights file needed).
// Any other backbone is a path to a TorchScript file (see packaging/export_backbone.py).
std::vector<std::string> builtinBackbones();

bool isBuiltinBackbone(const std::string& name);

// Seconds the self-learned backbone ("selfsup") trains for on the reference machine, for
// steps training steps (0: its default).
double selfSupervisedLearningSeconds(int steps = 0);

// "filterbank, resnet18, wide_resnet50_2 or a TorchScript .pt file", for messages.
std::string backboneChoices();

} // namespace ds
