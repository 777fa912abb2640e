#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ds {

// What libjpeg says is wrong with a JPEG's compressed data, or "" when it decodes without
// a warning. OpenCV decodes a damaged stream (bytes overwritten, a truncated file with an
// end marker appended) into a partly grey image and only prints "Corrupt JPEG data" to
// stderr; such an image would silently poison training or a score.
std::string jpegDataProblem(const std::vector<std::uint8_t>& bytes);

} // namespace ds
