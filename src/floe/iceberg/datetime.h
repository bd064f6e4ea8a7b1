#pragma once

// Proleptic Gregorian calendar arithmetic on Iceberg's epoch-based values, and the ISO text forms
// Java's Iceberg prints for them (partition paths, defaults).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace floe::iceberg {

struct CivilDate {
  int64_t year = 1970;
  int32_t month = 1;  // 1..12
  int32_t day = 1;    // 1..31
};

// Days since 1970-01-01 <-> year/month/day, valid for any int32 day count.
CivilDate CivilFromDays(int64_t days);
int64_t DaysFromCivil(int64_t year, int32_t month, int32_t day);

// Division rounding toward negative infinity (pre-epoch values belong to the earlier unit).
inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
inline int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerHour = 3600 * kMicrosPerSecond;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

// "2026-01-05" (ISO_LOCAL_DATE; years beyond 9999 get a '+').
std::string FormatDate(int64_t days);
// "13:05:00" or "00:00:00.012345" (ISO_LOCAL_TIME: seconds always, fraction trimmed).
std::string FormatTime(int64_t micros_of_day);
// "2026-01-05T13:05:00" and, with zone, "2026-01-05T13:05:00+00:00".
std::string FormatTimestamp(int64_t micros, bool with_zone);

// Inverses of the above. Timestamps with zone accept "Z" or "+HH:MM"/"-HH:MM" offsets.
std::optional<int32_t> ParseDate(std::string_view text);
std::optional<int64_t> ParseTime(std::string_view text);
std::optional<int64_t> ParseTimestamp(std::string_view text, bool with_zone);

}  // namespace floe::iceberg
