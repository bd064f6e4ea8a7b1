#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

// libxxhash's functions inlined from its header (the values are the library's): the dictionary
// encoder hashes every value of its columns and the dedup window every event id, and through the
// library's exported functions (a call through the PLT, then a dispatch on the length) XXH3 alone
// was 3-4 % of `floe ingest`'s CPU for inputs of 8-20 bytes.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace floe {

// XXH64, for hash tables of values (dedup of event ids) and content tags.
inline uint64_t XxHash64(const void* data, size_t n, uint64_t seed = 0) {
  return XXH64(data, n, seed);
}
inline uint64_t XxHash64(std::string_view s, uint64_t seed = 0) {
  return XxHash64(s.data(), s.size(), seed);
}

// XXH3 64-bit (stable output since 0.8): several times faster than XXH64 on short
// inputs, for in-memory hash tables keyed on short values.
inline uint64_t XxHash3(const void* data, size_t n) { return XXH3_64bits(data, n); }

// MurmurHash3 x86 32-bit with seed 0 as Iceberg's bucket transform defines it.
int32_t Murmur3_32(const void* data, size_t n, uint32_t seed = 0);

}  // namespace floe
