#include "core/metrics/Threshold.h"

#include "core/Error.h"
#include "core/metrics/Metrics.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace ds {

double f1OptimalThreshold(const std::vector<float>& scores, const std::vector<int>& labels)
{
    return f1Max(scores, labels).threshold;
}

double goodQuantileThreshold(std::vector<float> heldOutGoodScores, double quantile)
{
    if (heldOutGoodScores.empty())
        throw Error("goodQuantileThreshold: no held-out good scores");
    if (!(quantile >= 0.0 && quantile <= 1.0))
        throw Error("goodQuantileThreshold: quantile must be in [0, 1], got " + std::to_string(quantile));
    // A non-finite threshold would flag everything or nothing and poison the project.
    if (std::any_of(heldOutGoodScores.begin(), heldOutGoodScores.end(), [](float score) { return !std::isfinite(score); }))
        throw Error("the model gave a score that is not a finite number (NaN or infinity) on a good image; "
                    "it cannot be used");

    // The quantile sits at fractional rank (n - 1) * quantile of the sorted scores.
    const double rank = double(heldOutGoodScores.size() - 1) * quantile;
    const auto lowerIndex = std::size_t(std::floor(rank));
    const auto lower = heldOutGoodScores.begin() + std::ptrdiff_t(lowerIndex);
    std::nth_element(heldOutGoodScores.begin(), lower, heldOutGoodScores.end());
    if (lower + 1 == heldOutGoodScores.end())
        return *lower;
    // After nth_element the next order statistic is the smallest score above lower.
    const float upper = *std::min_element(lower + 1, heldOutGoodScores.end());
    return double(*lower) + (rank - double(lowerIndex)) * (double(upper) - double(*lower));
}

double goodImagesThreshold(const std::vector<float>& heldOutGoodScores)
{
    const double quantile = goodQuantileThreshold(heldOutGoodScores); // validates the scores
    if (heldOutGoodScores.size() < 2)
        return quantile;
    double sum = 0.0, squares = 0.0;
    for (float score : heldOutGoodScores) {
        sum += score;
        squares += double(score) * double(score);
    }
    const double n = double(heldOutGoodScores.size());
    const double mean = sum / n;
    const double deviation = std::sqrt(std::max(0.0, (squares - n * mean * mean) / (n - 1.0)));
    return std::max(quantile, mean + 3.0 * deviation);
}

Confusion confusionAt(const std::vector<float>& scores, const std::vector<int>& labels, double threshold)
{
    if (scores.size() != labels.size())
        throw Error("confusionAt: " + std::to_string(scores.size()) + " scores but " + std::to_string(labels.size()) + " labels");
    Confusion counts;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        if (std::isnan(scores[i]))
            throw Error("confusionAt: a score is NaN");
        const bool flagged = double(scores[i]) >= threshold;
        switch (labels[i]) {
        case 1: ++(flagged ? counts.tp : counts.fn); break;
        case 0: ++(flagged ? counts.fp : counts.tn); break;
        default: throw Error("confusionAt: label " + std::to_string(labels[i]) + " is neither 0 (good) nor 1 (defective)");
        }
    }
    return counts;
}

} // namespace ds
