#include "core/synthesis/SynthesisPreview.h"

#include "core/Error.h"
#include "core/data/ImageIO.h"
#include "core/storage/AtomicFile.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace ds {
namespace {

constexpr int kDonors = 4;

cv::Mat toBgrBytes(const cv::Mat& rgb)
{
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    bgr.convertTo(bgr, CV_8UC3, 255.0);
    return bgr;
}

} // namespace

std::vector<std::string> writeSynthesisPreview(const std::vector<std::string>& goodImages, const std::string& outFolder,
                                               const SynthesisPreviewOptions& options, JobContext& job)
{
    if (goodImages.empty())
        throw InputError("no good images to draw defects on");
    if (options.count < 1 || options.count > 1000)
        throw InputError("the number of samples must be between 1 and 1000");
    if (options.side < 32 || options.side > 2048)
        throw InputError("the image side must be between 32 and 2048 pixels");
    std::error_code error;
    std::filesystem::create_directories(outFolder, error);
    if (error)
        throw Error(outFolder + ": cannot create the folder (" + error.message() + ")");

    // At most count + donors images are decoded, whatever the folder holds.
    std::vector<cv::Mat> images;
    const size_t wanted = std::min(goodImages.size(), size_t(options.count + kDonors));
    for (size_t i = 0; i < wanted; ++i) {
        job.throwIfCancelled();
        images.push_back(resizeToSquare(loadImageRgb(goodImages[i * goodImages.size() / wanted]), options.side));
    }

    AnomalyGenerator generator(options.seed, options.mix);
    std::vector<std::string> written;
    std::vector<cv::Mat> tiles;
    const std::filesystem::path folder(outFolder);
    for (int i = 0; i < options.count; ++i) {
        job.throwIfCancelled();
        const size_t index = size_t(i) % images.size();
        std::vector<cv::Mat> donors;
        for (size_t d = 1; d <= size_t(kDonors) && d < images.size(); ++d)
            donors.push_back(images[(index + d) % images.size()]);
        const SyntheticAnomaly sample = generator.generate(images[index], donors);
        char stem[32];
        std::snprintf(stem, sizeof stem, "sample_%02d", i + 1);
        const cv::Mat image = toBgrBytes(sample.image);
        cv::Mat mask;
        sample.mask.convertTo(mask, CV_8U, 255.0);
        writePngAtomically(folder / (std::string(stem) + ".png"), image);
        writePngAtomically(folder / (std::string(stem) + "_mask.png"), mask);
        written.push_back((folder / (std::string(stem) + ".png")).string());
        written.push_back((folder / (std::string(stem) + "_mask.png")).string());

        // Sheet tile: the sample with its mask outlined in yellow, captioned by content.
        cv::Mat tile = image.clone();
        std::vector<std::vector<cv::Point>> outlines;
        cv::findContours(mask > 127, outlines, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
        cv::drawContours(tile, outlines, -1, cv::Scalar(0, 255, 255), std::max(1, options.side / 200), cv::LINE_AA);
        cv::putText(tile, contentName(sample.content), cv::Point(4, 14), cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(0, 255, 255),
                    1, cv::LINE_AA);
        tiles.push_back(tile);
        job.report(double(i + 1) / options.count, "Drawing defects");
    }
    const int columns = int(std::ceil(std::sqrt(double(tiles.size()))));
    const int rows = int((tiles.size() + size_t(columns) - 1) / size_t(columns));
    cv::Mat sheet(rows * options.side, columns * options.side, CV_8UC3, cv::Scalar(40, 40, 40));
    for (size_t i = 0; i < tiles.size(); ++i)
        tiles[i].copyTo(sheet(cv::Rect(int(i % size_t(columns)) * options.side, int(i / size_t(columns)) * options.side,
                                       options.side, options.side)));
    writePngAtomically(folder / "preview.png", sheet);
    written.push_back((folder / "preview.png").string());
    return written;
}

} // namespace ds
