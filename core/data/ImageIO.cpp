#include "core/data/ImageIO.h"

#include "core/Error.h"
#include "core/data/JpegCheck.h"
#include "core/storage/ContentHash.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <vector>

namespace ds {
namespace {

// No image file a camera writes comes near this; a device or a runaway file is refused.
constexpr std::uintmax_t kMaxFileBytes = 1ull << 30;

std::vector<uchar> readFileBytes(const std::string& path)
{
    std::error_code ec;
    const std::filesystem::file_status status = std::filesystem::status(path, ec);
    if (status.type() == std::filesystem::file_type::not_found)
        throw InputError(path + ": file not found");
    if (ec) // a symlink loop, a folder without permission on the way
        throw InputError(path + ": cannot be read (" + ec.message() + ")");
    if (std::filesystem::is_directory(status))
        throw InputError(path + ": is a folder, not an image");
    // Opening a pipe would block and a device would never end: only regular files are read.
    if (!std::filesystem::is_regular_file(status))
        throw InputError(path + ": not a regular file (a device, pipe or socket), not read");
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (!ec && size > kMaxFileBytes)
        throw InputError(path + ": file too large for an image (" + std::to_string(size >> 20) + " MB)");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(path + ": cannot be read (permission denied?)");
    std::vector<uchar> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.empty())
        throw InputError(path + ": file is empty");
    return bytes;
}

bool isJpeg(const std::vector<uchar>& bytes)
{
    return bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;
}

// libjpeg decodes a truncated JPEG with only a warning, filling the rest grey; such an
// image would silently poison training, so a JPEG must end with its EOI marker.
bool jpegHasEndMarker(const std::vector<uchar>& bytes)
{
    size_t end = bytes.size();
    while (end > 2 && bytes[end - 1] == 0x00) // some writers pad with zeros
        --end;
    return end >= 4 && bytes[end - 2] == 0xFF && bytes[end - 1] == 0xD9;
}

// Width x height as a PNG's or JPEG's header declares it (nullopt when unknown), read
// before decoding: a few kilobytes can declare a 30000 x 30000 image that would take
// gigabytes.
std::optional<double> declaredPixels(const std::vector<uchar>& bytes)
{
    const auto big16 = [&](size_t at) { return double((bytes[at] << 8) | bytes[at + 1]); };
    static const uchar pngSignature[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    if (bytes.size() >= 24 && std::equal(pngSignature, pngSignature + 8, bytes.begin()))
        return (big16(16) * 65536.0 + big16(18)) * (big16(20) * 65536.0 + big16(22));
    if (!isJpeg(bytes))
        return std::nullopt;
    for (size_t at = 2; at + 9 < bytes.size();) {
        if (bytes[at] != 0xFF) {
            ++at;
            continue;
        }
        const uchar marker = bytes[at + 1];
        const bool startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (startOfFrame)
            return big16(at + 5) * big16(at + 7);
        if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0xFF) {
            at += marker == 0xFF ? 1 : 2;
            continue;
        }
        at += 2 + size_t(big16(at + 2));
    }
    return std::nullopt;
}

cv::Mat decode(const std::string& path, int flags, const std::string& expectedSha256 = {})
{
    const std::vector<uchar> bytes = readFileBytes(path);
    // A project's image is used for scoring, reports and exports only while it is the
    // file that was imported: an edited path must not pull another file into them.
    if (!expectedSha256.empty() && sha256Hex(bytes) != expectedSha256)
        throw InputError(path + ": changed or moved since it was imported (its content differs); import it again");
    if (isJpeg(bytes) && !jpegHasEndMarker(bytes))
        throw InputError(path + ": JPEG is truncated (no end-of-image marker)");
    const std::optional<double> declared = declaredPixels(bytes);
    if (declared && *declared > kMaxImagePixels)
        throw InputError(path + ": image too large (" + std::to_string(int64_t(*declared / 1e6))
                         + " megapixels declared; at most " + std::to_string(int64_t(kMaxImagePixels / 1e6)) + ")");
    if (declared && *declared == 0)
        throw InputError(path + ": the file is damaged (its header declares a width or height of 0)");
    if (isJpeg(bytes))
        if (const std::string problem = jpegDataProblem(bytes); !problem.empty())
            throw InputError(path + ": JPEG data is damaged (" + problem + ")");
    cv::Mat decoded;
    try {
        decoded = cv::imdecode(bytes, flags);
    } catch (const cv::Exception& e) {
        // e.err is the decoder's reason alone, without OpenCV's file and line.
        throw InputError(path + ": cannot decode image, the file is damaged (" + e.err + ")");
    }
    if (decoded.empty())
        throw InputError(path + ": not a readable PNG, JPEG, BMP, TIFF or WebP image, or the file is damaged");
    if (double(decoded.total()) > kMaxImagePixels)
        throw InputError(path + ": image too large (" + std::to_string(decoded.cols) + "x" + std::to_string(decoded.rows) + ")");
    return decoded;
}

} // namespace

cv::Mat loadImageRgb(const std::string& path, const std::string& expectedSha256)
{
    const cv::Mat decoded = decode(path, cv::IMREAD_UNCHANGED | cv::IMREAD_ANYDEPTH | cv::IMREAD_ANYCOLOR, expectedSha256);
    double scale = 1.0;
    switch (decoded.depth()) {
    case CV_8U: scale = 1.0 / 255.0; break;
    case CV_16U: scale = 1.0 / 65535.0; break;
    case CV_32F: scale = 1.0; break;
    default: throw InputError(path + ": unsupported pixel depth (use 8- or 16-bit images)");
    }
    // A float image with NaN or infinity would poison a model's statistics and every
    // score after it: refused here, with the file named.
    if (decoded.depth() == CV_32F && !cv::checkRange(decoded.reshape(1)))
        throw InputError(path + ": image has pixels that are not finite numbers (NaN or infinity)");
    cv::Mat rgb;
    switch (decoded.channels()) {
    case 1: cv::cvtColor(decoded, rgb, cv::COLOR_GRAY2RGB); break;
    case 3: cv::cvtColor(decoded, rgb, cv::COLOR_BGR2RGB); break;
    case 4: cv::cvtColor(decoded, rgb, cv::COLOR_BGRA2RGB); break;
    default: throw InputError(path + ": unsupported number of channels (" + std::to_string(decoded.channels()) + ")");
    }
    cv::Mat result;
    rgb.convertTo(result, CV_32FC3, scale);
    return result;
}

cv::Mat loadMask(const std::string& path, bool* greyLevels)
{
    const cv::Mat decoded = decode(path, cv::IMREAD_GRAYSCALE);
    cv::Mat mask;
    cv::compare(decoded, 0, mask, cv::CMP_GT);
    if (greyLevels) {
        double top = 0;
        cv::minMaxLoc(decoded, nullptr, &top);
        *greyLevels = cv::countNonZero(decoded == top) != cv::countNonZero(mask);
    }
    return mask;
}

void requireMaskFits(const cv::Mat& mask, const cv::Size& imageSize, const std::string& maskPath)
{
    if (mask.size() != imageSize)
        throw InputError(maskPath + ": mask is " + std::to_string(mask.cols) + "x" + std::to_string(mask.rows)
                         + " but its image is " + std::to_string(imageSize.width) + "x" + std::to_string(imageSize.height));
}

cv::Mat resizeImage(const cv::Mat& image, const cv::Size& size)
{
    if (image.size() == size)
        return image.clone();
    cv::Mat resized;
    const bool shrinking = image.cols > size.width || image.rows > size.height;
    cv::resize(image, resized, size, 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    return resized;
}

cv::Mat resizeToSquare(const cv::Mat& image, int side)
{
    return resizeImage(image, cv::Size(side, side));
}

} // namespace ds
