// Logging glue: one process-wide spdlog logger, plain or JSON lines. Callers pass values that are
// safe to log; secrets (passwords, HA1, nonce secrets, private keys) never reach these calls.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

#include "core/result.hpp"

namespace sipcred::log {

enum class Format { text, json };

// Sets up the process logger on stderr. `level` is one of trace, debug, info, warn, error, off.
Result<void> init(std::string_view level, Format format = Format::text);

template <class... Args>
void info(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::info(fmt, std::forward<Args>(args)...);
}
template <class... Args>
void warn(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::warn(fmt, std::forward<Args>(args)...);
}
template <class... Args>
void error(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::error(fmt, std::forward<Args>(args)...);
}
template <class... Args>
void debug(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::debug(fmt, std::forward<Args>(args)...);
}

}  // namespace sipcred::log
