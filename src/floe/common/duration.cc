#include "floe/common/duration.h"

#include <charconv>
#include <cstdint>
#include <string>

namespace floe {

Result<int64_t> ParseDurationMs(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) {
    return Status(ErrorKind::kInvalidArgument,
                  "duration \"" + std::string(text) + "\" must start with a number (e.g. 30s, 7d)");
  }
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + digits, n);
  if (ec != std::errc()) {
    return Status(ErrorKind::kInvalidArgument,
                  "duration \"" + std::string(text) + "\" is too large");
  }
  std::string_view unit = text.substr(digits);
  int64_t scale = 0;
  if (unit.empty() || unit == "s")
    scale = 1000;
  else if (unit == "ms")
    scale = 1;
  else if (unit == "m")
    scale = 60'000;
  else if (unit == "h")
    scale = 3'600'000;
  else if (unit == "d")
    scale = 86'400'000;
  else if (unit == "w")
    scale = 7 * 86'400'000LL;
  else {
    return Status(ErrorKind::kInvalidArgument, "duration \"" + std::string(text) +
                                                   "\" has unit \"" + std::string(unit) +
                                                   "\"; allowed ms, s, m, h, d, w");
  }
  if (n > INT64_MAX / scale) {
    return Status(ErrorKind::kInvalidArgument,
                  "duration \"" + std::string(text) + "\" is too large");
  }
  return n * scale;
}

}  // namespace floe
