#pragma once
#include <opencv2/core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ds {

// Where the content of a generated defect comes from.
enum class AnomalyContent {
    Texture, // a texture drawn by the program: noise, stripes, blobs, colour and brightness changes (DRAEM)
    OtherImage, // a patch of another good image, rescaled and Poisson-blended (NSA)
    SameImage, // a patch of the image itself moved elsewhere, or a thin scar (CutPaste)
    Line, // a crack or scratch: a thin dark or bright curve
};

// Shares of each kind of content among generated defects; any may be 0, not all.
struct AnomalyMix {
    double texture = 0.4;
    double otherImage = 0.25;
    double sameImage = 0.2;
    double line = 0.15;
    bool foregroundOnly = false; // keep defects on the part (object images on a plain background)
};

// A good image with a generated defect, and where it is.
struct SyntheticAnomaly {
    cv::Mat image; // CV_32FC3 RGB in [0, 1], the input's size
    cv::Mat mask; // CV_32F in [0, 1]: 1 where the image was changed visibly
    AnomalyContent content = AnomalyContent::Texture;
};

// Draws defects on good images for methods that learn from generated anomalies
// (DRAEM, NSA, CutPaste). Deterministic for a seed; not thread-safe (one per job).
class AnomalyGenerator {
public:
    explicit AnomalyGenerator(uint64_t seed, AnomalyMix mix = {});

    // image: CV_32FC3 RGB in [0, 1]; pool: other good images of any size, used for
    // NSA-style content (none: that share goes to the other kinds). The mask is never
    // empty: a defect too faint to see is drawn again.
    SyntheticAnomaly generate(const cv::Mat& image, const std::vector<cv::Mat>& pool);

    // The pieces, for methods that choose themselves (CutPaste's 3-way task).
    SyntheticAnomaly cutPaste(const cv::Mat& image);
    SyntheticAnomaly scar(const cv::Mat& image);
    // A blob-shaped region (thresholded Perlin noise at a random scale and angle): CV_32F 0/1.
    cv::Mat perlinMask(const cv::Size& size);

private:
    SyntheticAnomaly drawOnce(const cv::Mat& image, const std::vector<cv::Mat>& pool, AnomalyContent content);
    AnomalyContent pickContent(bool havePool);
    cv::Mat proceduralTexture(const cv::Size& size, const cv::Mat& image);
    SyntheticAnomaly withTexture(const cv::Mat& image);
    SyntheticAnomaly withOtherImage(const cv::Mat& image, const std::vector<cv::Mat>& pool);
    SyntheticAnomaly withLine(const cv::Mat& image);
    cv::Mat foreground(const cv::Mat& image) const;
    double uniform(double low, double high);

    cv::RNG rng_;
    AnomalyMix mix_;
};

// Perlin gradient noise on size with `cellsX` x `cellsY` lattice cells, values in about
// [-0.7, 0.7]. Exposed for tests.
cv::Mat perlinNoise(const cv::Size& size, int cellsX, int cellsY, cv::RNG& rng);

std::string contentName(AnomalyContent content);

} // namespace ds
