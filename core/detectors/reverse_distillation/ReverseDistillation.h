#pragma once
#include "core/detectors/Detector.h"

namespace ds {

DetectorInfo reverseDistillationInfo();

} // namespace ds
