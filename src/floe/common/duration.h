#pragma once

#include <cstdint>
#include <string_view>

#include "floe/common/result.h"

namespace floe {

// A duration as operators write it — "90" (seconds), "500ms", "30s", "10m", "12h", "7d", "2w" —
// in milliseconds. Used by CLI flags, the config file and admin request bodies alike.
Result<int64_t> ParseDurationMs(std::string_view text);

}  // namespace floe
