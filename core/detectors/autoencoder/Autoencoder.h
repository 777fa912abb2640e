#pragma once
#include "core/detectors/Detector.h"

namespace ds {

DetectorInfo autoencoderInfo();

} // namespace ds
