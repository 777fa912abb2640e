#pragma once
#include "core/detectors/Detector.h"

namespace ds {

DetectorInfo padimInfo();

} // namespace ds
