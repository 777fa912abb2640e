#pragma once
// The order in which a person reviews a run's images.
#include <cstdint>
#include <vector>

namespace ds {

enum class ReviewOrder {
    HighestScoreFirst, // the most anomalous first
    NearestThresholdFirst, // the model's least certain verdicts first
};

// imageIds[i] scored scores[i]; returns the ids in review order (ties by image id; a NaN
// score goes last). Throws ds::Error when the two lists differ in length.
std::vector<std::int64_t> reviewOrder(const std::vector<std::int64_t>& imageIds, const std::vector<double>& scores,
                                      double threshold, ReviewOrder order);

} // namespace ds
