#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace floe {

// XXH64 (libxxhash), for hash tables of values (dictionary encoding, dedup of event ids).
uint64_t XxHash64(const void* data, size_t n, uint64_t seed = 0);
inline uint64_t XxHash64(std::string_view s, uint64_t seed = 0) {
  return XxHash64(s.data(), s.size(), seed);
}

// XXH3 64-bit (libxxhash, stable output since 0.8): several times faster than XXH64 on short
// inputs, for in-memory hash tables keyed on short values.
uint64_t XxHash3(const void* data, size_t n);

// MurmurHash3 x86 32-bit with seed 0 as Iceberg's bucket transform defines it.
int32_t Murmur3_32(const void* data, size_t n, uint32_t seed = 0);

}  // namespace floe
