#pragma once
#include "core/jobs/JobContext.h"
#include "core/synthesis/AnomalyGenerator.h"

#include <string>
#include <vector>

namespace ds {

struct SynthesisPreviewOptions {
    int count = 16; // samples to draw
    int side = 256; // each good image squashed to side x side first, as a model sees it
    uint64_t seed = 0;
    AnomalyMix mix;
};

// Draws generated defects on good images (picked in turn from goodImages, each sample
// also given the others as NSA donors) and writes into outFolder, atomically:
// sample_NN.png (the image), sample_NN_mask.png, and preview.png, a sheet of every sample
// with its mask outlined, so a person can see what a network is taught. Returns the
// paths written. Throws ds::InputError for unreadable images, ds::Error when writing fails.
std::vector<std::string> writeSynthesisPreview(const std::vector<std::string>& goodImages, const std::string& outFolder,
                                               const SynthesisPreviewOptions& options, JobContext& job);

} // namespace ds
