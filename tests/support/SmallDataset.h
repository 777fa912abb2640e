#pragma once
// The small synthetic dataset and fast model settings that the project, inspection and
// workbench tests train on: the machined part at 64 px, 12 good training images, 4 good
// test images and testDefectsPerType images of each defect type, with masks.
#include "core/detectors/Detector.h"
#include "datasets/SyntheticDataset.h"

#include <string>

namespace ds::test {

inline SyntheticSpec smallPartSpec(int testDefectsPerType = 2)
{
    SyntheticSpec spec;
    spec.category = "part";
    spec.imageSize = 64;
    spec.trainGood = 12;
    spec.testGood = 4;
    spec.testDefectsPerType = testDefectsPerType;
    return spec;
}

inline int testImageCount(const SyntheticSpec& spec)
{
    return spec.testGood + spec.testDefectsPerType * int(defectTypes(spec.category).size());
}

inline DetectorSettings smallSettings(const std::string& method = "padim")
{
    DetectorSettings settings;
    settings.method = method;
    settings.backbone = "resnet18";
    settings.imageSize = 64;
    return settings;
}

} // namespace ds::test
