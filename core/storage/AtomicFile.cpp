#include "core/storage/AtomicFile.h"

#include "core/Error.h"

#include <opencv2/imgcodecs.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace ds {

std::filesystem::path temporaryNameNextTo(const std::filesystem::path& target)
{
    std::random_device random;
    const std::string suffix = std::to_string(random()) + std::to_string(random());
    return target.parent_path() / ("." + target.stem().string() + ".saving-" + suffix + target.extension().string());
}

std::string syncToDisk(const std::filesystem::path& file)
{
    const int descriptor = ::open(file.c_str(), O_RDONLY);
    const bool synced = descriptor >= 0 && ::fsync(descriptor) == 0;
    const std::string reason = synced ? "" : std::string("cannot write it to disk: ") + std::strerror(errno);
    if (descriptor >= 0)
        ::close(descriptor);
    return reason;
}

namespace {

// Returns why writing failed, or an empty string.
std::string writeWhole(const std::filesystem::path& file, std::string_view contents)
{
    const int descriptor = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (descriptor < 0)
        return std::strerror(errno);
    std::string reason;
    for (size_t written = 0; written < contents.size() && reason.empty();) {
        const ssize_t count = ::write(descriptor, contents.data() + written, contents.size() - written);
        if (count < 0 && errno != EINTR)
            reason = std::strerror(errno);
        else if (count > 0)
            written += size_t(count);
    }
    if (reason.empty() && ::fsync(descriptor) != 0)
        reason = std::string("cannot write it to disk: ") + std::strerror(errno);
    if (::close(descriptor) != 0 && reason.empty())
        reason = std::strerror(errno);
    return reason;
}

} // namespace

void writeFileAtomically(const std::filesystem::path& path, std::string_view contents)
{
    const std::filesystem::path temporary = temporaryNameNextTo(path);
    std::string reason = writeWhole(temporary, contents);
    std::error_code error;
    if (reason.empty()) {
        std::filesystem::rename(temporary, path, error);
        if (error)
            reason = error.message();
    }
    if (!reason.empty()) {
        std::filesystem::remove(temporary, error);
        throw Error("Cannot write '" + path.string() + "': " + reason);
    }
}

void writePngAtomically(const std::filesystem::path& path, const cv::Mat& image)
{
    std::vector<uchar> png;
    if (!cv::imencode(".png", image, png))
        throw Error("Cannot write '" + path.string() + "': PNG encoding failed");
    writeFileAtomically(path, std::string_view(reinterpret_cast<const char*>(png.data()), png.size()));
}

} // namespace ds
