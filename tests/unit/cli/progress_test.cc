// The CLI's progress bar: drawn only on a terminal, redrawn in place at most every 100 ms (and
// always at completion), a count without a bar when the total is unknown, one newline at the end;
// the maintenance steps it shows.

#include "floe/cli/progress.h"

#include <gtest/gtest.h>

#include <sstream>

namespace floe::cli {
namespace {

struct Terminal {
  std::ostringstream out, err;
  FakeClock clock{1'000'000};
  CliContext ctx{&out,   &err,  [](const char*) -> const char* { return nullptr; },
                 &clock, false, true};
};

TEST(ProgressBarTest, NothingOffATerminalOrWhenDisabled) {
  Terminal t;
  t.ctx.stderr_is_terminal = false;
  {
    ProgressBar bar(t.ctx, "ingest");
    EXPECT_FALSE(bar.enabled());
    bar.Update(5, 10, "half");
  }
  t.ctx.stderr_is_terminal = true;
  {
    ProgressBar bar(t.ctx, "ingest", /*enabled=*/false);  // --json
    bar.Update(5, 10, "half");
  }
  EXPECT_EQ(t.err.str(), "");
  EXPECT_EQ(t.out.str(), "");
}

TEST(ProgressBarTest, DrawsInPlaceThrottledAndEndsTheLine) {
  Terminal t;
  ProgressBar bar(t.ctx, "compact");
  ASSERT_TRUE(bar.enabled());
  bar.Update(1, 4, "1/4 groups");
  EXPECT_EQ(t.err.str(), "\rcompact [#######                       ] 25% 1/4 groups");
  t.clock.AdvanceMicros(50'000);
  bar.Update(2, 4, "2/4 groups");  // within 100 ms: skipped
  EXPECT_EQ(t.err.str().find("2/4"), std::string::npos);
  t.clock.AdvanceMicros(60'000);
  bar.Update(2, 4, "2/4");
  EXPECT_NE(t.err.str().find("\rcompact [###############               ] 50% 2/4"),
            std::string::npos);
  // A shorter line blanks the rest of the longer one before it.
  EXPECT_NE(t.err.str().find("50% 2/4       "), std::string::npos);
  bar.Update(4, 4, "done");  // completion is always drawn
  EXPECT_NE(t.err.str().find("100% done"), std::string::npos);
  bar.Finish();
  bar.Finish();
  bar.Update(4, 4, "again");
  EXPECT_EQ(t.err.str().back(), '\n');
  EXPECT_EQ(t.err.str().find("again"), std::string::npos);
  EXPECT_EQ(t.out.str(), "");  // stdout stays clean for the summary or --json
}

TEST(ProgressBarTest, UnknownTotalShowsTextOnly) {
  Terminal t;
  ProgressBar bar(t.ctx, "ingest");
  bar.Update(3 << 20, 0, "1000 events, 3.0 MiB read");
  EXPECT_EQ(t.err.str(), "\ringest 1000 events, 3.0 MiB read");
}

TEST(ProgressBarTest, NoNewlineWhenNothingWasDrawn) {
  Terminal t;
  { ProgressBar bar(t.ctx, "ingest"); }
  EXPECT_EQ(t.err.str(), "");
}

TEST(ProgressBarTest, MaintenanceSteps) {
  Terminal t;
  ProgressBar off(t.ctx, "remove-orphans", false);
  EXPECT_FALSE(MaintenanceProgress(&off));
  ProgressBar bar(t.ctx, "remove-orphans");
  maintenance::ProgressCallback cb = MaintenanceProgress(&bar);
  ASSERT_TRUE(cb);
  cb({"listing", 0, 0});
  EXPECT_NE(t.err.str().find("remove-orphans listing..."), std::string::npos);
  cb({"deleting", 1000, 2500});
  t.clock.AdvanceMicros(200'000);
  cb({"deleting", 2500, 2500});
  EXPECT_NE(t.err.str().find("100% deleting 2500/2500 files"), std::string::npos);
}

TEST(HumanBytesTest, Units) {
  EXPECT_EQ(HumanBytes(512), "512 B");
  EXPECT_EQ(HumanBytes(1536), "1.5 KiB");
  EXPECT_EQ(HumanBytes(int64_t{3} << 30), "3.0 GiB");
}

}  // namespace
}  // namespace floe::cli
