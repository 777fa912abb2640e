#pragma once
// Writing files so that a reader, a crash or a power cut never sees half of one.
#include <opencv2/core.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace ds {

// A name in target's folder (so the final rename stays on one file system) that no other
// writer uses at the same time; it keeps target's extension, for tools that go by it.
std::filesystem::path temporaryNameNextTo(const std::filesystem::path& target);

// Flushes file's contents to disk, so that a rename can publish it without a power cut
// leaving a damaged file under the final name. Returns why it failed, or an empty string.
std::string syncToDisk(const std::filesystem::path& file);

// Writes contents under a temporary name next to path, syncs it, then renames it over
// path: path holds either what it held before or all of contents. Throws ds::Error naming
// path (folder missing or unwritable, disk full), leaving nothing behind.
void writeFileAtomically(const std::filesystem::path& path, std::string_view contents);

// An image (as cv::imwrite takes it) encoded as PNG and written the same way; a symlink
// planted at path is replaced, never written through.
void writePngAtomically(const std::filesystem::path& path, const cv::Mat& image);

} // namespace ds
