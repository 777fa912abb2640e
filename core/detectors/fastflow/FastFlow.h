#pragma once
#include "core/detectors/Detector.h"

namespace ds {

DetectorInfo fastFlowInfo();

} // namespace ds
