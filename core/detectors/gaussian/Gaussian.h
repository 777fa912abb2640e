#pragma once
#include "core/detectors/Detector.h"

namespace ds {

DetectorInfo gaussianInfo();

} // namespace ds
