#pragma once
#include "core/detectors/Detector.h"

namespace ds {

DetectorInfo spadeInfo();

} // namespace ds
