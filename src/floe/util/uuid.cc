#include "floe/util/uuid.h"

#include "floe/util/endian.h"

namespace floe {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

uint64_t SeedFromDevice() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace

std::string Uuid::ToString() const {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 15]);
  }
  return out;
}

std::optional<Uuid> Uuid::Parse(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  Uuid u;
  size_t j = 0;
  for (size_t i = 0; i < 36;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    int hi = HexValue(text[i]), lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    u.bytes[j++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return u;
}

UuidGenerator::UuidGenerator(const Clock* clock) : UuidGenerator(clock, SeedFromDevice()) {}
UuidGenerator::UuidGenerator(const Clock* clock, uint64_t seed) : clock_(clock), rng_(seed) {}

Uuid UuidGenerator::NewV4() {
  Uuid u;
  StoreLE<uint64_t>(u.bytes.data(), rng_());
  StoreLE<uint64_t>(u.bytes.data() + 8, rng_());
  u.bytes[6] = static_cast<uint8_t>((u.bytes[6] & 0x0f) | 0x40);
  u.bytes[8] = static_cast<uint8_t>((u.bytes[8] & 0x3f) | 0x80);
  return u;
}

Uuid UuidGenerator::NewV7() {
  Uuid u;
  StoreLE<uint64_t>(u.bytes.data() + 8, rng_());
  uint64_t r = rng_();
  uint64_t ms = static_cast<uint64_t>(clock_->NowMillis());
  for (int i = 0; i < 6; ++i) u.bytes[i] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  u.bytes[6] = static_cast<uint8_t>(0x70 | (r & 0x0f));
  u.bytes[7] = static_cast<uint8_t>(r >> 8);
  u.bytes[8] = static_cast<uint8_t>((u.bytes[8] & 0x3f) | 0x80);
  return u;
}

}  // namespace floe
