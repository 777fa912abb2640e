#pragma once
// Internal to core: includes torch. What every method shares: the frame of its saved
// state, the size at which it sees an image, and LibTorch errors in a user's words.
#include "core/Error.h"
#include "core/detectors/Detector.h"

#include <torch/torch.h>

#include <utility>
#include <vector>

namespace ds {

// The size at which a model sees an image, fixed when it is fitted.
struct InputGeometry {
    double scale = 0; // > 0: each image scaled by this, shape kept (sides rounded to 16 px)
    cv::Size fixedSize; // scale == 0: every image resized to this
    cv::Size sizeFor(const cv::Size& image) const;
    void write(torch::serialize::OutputArchive& archive) const;
    // Models saved before shapes were kept squashed every image to side x side.
    static InputGeometry read(torch::serialize::InputArchive& archive, int side);
};

// Squashed: every image to side x side. Shape kept: one scale for all images, so the
// typical training image gets side^2 pixels and a surface's texture keeps one scale
// whatever each image's size; a method that models positions apart (alignsPositions)
// instead gets every image at the typical training image's shape.
InputGeometry chooseInputGeometry(const std::vector<cv::Mat>& goodImages, int side, bool keepAspectRatio, bool alignsPositions);

// Consecutive images of one input size, at most batchSize of them: [first, end).
std::vector<std::pair<size_t, size_t>> batchRanges(const std::vector<cv::Mat>& images, const InputGeometry& geometry,
                                                   size_t batchSize);

// A detector whose state is a torch archive: a format tag and the settings, then what
// the method writes. loadDetector() reads the frame and hands the rest to loadState().
class ArchivedDetector : public Detector {
public:
    std::vector<uint8_t> saveState() const final;
    virtual void loadState(torch::serialize::InputArchive& archive) = 0;

protected:
    // Checks the rules every method shares (the image size) and picks where it runs.
    explicit ArchivedDetector(DetectorSettings settings);
    virtual bool isFitted() const = 0;
    virtual void writeState(torch::serialize::OutputArchive& archive) const = 0;
    const torch::Device& device() const { return device_; }

private:
    torch::Device device_;
};

// LibTorch errors (out of memory above all) carry a C++ backtrace: the user gets the
// first line and what to lower instead.
template <typename Work>
auto translatingTorchErrors(Work&& work) -> decltype(work())
{
    try {
        return work();
    } catch (const c10::Error& e) {
        const std::string what = e.what();
        throw Error("the detector failed: " + what.substr(0, what.find('\n'))
                    + " (a smaller image size, fewer features or a smaller patch pool needs less memory)");
    }
}

} // namespace ds
