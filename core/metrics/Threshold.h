#pragma once
#include <vector>

// Choosing the image-level decision threshold: a score s is defective when s >= t.
// Labels are 1 = defective, 0 = good. Invalid input throws ds::Error.
namespace ds {

// With labelled defects: the F1-optimal threshold on the given scores, i.e.
// f1Max(scores, labels).threshold (midpoint between the lowest flagged score and the
// next lower one). Needs at least one defective sample.
double f1OptimalThreshold(const std::vector<float>& scores, const std::vector<int>& labels);

// With good images only: the given quantile (in [0, 1]) of scores on good images held
// out from training, linearly interpolated between order statistics (numpy's default),
// so that the default does not flag every good image. Scores are taken by value
// because they are partially reordered.
double goodQuantileThreshold(std::vector<float> heldOutGoodScores, double quantile = 0.99);

// The default with good images only: the 0.99 quantile of the held-out good scores, but
// never below their mean + 3 standard deviations (the process-control limit). With a
// handful of held-out images the quantile is just their maximum, which a long-tailed
// score distribution overshoots on the next good parts; the 3-sigma limit bounds it.
double goodImagesThreshold(const std::vector<float>& heldOutGoodScores);

struct Confusion {
    int tp = 0, fp = 0, tn = 0, fn = 0;
};
// Counts with "score >= threshold" meaning defective.
Confusion confusionAt(const std::vector<float>& scores, const std::vector<int>& labels, double threshold);

} // namespace ds
