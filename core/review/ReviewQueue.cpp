#include "core/review/ReviewQueue.h"

#include "core/Error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

namespace ds {

std::vector<std::int64_t> reviewOrder(const std::vector<std::int64_t>& imageIds, const std::vector<double>& scores,
                                      double threshold, ReviewOrder order)
{
    if (imageIds.size() != scores.size())
        throw Error("Cannot order images for review: " + std::to_string(imageIds.size()) + " images but "
                    + std::to_string(scores.size()) + " scores");
    // (sort key, image id), smallest first. NaN would break the sort's ordering, so it
    // becomes the largest key.
    std::vector<std::pair<double, std::int64_t>> keyed;
    keyed.reserve(imageIds.size());
    for (size_t i = 0; i < imageIds.size(); ++i) {
        const double key = order == ReviewOrder::HighestScoreFirst ? -scores[i] : std::abs(scores[i] - threshold);
        keyed.emplace_back(std::isnan(key) ? std::numeric_limits<double>::infinity() : key, imageIds[i]);
    }
    std::sort(keyed.begin(), keyed.end());
    std::vector<std::int64_t> ordered;
    ordered.reserve(keyed.size());
    for (const auto& [key, imageId] : keyed)
        ordered.push_back(imageId);
    return ordered;
}

} // namespace ds
