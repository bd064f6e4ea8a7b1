#pragma once

// Five-field cron expressions as Vixie cron reads them:
//
//   minute hour day-of-month month day-of-week
//   0-59   0-23 1-31         1-12  0-7 (0 and 7 are Sunday)
//
// Each field is `*` or a comma-separated list of values, ranges `a-b` and steps `*/n`, `a-b/n`
// and `a/n` (a to the field's maximum, every n). Months take JAN-DEC and days of the week SUN-SAT,
// in any case. Aliases: @yearly (@annually), @monthly, @weekly, @daily (@midnight), @hourly.
//
// Day rule: when both day-of-month and day-of-week are restricted (neither starts with `*`), a day
// matches if EITHER matches ("0 0 1 * MON" runs on the 1st and on every Monday); otherwise both
// must match.
//
// Times are evaluated in UTC, or in a fixed offset from UTC that the caller passes (no daylight
// saving rules).

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "floe/common/result.h"

namespace floe::scheduler {

class CronExpression {
 public:
  // kInvalidArgument for a syntax error or a value out of range; the message quotes the
  // expression and names the field and the 1-based column, e.g.
  //   cron "0 2 * * 8": field 5 (day of week) value 8 at column 9 is out of range 0-7
  // Also rejected: day-of-month/month combinations that never occur ("0 0 30 2 *").
  static Result<CronExpression> Parse(std::string_view text);

  // The first matching minute strictly after `after_micros` (microseconds since the Unix epoch),
  // with the fields read as local time at `utc_offset_minutes` east of UTC. Every expression Parse
  // accepts matches within 40 years, so the result is set (nullopt only past the calendar's end).
  std::optional<int64_t> NextAfter(int64_t after_micros, int32_t utc_offset_minutes = 0) const;

  // True when the minute containing `micros` matches.
  bool Matches(int64_t micros, int32_t utc_offset_minutes = 0) const;

  // The expression as written (aliases stay aliases).
  const std::string& text() const { return text_; }

 private:
  CronExpression() = default;
  bool DayMatches(int64_t days_since_epoch) const;

  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;  // bit 0 unused
  std::bitset<13> months_;         // bit 0 unused
  std::bitset<7> days_of_week_;    // 0 = Sunday
  bool day_of_month_star_ = false;
  bool day_of_week_star_ = false;
};

}  // namespace floe::scheduler
