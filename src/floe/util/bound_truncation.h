#pragma once

// Truncated min/max bounds, as Parquet footer statistics and Iceberg manifest bounds both keep
// them: a lower bound is a prefix; an upper bound is a prefix with its last character
// incremented, so it still sorts at or after every value it stands for (unsigned byte order).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace floe {

// Lower bound of `s` cut to at most `max_chars` code points (utf8) or bytes (!utf8), and at most
// `max_bytes` bytes; a prefix, so always <= s in unsigned byte order.
std::string TruncateLowerBound(std::string_view s, size_t max_chars, size_t max_bytes, bool utf8);

// Upper bound of `s` under the same cut: s itself when it fits, else the prefix with its last
// character (code point, skipping surrogates; or byte below 0xFF) incremented and what follows
// dropped. nullopt when no character can be incremented.
std::optional<std::string> TruncateUpperBound(std::string_view s, size_t max_chars,
                                              size_t max_bytes, bool utf8);

}  // namespace floe
