// Small file helpers of the command-line tools.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "core/result.hpp"

namespace sipcred::app {

// The whole file, refused above `max` bytes.
Result<std::string> read_file(const std::string& path, size_t max = 1 << 20);
// Written and fsync'ed; a secret is created mode 0600 from the start.
Result<void> write_file(const std::filesystem::path& path, std::span<const uint8_t> bytes,
                        bool secret);
// The first line of a small file (a password or passphrase file); empty is an error.
Result<std::string> first_line(const std::string& path);

}  // namespace sipcred::app
