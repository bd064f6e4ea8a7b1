#pragma once

// The fuzz targets' assertion: a property that does not hold stops the target with the file and
// line of the check (libFuzzer then saves the input), so a failure seen once in a CI log says
// which property broke even when the input cannot be replayed.

#include <cstdio>
#include <cstdlib>

namespace floe::fuzz {

// __builtin_FILE/__builtin_LINE as default arguments name the caller's line (clang 14's
// libstdc++ has no std::source_location).
inline void Check(bool ok, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  if (ok) return;
  std::fprintf(stderr, "fuzz check failed at %s:%d\n", file, line);
  std::abort();
}

}  // namespace floe::fuzz
