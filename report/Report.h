#pragma once
// Reports for stakeholders on one model's results (core/review/ReportData): the project,
// the model, its metrics with score histogram and ROC curve, the highest-scoring flagged
// images with their heatmap overlays, what reviewers decided and how the project's other
// models compare. Needs a QGuiApplication (the offscreen platform will do); may run on any
// thread. Each file is written under a temporary name and renamed over `path` once
// complete, so `path` holds the old file or the whole new one. Throws ds::Error naming the
// path when it cannot be written.
#include "core/review/ReportData.h"

#include <string>

namespace ds {

// One self-contained HTML file: images embedded as PNG data URIs, nothing to fetch.
// Metric values sit in <td class="metric" id="..."> cells (ids: image-auroc, pixel-auroc,
// aupro, f1-max, f1-threshold, threshold, true-positives, false-positives, true-negatives,
// false-negatives, precision, recall, ms-per-image, train-seconds); "—" when the run
// cannot measure one, with a note why. Flagged images are rows <tr class="flagged-image">.
void writeHtmlReport(const ReportData& report, const std::string& path);

// The same content as an A4 PDF with a footer (title, page n of m): summary, metrics and
// plots on the first page; flagged images from the second, eight to a page; reviewers and
// the model comparison on a page of their own.
void writePdfReport(const ReportData& report, const std::string& path);

} // namespace ds
