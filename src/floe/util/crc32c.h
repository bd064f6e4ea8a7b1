#pragma once

#include <cstddef>
#include <cstdint>

namespace floe {

// CRC-32C (Castagnoli), as used by the write-ahead log's record checksums. Uses the SSE4.2
// instruction when the build targets it, a table otherwise. `Crc32cExtend(0, ...)` starts a CRC.
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n);
inline uint32_t Crc32c(const void* data, size_t n) { return Crc32cExtend(0, data, n); }
// Crc32c of three buffers at once (crc[i] of data[i], n[i] bytes). The crc32 instruction takes
// three cycles to give its result and can start one every cycle: one buffer's chain of them
// leaves the unit idle two cycles in three, three buffers' chains side by side keep it busy.
void Crc32cOfThree(const void* const data[3], const size_t n[3], uint32_t crc[3]);

// CRC-32 (IEEE 802.3, zlib's), as Parquet's optional page checksum uses.
uint32_t Crc32(const void* data, size_t n);

}  // namespace floe
