#pragma once
#include "core/detectors/Detector.h"

namespace ds {

DetectorInfo stfpmInfo();

} // namespace ds
