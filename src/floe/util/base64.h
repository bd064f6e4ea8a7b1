#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace floe {

// Standard base64 (RFC 4648 section 4) with padding.
std::string Base64Encode(std::string_view bytes);
// Accepts padded input; nullopt on a character outside the alphabet or a bad length.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace floe
