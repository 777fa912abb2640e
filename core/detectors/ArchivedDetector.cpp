#include "core/detectors/ArchivedDetector.h"

#include "core/backbones/TorchRuntime.h"
#include "core/storage/ContentHash.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string_view>

namespace ds {
namespace {

constexpr const char* kFormat = "defectscope-model-1";
// Saved state ends with this tag and the SHA-256 of what precedes it: the archive's own
// checks miss overwritten weights (scores then turn absurd instead of failing).
constexpr std::string_view kChecksumTag = "\nDS-SHA256:";
constexpr size_t kChecksumLength = kChecksumTag.size() + 64;

double median(std::vector<double> values)
{
    std::nth_element(values.begin(), values.begin() + long(values.size() / 2), values.end());
    return values[values.size() / 2];
}

} // namespace

cv::Size InputGeometry::sizeFor(const cv::Size& image) const
{
    if (scale <= 0)
        return fixedSize;
    // Multiples of 16 keep strided feature maps aligned with the pixels.
    const auto side = [&](int pixels) { return std::clamp(int(std::lround(pixels * scale / 16.0)) * 16, 32, 4096); };
    return {side(image.width), side(image.height)};
}

void InputGeometry::write(torch::serialize::OutputArchive& archive) const
{
    archive.write("input_geometry", torch::tensor({scale, double(fixedSize.width), double(fixedSize.height)}, torch::kFloat64));
}

InputGeometry InputGeometry::read(torch::serialize::InputArchive& archive, int side)
{
    InputGeometry geometry {0.0, cv::Size(side, side)};
    torch::Tensor values;
    if (archive.try_read("input_geometry", values) && values.numel() == 3) {
        const auto v = values.to(torch::kFloat64).contiguous();
        const double* data = v.data_ptr<double>();
        geometry = {data[0], cv::Size(int(data[1]), int(data[2]))};
    }
    if (geometry.scale <= 0 && (geometry.fixedSize.width < 1 || geometry.fixedSize.height < 1))
        throw InputError("model state has an invalid input geometry");
    return geometry;
}

InputGeometry chooseInputGeometry(const std::vector<cv::Mat>& goodImages, int side, bool keepAspectRatio, bool alignsPositions)
{
    if (!keepAspectRatio)
        return {0.0, cv::Size(side, side)};
    std::vector<double> widths, heights, geometricSides;
    for (const cv::Mat& image : goodImages) {
        widths.push_back(image.cols);
        heights.push_back(image.rows);
        geometricSides.push_back(std::sqrt(double(image.cols) * double(image.rows)));
    }
    const InputGeometry scaled {double(side) / median(geometricSides), {}};
    if (!alignsPositions)
        return scaled;
    return {0.0, scaled.sizeFor(cv::Size(int(median(widths)), int(median(heights))))};
}

std::vector<std::pair<size_t, size_t>> batchRanges(const std::vector<cv::Mat>& images, const InputGeometry& geometry,
                                                   size_t batchSize)
{
    std::vector<std::pair<size_t, size_t>> ranges;
    for (size_t first = 0; first < images.size();) {
        const cv::Size size = geometry.sizeFor(images[first].size());
        size_t end = first + 1;
        while (end < images.size() && end - first < batchSize && geometry.sizeFor(images[end].size()) == size)
            ++end;
        ranges.emplace_back(first, end);
        first = end;
    }
    return ranges;
}

ArchivedDetector::ArchivedDetector(DetectorSettings settings)
    : Detector(std::move(settings))
    , device_(computeDeviceName() == "cuda" ? torch::kCUDA : torch::kCPU)
{
    initTorchRuntime();
    if (settings_.imageSize < 32 || settings_.imageSize > 2048)
        throw InputError("image size must be between 32 and 2048 pixels");
}

std::vector<uint8_t> ArchivedDetector::saveState() const
{
    if (!isFitted())
        throw Error("an untrained detector has no state to save");
    torch::serialize::OutputArchive archive;
    archive.write("format", c10::IValue(std::string(kFormat)));
    archive.write("settings", c10::IValue(settings_.toJson()));
    writeState(archive);
    std::ostringstream out;
    archive.save_to(out);
    const std::string bytes = out.str();
    std::vector<uint8_t> state(bytes.begin(), bytes.end());
    const std::string trailer = std::string(kChecksumTag) + sha256Hex(state);
    state.insert(state.end(), trailer.begin(), trailer.end());
    return state;
}

std::unique_ptr<Detector> loadDetector(const std::vector<uint8_t>& state)
{
    std::string archiveBytes(state.begin(), state.end());
    // Models saved before checksums were written have no trailer and load as they are.
    if (archiveBytes.size() > kChecksumLength
        && std::string_view(archiveBytes).substr(archiveBytes.size() - kChecksumLength, kChecksumTag.size()) == kChecksumTag) {
        const std::string stored = archiveBytes.substr(archiveBytes.size() - 64);
        archiveBytes.resize(archiveBytes.size() - kChecksumLength);
        if (sha256Hex(std::vector<uint8_t>(archiveBytes.begin(), archiveBytes.end())) != stored)
            throw InputError("model state is damaged: its checksum does not match (the project file was altered or "
                             "corrupted; train the model again)");
    }
    std::istringstream in(archiveBytes);
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(in, torch::Device(torch::kCPU)); // each method moves to this machine's device
        c10::IValue format, settingsJson;
        archive.read("format", format);
        if (!format.isString() || format.toStringRef() != kFormat)
            throw InputError("model state has an unknown format");
        archive.read("settings", settingsJson);
        std::unique_ptr<Detector> detector = createDetector(DetectorSettings::fromJson(settingsJson.toStringRef()));
        auto* archived = dynamic_cast<ArchivedDetector*>(detector.get());
        if (!archived)
            throw InputError("model state does not match its method");
        archived->loadState(archive);
        return detector;
    } catch (const c10::Error& e) {
        const std::string what = e.what();
        throw InputError("model state is damaged or not a DefectScope model (" + what.substr(0, what.find('\n')) + ")");
    }
}

} // namespace ds
