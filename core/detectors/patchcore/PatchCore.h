#pragma once
#include "core/detectors/Detector.h"

namespace ds {

DetectorInfo patchCoreInfo();

} // namespace ds
