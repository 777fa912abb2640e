#pragma once
#include "core/detectors/Detector.h"

namespace ds {

DetectorInfo cutPasteInfo();

} // namespace ds
