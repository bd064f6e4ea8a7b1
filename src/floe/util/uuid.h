#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "floe/common/clock.h"

namespace floe {

// A 16-byte UUID in network (big-endian) byte order, as Iceberg and Parquet store them.
struct Uuid {
  std::array<uint8_t, 16> bytes{};

  // "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", lower case.
  std::string ToString() const;
  // Parses the canonical 36-character form (either case); nullopt otherwise.
  static std::optional<Uuid> Parse(std::string_view text);

  int version() const { return bytes[6] >> 4; }
  friend bool operator==(const Uuid&, const Uuid&) = default;
};

// Makes random (v4) and time-ordered (v7) UUIDs. Not thread-safe: one generator per thread or
// guarded by the owner. Seeded from std::random_device unless a seed is given (tests).
class UuidGenerator {
 public:
  explicit UuidGenerator(const Clock* clock);
  UuidGenerator(const Clock* clock, uint64_t seed);

  Uuid NewV4();
  // RFC 9562 v7: 48-bit Unix milliseconds, then random bits; sorts by creation time.
  Uuid NewV7();

 private:
  const Clock* clock_;
  std::mt19937_64 rng_;
};

}  // namespace floe
