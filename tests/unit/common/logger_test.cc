#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "floe/common/logger.h"

namespace floe {
namespace {

TEST(LoggerTest, WritesOneJsonObjectPerLine) {
  FakeClock clock(1795881600123456);  // 2026-11-28T16:00:00.123456Z
  std::vector<std::string> lines;
  Logger log(&clock, LogLevel::kInfo, [&](std::string_view l) { lines.emplace_back(l); });
  log.Info("compaction.start", {{"table", "analytics.events"}, {"files", 12}, {"ok", true},
                                {"ratio", 0.5}, {"note", "quote \" and\nnewline"}});
  log.Debug("hidden");
  ASSERT_EQ(lines.size(), 1u);
  ASSERT_EQ(lines[0].back(), '\n');
  auto j = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(j["ts"], "2026-11-28T16:00:00.123456Z");
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["event"], "compaction.start");
  EXPECT_EQ(j["table"], "analytics.events");
  EXPECT_EQ(j["files"], 12);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["ratio"], 0.5);
  EXPECT_EQ(j["note"], "quote \" and\nnewline");
}

TEST(LoggerTest, ParsesLevels) {
  LogLevel l;
  EXPECT_TRUE(ParseLogLevel("warn", &l));
  EXPECT_EQ(l, LogLevel::kWarn);
  EXPECT_FALSE(ParseLogLevel("loud", &l));
}

TEST(LoggerTest, FormatsTimestampsBeforeEpoch) {
  EXPECT_EQ(FormatTimestampMicros(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatTimestampMicros(0), "1970-01-01T00:00:00.000000Z");
}

TEST(ClockTest, FakeClockAdvancesOnSleep) {
  FakeClock c(1000);
  c.SleepMicros(500);
  EXPECT_EQ(c.NowMicros(), 1500);
  c.AdvanceMicros(1000);
  EXPECT_EQ(c.NowMillis(), 2);
}

}  // namespace
}  // namespace floe
