#include "floe/scheduler/cron.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "floe/iceberg/datetime.h"

namespace floe::scheduler {
namespace {

// "2026-11-28T18:03:20" (UTC) as microseconds since the epoch.
int64_t Utc(const std::string& text) {
  std::optional<int64_t> micros = iceberg::ParseTimestamp(text, /*with_zone=*/false);
  EXPECT_TRUE(micros.has_value()) << text;
  return micros.value_or(0);
}

std::string Show(std::optional<int64_t> micros) {
  if (!micros) return "never";
  return iceberg::FormatTimestamp(*micros, /*with_zone=*/false);
}

struct NextCase {
  const char* cron;
  const char* after;
  int32_t utc_offset_minutes;
  const char* expected;
};

// Expected times computed independently (Python's datetime, minute by minute).
TEST(CronTest, NextAfterMatchesIndependentlyComputedTimes) {
  const NextCase cases[] = {
      {"0 2 * * *", "2026-11-28T18:00:00", 0, "2026-11-29T02:00:00"},
      {"0 3 * * 0", "2026-11-28T18:00:00", 0, "2026-11-29T03:00:00"},
      {"0 3 * * 0", "2026-11-29T03:00:00", 0, "2026-12-06T03:00:00"},
      {"*/5 * * * *", "2026-11-28T18:03:20", 0, "2026-11-28T18:05:00"},
      {"*/5 * * * *", "2026-11-28T18:05:00", 0, "2026-11-28T18:10:00"},
      {"0 0 1 * MON", "2026-11-28T18:00:00", 0, "2026-11-30T00:00:00"},  // OR rule: a Monday
      {"0 0 1 * MON", "2026-11-30T00:00:00", 0, "2026-12-01T00:00:00"},  // ... or the 1st
      {"0 0 1 * MON", "2026-12-01T00:00:00", 0, "2026-12-07T00:00:00"},
      {"0 0 */10 * MON", "2026-11-28T18:00:00", 0, "2026-12-21T00:00:00"},  // '*' first: AND
      {"0 0 29 2 *", "2026-03-01T00:00:00", 0, "2028-02-29T00:00:00"},
      {"30 9 * JAN-MAR,DEC mon-fri", "2026-11-28T18:00:00", 0, "2026-12-01T09:30:00"},
      {"0 0 * * 7", "2026-11-28T18:00:00", 0, "2026-11-29T00:00:00"},
      {"5/15 * * * *", "2026-11-28T18:00:00", 0, "2026-11-28T18:05:00"},
      {"5/15 * * * *", "2026-11-28T18:50:00", 0, "2026-11-28T19:05:00"},
      {"0 2 * * *", "2026-11-28T18:00:00", 60, "2026-11-29T01:00:00"},
      {"0 2 * * *", "2026-11-28T18:00:00", -300, "2026-11-29T07:00:00"},
      {"0 0 */28 2 1", "2026-11-28T18:00:00", 0, "2027-02-01T00:00:00"},
      {"0 12 31 * *", "2026-12-31T12:00:00", 0, "2027-01-31T12:00:00"},
      {"59 23 31 12 *", "2026-12-31T23:59:00", 0, "2027-12-31T23:59:00"},
      {"15,45 8-10/2 * * *", "2026-11-28T18:00:00", 0, "2026-11-29T08:15:00"},
      {"0 0 29 2 */7", "2026-11-28T18:00:00", 0, "2032-02-29T00:00:00"},  // leap day AND Sunday
      {"0 0 29 2 */7", "2090-01-01T00:00:00", 0, "2128-02-29T00:00:00"},  // across 2100
      {"@daily", "2026-11-28T18:00:00", 0, "2026-11-29T00:00:00"},
      {"@hourly", "2026-11-28T18:00:00", 0, "2026-11-28T19:00:00"},
      {"@weekly", "2026-11-28T18:00:00", 0, "2026-11-29T00:00:00"},
      {"@monthly", "2026-11-28T18:00:00", 0, "2026-12-01T00:00:00"},
      {"@yearly", "2026-11-28T18:00:00", 0, "2027-01-01T00:00:00"},
      {"0 0 1 1 *", "1969-06-01T00:00:00", 0, "1970-01-01T00:00:00"},  // before the epoch
  };
  for (const NextCase& c : cases) {
    Result<CronExpression> cron = CronExpression::Parse(c.cron);
    ASSERT_TRUE(cron.ok()) << cron.status().ToString();
    EXPECT_EQ(Show(cron->NextAfter(Utc(c.after), c.utc_offset_minutes)), c.expected)
        << c.cron << " after " << c.after << " offset " << c.utc_offset_minutes;
  }
}

TEST(CronTest, NextAfterIsTheFirstMatchingMinute) {
  // Property against Matches(): nothing matches between `after` and the result.
  for (const char* text : {"*/7 3-5 * * *", "0 0 1,15 * WED", "*/13 */5 */3 * *", "0 12 * 2 *"}) {
    CronExpression cron = *CronExpression::Parse(text);
    int64_t t = Utc("2026-11-28T18:00:00");
    for (int i = 0; i < 40; ++i) {
      std::optional<int64_t> next = cron.NextAfter(t);
      ASSERT_TRUE(next.has_value());
      ASSERT_GT(*next, t);
      EXPECT_TRUE(cron.Matches(*next));
      for (int64_t m = (t / 60000000 + 1) * 60000000; m < *next && m < t + 40 * 86400000000LL;
           m += 60000000) {
        ASSERT_FALSE(cron.Matches(m)) << text << " matches " << Show(m) << " before " << Show(next);
      }
      t = *next;
    }
  }
}

TEST(CronTest, NamesAreCaseInsensitiveAndSevenIsSunday) {
  auto a = *CronExpression::Parse("0 0 * jan,Feb SUN-sat");
  auto b = *CronExpression::Parse("0 0 * 1-2 0-7");
  int64_t t = Utc("2026-11-28T18:00:00");
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(a.NextAfter(t), b.NextAfter(t));
    t = *a.NextAfter(t);
  }
  EXPECT_EQ(a.text(), "0 0 * jan,Feb SUN-sat");
}

TEST(CronTest, ErrorsNameTheFieldAndColumn) {
  const std::pair<const char*, const char*> cases[] = {
      {"0 2 * * 8",
       "cron \"0 2 * * 8\": field 5 (day of week) value 8 at column 9 is out of "
       "range 0-7"},
      {"60 * * * *",
       "cron \"60 * * * *\": field 1 (minute) value 60 at column 1 is out of "
       "range 0-59"},
      {"0  24 * * *",
       "cron \"0  24 * * *\": field 2 (hour) value 24 at column 4 is out of "
       "range 0-23"},
      {"0 0 0 * *",
       "cron \"0 0 0 * *\": field 3 (day of month) value 0 at column 5 is out of "
       "range 1-31"},
      {"0 0 * 13 *",
       "cron \"0 0 * 13 *\": field 4 (month) value 13 at column 7 is out of "
       "range 1-12"},
      {"* * * *",
       "cron \"* * * *\": has 4 field(s), expected 5 (minute hour day-of-month month "
       "day-of-week) or an alias such as @daily"},
      {"* * * * * *",
       "cron \"* * * * * *\": has 6 field(s), expected 5 (minute hour "
       "day-of-month month day-of-week) or an alias such as @daily"},
      {"", "cron \"\": is empty"},
      {"*/0 * * * *",
       "cron \"*/0 * * * *\": field 1 (minute) step 0 at column 3 is out of "
       "range 1-60"},
      {"5-3 * * * *",
       "cron \"5-3 * * * *\": field 1 (minute) range 5-3 at column 1 is "
       "reversed (write the smaller value first)"},
      {"0 0 * FOO *",
       "cron \"0 0 * FOO *\": field 4 (month) name \"FOO\" at column 7 is "
       "unknown (use JAN-DEC)"},
      {"MON * * * *",
       "cron \"MON * * * *\": field 1 (minute) name \"MON\" at column 1 is not "
       "allowed (numbers only)"},
      {"1,,2 * * * *",
       "cron \"1,,2 * * * *\": field 1 (minute) has unexpected \",\" at "
       "column 3"},
      {"1, * * * *",
       "cron \"1, * * * *\": field 1 (minute) ends early at column 3 (a value "
       "is missing)"},
      {"0 2 * * 1-",
       "cron \"0 2 * * 1-\": field 5 (day of week) ends early at column 11 (a "
       "value is missing)"},
      {"*/x * * * *",
       "cron \"*/x * * * *\": field 1 (minute) step at column 3 must be a "
       "number"},
      {"0 2 ? * *",
       "cron \"0 2 ? * *\": field 3 (day of month) has unexpected \"?\" at "
       "column 5"},
      {"99999999999 * * * *",
       "cron \"99999999999 * * * *\": field 1 (minute) value "
       "99999999999 at column 1 is out of range 0-59"},
      {"@reboot",
       "cron \"@reboot\": unknown alias at column 1 (use @yearly, @monthly, "
       "@weekly, @daily or @hourly)"},
      {"0 0 30 2 *",
       "cron \"0 0 30 2 *\": field 3 (day of month) never falls in the months "
       "of field 4, so the expression would never run"},
      {"0 0 31 4,6,9,11 *",
       "cron \"0 0 31 4,6,9,11 *\": field 3 (day of month) never falls "
       "in the months of field 4, so the expression would never run"},
  };
  for (const auto& [text, message] : cases) {
    Result<CronExpression> cron = CronExpression::Parse(text);
    ASSERT_FALSE(cron.ok()) << text;
    EXPECT_EQ(cron.status().kind(), ErrorKind::kInvalidArgument);
    EXPECT_EQ(cron.status().message(), message);
  }
  // Possible in some month (or on a weekday by the OR rule): accepted.
  EXPECT_TRUE(CronExpression::Parse("0 0 31 2,3 *").ok());
  EXPECT_TRUE(CronExpression::Parse("0 0 30 2 MON").ok());
  EXPECT_TRUE(CronExpression::Parse("  0\t2 * * *  ").ok());
}

TEST(CronTest, RandomExpressionsNeverBreakTheParser) {
  // Whatever Parse accepts must have a next time that matches; nothing may crash (ASan/UBSan).
  // Expressions are built from valid-looking items (values sometimes out of range), and some get
  // one character replaced.
  uint64_t seed = 0x9e3779b97f4a7c15ULL;
  auto random = [&](uint64_t n) {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed % n;
  };
  const char* names[] = {"JAN", "feb", "DEC", "SUN", "mon", "Sat", "FOO"};
  auto value = [&] {
    switch (random(8)) {
      case 0: return std::string(names[random(7)]);
      case 1: return std::to_string(random(64));
      default: return std::to_string(1 + random(7));
    }
  };
  auto item = [&]() -> std::string {
    switch (random(6)) {
      case 0: return "*";
      case 1: return value();
      case 2: return value() + "-" + value();
      case 3: return "*/" + std::to_string(random(9));
      case 4: return value() + "-" + value() + "/" + std::to_string(random(9));
      default: return value() + "/" + std::to_string(random(9));
    }
  };
  const std::string noise = "*/-,@ x7";
  int accepted = 0;
  int rejected = 0;
  const int64_t t = Utc("2026-11-28T18:00:00");
  for (int i = 0; i < 5000; ++i) {
    std::string text;
    for (int f = 0; f < 5; ++f) {
      if (f > 0) text += " ";
      text += item();
      for (uint64_t more = random(3); more > 0 && random(2) == 0; --more) text += "," + item();
    }
    if (random(5) == 0) text[random(text.size())] = noise[random(noise.size())];
    Result<CronExpression> cron = CronExpression::Parse(text);
    if (!cron.ok()) {
      ++rejected;
      EXPECT_EQ(cron.status().kind(), ErrorKind::kInvalidArgument);
      EXPECT_EQ(cron.status().message().rfind("cron \"" + text + "\": ", 0), 0u);
      continue;
    }
    ++accepted;
    std::optional<int64_t> next = cron->NextAfter(t);
    ASSERT_TRUE(next.has_value()) << text;
    EXPECT_TRUE(cron->Matches(*next)) << text;
  }
  EXPECT_GT(accepted, 100) << rejected;
  EXPECT_GT(rejected, 100) << accepted;
}

}  // namespace
}  // namespace floe::scheduler
