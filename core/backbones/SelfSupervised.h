#pragma once
#include "core/backbones/Backbone.h"

namespace ds {

// A backbone learned from the user's own good images, with no weights from anywhere
// else: a compact ResNet-18-shaped encoder (core/networks) trained during fit on
// CutPaste's pretext task -- tell intact images from ones with a patch cut and pasted
// elsewhere and from ones with a thin scar (Li et al., CVPR 2021) -- then frozen. Returns
// its first three stages (strides 4, 8, 16), like the builtin ResNets.
std::unique_ptr<Backbone> createSelfSupervised(uint64_t seed);
std::unique_ptr<Backbone> loadSelfSupervised(torch::serialize::InputArchive& archive);

} // namespace ds
