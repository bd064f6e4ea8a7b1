#pragma once

// The one progress bar of the CLI's long commands (compact, expire-snapshots, remove-orphans,
// ingest): a single line on standard error, redrawn in place, drawn only when standard error is a
// terminal (CliContext::stderr_is_terminal) so logs and pipes never see it.
//
//   ProgressBar bar(ctx, "compact");
//   bar.Update(done_bytes, total_bytes, "3/8 groups");   // total 0: a count, no bar
//   bar.Finish();

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

#include "floe/cli/cli.h"
#include "floe/maintenance/reachable.h"

namespace floe::cli {

// "1.5 MiB": the CLI's one way of printing a byte count to people.
std::string HumanBytes(int64_t bytes);

class ProgressBar {
 public:
  // Draws nothing unless ctx.stderr_is_terminal and `enabled` (false for --json runs).
  ProgressBar(const CliContext& ctx, std::string label, bool enabled = true);
  ~ProgressBar();  // Finish()
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // `done` of `total` units (total <= 0: unknown, the line shows `text` without a bar). Redraws at
  // most every 100 ms, and always when done reaches total, so a fast loop costs little.
  void Update(int64_t done, int64_t total, std::string_view text);
  // Ends the line (once; later calls and Updates do nothing).
  void Finish();

  bool enabled() const { return enabled_; }

 private:
  std::ostream* err_;
  const Clock* clock_;
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  bool finished_ = false;
  int64_t last_draw_nanos_ = 0;
  size_t last_width_ = 0;
};

// A maintenance run's steps (expire-snapshots, remove-orphans) drawn on `bar`; null when the bar
// is off, so the run does no progress work at all.
maintenance::ProgressCallback MaintenanceProgress(ProgressBar* bar);

}  // namespace floe::cli
