#pragma once
#include "core/detectors/Detector.h"

namespace ds {

DetectorInfo draemInfo();

} // namespace ds
