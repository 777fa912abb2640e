#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ds {

// Content hashes identify an image independently of its path, so re-importing a folder
// or a copy of an image does not add it twice. Both return 64 lowercase hex digits.
std::string sha256Hex(const std::vector<std::uint8_t>& bytes);

// Hash of the file's bytes as stored on disk (not of decoded pixels). Throws
// ds::InputError naming the path when the file cannot be read.
std::string sha256HexOfFile(const std::string& path);

} // namespace ds
