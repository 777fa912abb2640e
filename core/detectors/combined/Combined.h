#pragma once
#include "core/detectors/Detector.h"

namespace ds {

DetectorInfo combinedInfo();

} // namespace ds
