#pragma once
#include <opencv2/core.hpp>

#include <vector>

// Evaluation metrics for anomaly detection. Image-level functions take one score per
// image (higher = more anomalous) and one label per image (1 = defective, 0 = good);
// a score s is called defective at threshold t when s >= t. All functions are exact:
// scores are sorted once and equal scores are treated as one threshold step.
// Invalid input (size mismatch, missing class, NaN score, label other than 0/1)
// throws ds::Error.
namespace ds {

// Area under the ROC curve, in [0, 1]. Tied scores count half (trapezoid over each
// tie group). Needs at least one defective and one good sample.
double rocAuc(const std::vector<float>& scores, const std::vector<int>& labels);

// One point per distinct score, plus a first point (fpr 0, tpr 0, threshold +inf)
// where nothing is flagged. thresholds are descending; point i is the (fpr, tpr)
// of "score >= thresholds[i]". No collinear points are dropped. Needs both classes.
struct RocCurve {
    std::vector<double> fpr, tpr, thresholds;
};
RocCurve rocCurve(const std::vector<float>& scores, const std::vector<int>& labels);

// Best F1 over all thresholds "score >= t". threshold is the midpoint between the
// lowest score flagged defective and the next lower distinct score, so the same
// samples are flagged with some margin on both sides; when every sample is flagged
// it is the lowest score itself. Among equal F1 values the highest threshold wins.
// Needs at least one defective sample.
struct F1Result {
    double f1 = 0;
    double threshold = 0;
    double precision = 0;
    double recall = 0;
};
F1Result f1Max(const std::vector<float>& scores, const std::vector<int>& labels);

// Pixel-level metrics. maps[i] is a single-channel CV_32F anomaly map; masks[i] is a
// single-channel CV_8U ground truth of the same size (non-zero = defect), or an empty
// Mat meaning "no defect in this image". Every pixel of every image is one sample.

// ROC AUC over all pixels of all images. Needs defect and good pixels.
double pixelAuroc(const std::vector<cv::Mat>& maps, const std::vector<cv::Mat>& masks);

// Area under the per-region-overlap curve as in MVTec AD (Bergmann et al.). PRO at a
// threshold is the overlap with the detection averaged over every connected defect
// region (8-connectivity) of every image; it is plotted against the FPR over all
// defect-free pixels. The curve starts at (0, 0), gets one point per distinct score,
// is integrated by trapezoid up to fprLimit (interpolated linearly there) and divided
// by fprLimit, so a perfect detector scores 1. fprLimit must be in (0, 1].
double aupro(const std::vector<cv::Mat>& maps, const std::vector<cv::Mat>& masks, double fprLimit = 0.3);

} // namespace ds
