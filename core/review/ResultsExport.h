#pragma once
// A run's results for use outside DefectScope: one CSV with a row per scored image, and
// optionally PNGs of each image's overlay, heatmap and mask.
#include "core/jobs/ImageBatchLoader.h"
#include "core/jobs/JobContext.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ds {

struct ResultsExportOptions {
    std::string csvPath;
    std::string pngFolder; // empty: no PNGs; created when missing
    bool overlays = true, heatmaps = true, masks = true;
};

struct ResultsExportReport {
    int rows = 0; // CSV rows, header not counted
    int pngs = 0; // PNG files written
    std::vector<SkippedFile> skipped; // images whose overlay could not be drawn (unreadable original)
};

// One CSV row per image of the run, ordered by image id (RFC 4180 quoting, '\n' line ends),
// header:
//     path,score,model_verdict,human_verdict,defect_types,label
// model_verdict "defect"/"good" at threshold (score >= threshold is a defect);
// human_verdict the image's latest review, "defect"/"good"/"unsure", or "" when unreviewed;
// defect_types: names of the types present in the image's mask, ';'-separated in id order
// ("untyped" for kUntypedDefect and for values no type has); label the image's label.
// PNGs, per image that has what they show: <id>_<stem>_overlay.png (heatmap over the
// image at threshold, ground truth outlined), <id>_<stem>_heatmap.png, <id>_<stem>_mask.png
// (the mask's stored values: 0, type ids, 255). Every file is written atomically (temporary
// name, then rename), the CSV last, so a CSV exists only when the whole export succeeded.
// Throws ds::Error, before writing anything, when the CSV's folder does not exist or the
// run is unknown; ds::Cancelled when job is cancelled.
ResultsExportReport exportResults(const std::string& projectPath, std::int64_t runId, double threshold,
                                  const ResultsExportOptions& options, JobContext& job);

} // namespace ds
