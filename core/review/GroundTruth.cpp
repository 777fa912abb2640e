#include "core/review/GroundTruth.h"

namespace ds {
namespace {

ImageTruth truthOf(const ImageRecord& image, const ReviewRecord* latestReview)
{
    // A person who was unsure withdrew any earlier verdict of theirs: the label decides.
    if (latestReview && latestReview->verdict != Verdict::Unsure)
        return {latestReview->verdict == Verdict::Defect, true};
    if (image.label == kUnknownLabel)
        return {std::nullopt, false};
    return {image.label != kGoodLabel, false};
}

} // namespace

std::map<std::int64_t, ImageTruth> effectiveTruth(const ProjectFile& project)
{
    const std::map<std::int64_t, ReviewRecord> reviews = project.latestReviews();
    std::map<std::int64_t, ImageTruth> truth;
    for (const ImageRecord& image : project.images()) {
        const auto review = reviews.find(image.id);
        truth.emplace(image.id, truthOf(image, review == reviews.end() ? nullptr : &review->second));
    }
    return truth;
}

} // namespace ds
