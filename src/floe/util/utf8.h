#pragma once

// UTF-8 encoding of one code point.

#include <cstdint>
#include <string>

namespace floe {

// Appends the UTF-8 bytes of code point `cp` (at most U+10FFFF; surrogates are the caller's to
// refuse) to `out`.
void AppendUtf8(uint32_t cp, std::string* out);

}  // namespace floe
