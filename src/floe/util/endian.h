#pragma once

#include <cstdint>
#include <cstring>

namespace floe {

// Little-endian loads and stores (floe only targets little-endian hosts; memcpy keeps them
// alignment-safe and compiles to a single move).
template <typename T>
inline T LoadLE(const void* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

template <typename T>
inline void StoreLE(void* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

inline uint32_t ByteSwap32(uint32_t v) { return __builtin_bswap32(v); }
inline uint64_t ByteSwap64(uint64_t v) { return __builtin_bswap64(v); }

inline uint32_t LoadBE32(const void* p) { return ByteSwap32(LoadLE<uint32_t>(p)); }
inline uint64_t LoadBE64(const void* p) { return ByteSwap64(LoadLE<uint64_t>(p)); }
inline void StoreBE32(void* p, uint32_t v) { StoreLE<uint32_t>(p, ByteSwap32(v)); }
inline void StoreBE64(void* p, uint64_t v) { StoreLE<uint64_t>(p, ByteSwap64(v)); }

}  // namespace floe
