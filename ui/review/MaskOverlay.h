#pragma once
#include "core/ProjectTypes.h"

#include <QColor>
#include <QString>

#include <opencv2/core.hpp>

#include <vector>

namespace ds::ui {

// The colour regions of no particular type (kUntypedDefect) are drawn in.
inline const QColor kUntypedDefectColour(255, 0, 255);

// The colour a mask value is drawn in: its defect type's, else the untyped colour (255 and
// ids of types that no longer exist).
QColor maskValueColour(int value, const std::vector<DefectType>& types);

// What a mask value is called: its defect type's name, else "untyped".
QString defectTypeName(int value, const std::vector<DefectType>& types);

// A defect mask over a CV_8UC3 BGR image (e.g. renderOverlay's): each region filled with
// its type's colour at opacity and outlined in green, as the overlay outlines ground truth.
// mask: CV_8UC1 at the image's size.
cv::Mat drawMaskOverlay(const cv::Mat& bgr, const cv::Mat& mask, const std::vector<DefectType>& types, double opacity);

} // namespace ds::ui
