#include "core/metrics/Metrics.h"

#include "core/Error.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

namespace ds {
namespace {

// A sample packed into 8 bytes so that 13M pixels sort as plain integers: the high
// 32 bits are the score, the low 32 bits a payload (a 0/1 label, or a region id).
using SortKey = std::uint64_t;

// IEEE-754 floats order like sign-magnitude integers; flipping all bits of negatives
// and the sign bit of positives makes the unsigned order match the float order.
std::uint32_t orderedBits(float score)
{
    if (score == 0.0f)
        score = 0.0f; // -0 and +0 are one tie group
    std::uint32_t bits;
    std::memcpy(&bits, &score, sizeof bits);
    return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}

float scoreFromOrderedBits(std::uint32_t ordered)
{
    const std::uint32_t bits = (ordered & 0x80000000u) ? (ordered & 0x7fffffffu) : ~ordered;
    float score;
    std::memcpy(&score, &bits, sizeof score);
    return score;
}

SortKey makeKey(float score, std::uint32_t payload)
{
    return (SortKey(orderedBits(score)) << 32) | payload;
}

std::uint32_t payloadOf(SortKey key)
{
    return std::uint32_t(key);
}

// Walks runs of equal score in keys sorted ascending, from the highest score down:
// every threshold step of a metric is one run.
class TieGroupsDescending {
public:
    explicit TieGroupsDescending(const std::vector<SortKey>& sortedKeys)
        : first_(sortedKeys.data())
        , begin_(first_ + sortedKeys.size())
        , end_(begin_)
    {
    }

    bool next()
    {
        end_ = begin_;
        if (end_ == first_)
            return false;
        const SortKey scoreBits = end_[-1] >> 32;
        begin_ = end_ - 1;
        while (begin_ != first_ && (begin_[-1] >> 32) == scoreBits)
            --begin_;
        return true;
    }

    float score() const { return scoreFromOrderedBits(std::uint32_t(*begin_ >> 32)); }
    const SortKey* begin() const { return begin_; }
    const SortKey* end() const { return end_; }

    // For 0/1 label payloads.
    std::int64_t defectiveCount() const
    {
        std::int64_t count = 0;
        for (const SortKey* key = begin_; key != end_; ++key)
            count += payloadOf(*key);
        return count;
    }
    std::int64_t size() const { return end_ - begin_; }

private:
    const SortKey* first_;
    const SortKey* begin_;
    const SortKey* end_;
};

struct LabelledKeys {
    std::vector<SortKey> keys; // sorted ascending, payload = label
    std::int64_t defective = 0;
    std::int64_t good = 0;
};

void checkScore(float score, const char* function)
{
    if (std::isnan(score))
        throw Error(std::string(function) + ": a score is NaN");
}

LabelledKeys sortedLabelledKeys(const std::vector<float>& scores, const std::vector<int>& labels, const char* function)
{
    if (scores.size() != labels.size())
        throw Error(std::string(function) + ": " + std::to_string(scores.size()) + " scores but " + std::to_string(labels.size())
                    + " labels");
    if (scores.empty())
        throw Error(std::string(function) + ": no scores");
    LabelledKeys result;
    result.keys.reserve(scores.size());
    for (std::size_t i = 0; i < scores.size(); ++i) {
        checkScore(scores[i], function);
        if (labels[i] != 0 && labels[i] != 1)
            throw Error(std::string(function) + ": label " + std::to_string(labels[i])
                        + " is neither 0 (good) nor 1 (defective)");
        result.keys.push_back(makeKey(scores[i], std::uint32_t(labels[i])));
        result.defective += labels[i];
    }
    result.good = std::int64_t(scores.size()) - result.defective;
    std::sort(result.keys.begin(), result.keys.end());
    return result;
}

void requireBothClasses(const LabelledKeys& samples, const char* function, const char* unit)
{
    if (samples.defective == 0 || samples.good == 0)
        throw Error(std::string(function) + ": needs both defective and good " + unit + ", got "
                    + std::to_string(samples.defective) + " defective and " + std::to_string(samples.good) + " good");
}

// Trapezoid over tie groups in integer arithmetic: a group adding dTp defective and
// dFp good samples after tp defective ones contributes dFp * (2 tp + dTp) / (2 P N),
// which is the pairwise count "defective ranked above good, ties count half".
double aucOfSortedKeys(const LabelledKeys& samples)
{
    std::int64_t twiceArea = 0; // at most 2 P N, far below 2^63 for any image set
    std::int64_t tp = 0;
    TieGroupsDescending groups(samples.keys);
    while (groups.next()) {
        const std::int64_t dTp = groups.defectiveCount();
        const std::int64_t dFp = groups.size() - dTp;
        twiceArea += dFp * (2 * tp + dTp);
        tp += dTp;
    }
    return double(twiceArea) / (2.0 * double(samples.defective) * double(samples.good));
}

// Validates the pixel-level inputs and returns the total number of pixels.
std::size_t checkMapsAndMasks(const std::vector<cv::Mat>& maps, const std::vector<cv::Mat>& masks, const char* function)
{
    const std::string prefix = std::string(function) + ": ";
    if (maps.size() != masks.size())
        throw Error(prefix + std::to_string(maps.size()) + " anomaly maps but " + std::to_string(masks.size()) + " masks");
    if (maps.empty())
        throw Error(prefix + "no anomaly maps");
    std::size_t pixels = 0;
    for (std::size_t i = 0; i < maps.size(); ++i) {
        const std::string image = "image " + std::to_string(i) + ": ";
        if (maps[i].empty() || maps[i].type() != CV_32FC1)
            throw Error(prefix + image + "anomaly map must be a non-empty single-channel CV_32F Mat");
        if (!masks[i].empty()) {
            if (masks[i].type() != CV_8UC1)
                throw Error(prefix + image + "mask must be a single-channel CV_8U Mat");
            if (masks[i].size() != maps[i].size())
                throw Error(prefix + image + "mask is " + std::to_string(masks[i].cols) + "x" + std::to_string(masks[i].rows)
                            + " but anomaly map is " + std::to_string(maps[i].cols) + "x" + std::to_string(maps[i].rows));
        }
        pixels += maps[i].total();
    }
    // Region ids travel in the 32-bit payload of a SortKey.
    if (pixels >= std::numeric_limits<std::uint32_t>::max())
        throw Error(prefix + "too many pixels");
    return pixels;
}

} // namespace

double rocAuc(const std::vector<float>& scores, const std::vector<int>& labels)
{
    const LabelledKeys samples = sortedLabelledKeys(scores, labels, "rocAuc");
    requireBothClasses(samples, "rocAuc", "samples");
    return aucOfSortedKeys(samples);
}

RocCurve rocCurve(const std::vector<float>& scores, const std::vector<int>& labels)
{
    const LabelledKeys samples = sortedLabelledKeys(scores, labels, "rocCurve");
    requireBothClasses(samples, "rocCurve", "samples");
    RocCurve curve;
    curve.fpr.push_back(0.0);
    curve.tpr.push_back(0.0);
    curve.thresholds.push_back(std::numeric_limits<double>::infinity());
    std::int64_t tp = 0, fp = 0;
    TieGroupsDescending groups(samples.keys);
    while (groups.next()) {
        const std::int64_t dTp = groups.defectiveCount();
        tp += dTp;
        fp += groups.size() - dTp;
        curve.fpr.push_back(double(fp) / double(samples.good));
        curve.tpr.push_back(double(tp) / double(samples.defective));
        curve.thresholds.push_back(groups.score());
    }
    return curve;
}

F1Result f1Max(const std::vector<float>& scores, const std::vector<int>& labels)
{
    const LabelledKeys samples = sortedLabelledKeys(scores, labels, "f1Max");
    if (samples.defective == 0)
        throw Error("f1Max: needs at least one defective sample");
    F1Result best;
    // best.threshold holds the cut score until the next lower score is known.
    bool bestIsPreviousGroup = false;
    std::int64_t tp = 0, fp = 0;
    TieGroupsDescending groups(samples.keys);
    while (groups.next()) {
        if (bestIsPreviousGroup) {
            best.threshold = (best.threshold + double(groups.score())) / 2.0;
            bestIsPreviousGroup = false;
        }
        const std::int64_t dTp = groups.defectiveCount();
        tp += dTp;
        fp += groups.size() - dTp;
        // F1 = 2 TP / (2 TP + FP + FN) and TP + FN = all defective samples.
        const double f1 = 2.0 * double(tp) / double(tp + fp + samples.defective);
        if (f1 > best.f1) {
            best.f1 = f1;
            best.threshold = groups.score();
            best.precision = double(tp) / double(tp + fp);
            best.recall = double(tp) / double(samples.defective);
            bestIsPreviousGroup = true;
        }
    }
    return best;
}

double pixelAuroc(const std::vector<cv::Mat>& maps, const std::vector<cv::Mat>& masks)
{
    LabelledKeys samples;
    samples.keys.reserve(checkMapsAndMasks(maps, masks, "pixelAuroc"));
    for (std::size_t i = 0; i < maps.size(); ++i) {
        const cv::Mat& map = maps[i];
        const cv::Mat& mask = masks[i];
        for (int y = 0; y < map.rows; ++y) {
            const float* score = map.ptr<float>(y);
            const std::uint8_t* defect = mask.empty() ? nullptr : mask.ptr<std::uint8_t>(y);
            for (int x = 0; x < map.cols; ++x) {
                checkScore(score[x], "pixelAuroc");
                const std::uint32_t label = (defect && defect[x]) ? 1 : 0;
                samples.keys.push_back(makeKey(score[x], label));
                samples.defective += label;
            }
        }
    }
    samples.good = std::int64_t(samples.keys.size()) - samples.defective;
    requireBothClasses(samples, "pixelAuroc", "pixels");
    std::sort(samples.keys.begin(), samples.keys.end());
    return aucOfSortedKeys(samples);
}

double aupro(const std::vector<cv::Mat>& maps, const std::vector<cv::Mat>& masks, double fprLimit)
{
    if (!(fprLimit > 0.0 && fprLimit <= 1.0))
        throw Error("aupro: the FPR limit must be in (0, 1], got " + std::to_string(fprLimit));
    std::vector<SortKey> keys;
    keys.reserve(checkMapsAndMasks(maps, masks, "aupro"));

    // Payload 0 is a good pixel; payload r > 0 is a pixel of region r, numbered across
    // all images. regionWeight[r] is what one of its pixels adds to PRO.
    std::vector<double> regionWeight(1, 0.0);
    std::int64_t goodPixels = 0;
    cv::Mat regionOfPixel, stats, centroids;
    for (std::size_t i = 0; i < maps.size(); ++i) {
        const cv::Mat& map = maps[i];
        const std::uint32_t firstRegion = std::uint32_t(regionWeight.size()) - 1;
        const bool hasDefect = !masks[i].empty() && cv::countNonZero(masks[i]) > 0;
        if (hasDefect) {
            const int labelCount = cv::connectedComponentsWithStats(masks[i] != 0, regionOfPixel, stats, centroids, 8, CV_32S);
            for (int label = 1; label < labelCount; ++label)
                regionWeight.push_back(1.0 / stats.at<int>(label, cv::CC_STAT_AREA));
        }
        for (int y = 0; y < map.rows; ++y) {
            const float* score = map.ptr<float>(y);
            const int* region = hasDefect ? regionOfPixel.ptr<int>(y) : nullptr;
            for (int x = 0; x < map.cols; ++x) {
                checkScore(score[x], "aupro");
                const std::uint32_t payload = (region && region[x]) ? firstRegion + region[x] : 0;
                keys.push_back(makeKey(score[x], payload));
                goodPixels += payload == 0;
            }
        }
    }
    const std::size_t regionCount = regionWeight.size() - 1;
    if (regionCount == 0 || goodPixels == 0)
        throw Error("aupro: needs defect and good pixels, got " + std::to_string(regionCount) + " defect regions and "
                    + std::to_string(goodPixels) + " good pixels");
    for (double& weight : regionWeight)
        weight /= double(regionCount);
    std::sort(keys.begin(), keys.end());

    // Trapezoid over the (FPR, PRO) points as they are produced; the sweep stops at
    // the first point past fprLimit. FPR and PRO are clipped to 1 against rounding,
    // as in the MVTec AD evaluation code.
    double area = 0.0;
    double fpr = 0.0, pro = 0.0;
    std::int64_t falsePositives = 0;
    TieGroupsDescending groups(keys);
    while (groups.next()) {
        double proGain = 0.0;
        for (const SortKey* key = groups.begin(); key != groups.end(); ++key) {
            const std::uint32_t region = payloadOf(*key);
            falsePositives += region == 0;
            proGain += regionWeight[region];
        }
        const double nextFpr = std::min(1.0, double(falsePositives) / double(goodPixels));
        const double nextPro = std::min(1.0, pro + proGain);
        if (nextFpr >= fprLimit) {
            const double proAtLimit = pro + (nextPro - pro) * (fprLimit - fpr) / (nextFpr - fpr);
            area += (fprLimit - fpr) * (pro + proAtLimit) / 2.0;
            break;
        }
        area += (nextFpr - fpr) * (pro + nextPro) / 2.0;
        fpr = nextFpr;
        pro = nextPro;
    }
    return area / fprLimit;
}

} // namespace ds
