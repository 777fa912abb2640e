#pragma once
#include "core/detectors/Detector.h"

namespace ds {

DetectorInfo efficientAdInfo();

} // namespace ds
