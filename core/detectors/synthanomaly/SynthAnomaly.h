#pragma once
#include "core/detectors/Detector.h"

namespace ds {

DetectorInfo synthAnomalyInfo();

} // namespace ds
