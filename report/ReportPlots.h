#pragma once
// The report's charts, drawn with QPainter onto QImage (no widgets, so any thread will do).
// Images are rendered at twice their logical size (devicePixelRatio 2) to stay sharp in
// print; deviceIndependentSize() is the size to show them at.
#include "core/review/ReportData.h"

#include <QImage>
#include <QPointF>
#include <QString>

#include <optional>
#include <vector>

namespace ds::report {

// Score histogram of the run's good, defective and (when any) unknown images over the same
// bins, with the threshold as a vertical line.
QImage scoreHistogram(const std::vector<ScoredImage>& images, double threshold, QSize size);

struct RocSeries {
    QString name; // empty: the legend gives the AUROC alone
    std::vector<float> scores; // both classes present (rocCurve needs them)
    std::vector<int> labels;
};
// ROC curves, one colour each, with their AUROC in the legend; operatingPoint (fpr, tpr)
// is marked on the first curve.
QImage rocPlot(const std::vector<RocSeries>& series, std::optional<QPointF> operatingPoint, QSize size);

} // namespace ds::report
