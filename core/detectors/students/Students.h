#pragma once
#include "core/detectors/Detector.h"

namespace ds {

DetectorInfo studentsInfo();

} // namespace ds
