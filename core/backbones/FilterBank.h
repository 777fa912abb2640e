#pragma once
#include "core/backbones/Backbone.h"

namespace ds {

// A fixed multi-scale bank of Gaussian-derivative filters (the "local jet" of classical
// texture analysis): per colour channel the smoothed value, both first and all three
// second derivatives, and the local energy (mean absolute response) of each derivative,
// at sigma 1 and 2 px (stride-4 map), 4 px (stride 8), 8 and 16 px (stride 16). No weights, no seed:
// the same bank for everyone, sensitive by design to blobs, lines and edges.
std::unique_ptr<Backbone> createFilterBank();

} // namespace ds
