#include "floe/cli/progress.h"

#include <algorithm>
#include <ostream>
#include <sstream>

namespace floe::cli {

std::string HumanBytes(int64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  std::ostringstream out;
  out.precision(u == 0 ? 0 : 1);
  out << std::fixed << v << " " << kUnits[u];
  return out.str();
}

ProgressBar::ProgressBar(const CliContext& ctx, std::string label, bool enabled)
    : err_(ctx.err),
      clock_(ctx.clock),
      label_(std::move(label)),
      enabled_(enabled && ctx.stderr_is_terminal && ctx.err != nullptr && ctx.clock != nullptr) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(int64_t done, int64_t total, std::string_view text) {
  if (!enabled_ || finished_) return;
  const int64_t now = clock_->MonotonicNanos();
  const bool complete = total > 0 && done >= total;
  if (drawn_ && !complete && now - last_draw_nanos_ < 100'000'000) return;
  last_draw_nanos_ = now;
  std::string line = label_ + " ";
  if (total > 0) {
    constexpr int kWidth = 30;
    const double fraction =
        std::clamp(static_cast<double>(done) / static_cast<double>(total), 0.0, 1.0);
    const int filled = static_cast<int>(fraction * kWidth);
    line += "[" + std::string(static_cast<size_t>(filled), '#') +
            std::string(static_cast<size_t>(kWidth - filled), ' ') + "] " +
            std::to_string(static_cast<int>(fraction * 100)) + "% ";
  }
  line += text;
  // Blanks over the tail of a longer previous line.
  const size_t width = line.size();
  if (width < last_width_) line += std::string(last_width_ - width, ' ');
  last_width_ = width;
  *err_ << "\r" << line << std::flush;
  drawn_ = true;
}

void ProgressBar::Finish() {
  if (finished_) return;
  finished_ = true;
  if (enabled_ && drawn_) *err_ << "\n" << std::flush;
}

maintenance::ProgressCallback MaintenanceProgress(ProgressBar* bar) {
  if (!bar->enabled()) return nullptr;
  return [bar](const maintenance::RunProgress& p) {
    std::string text(p.step);
    if (p.total > 0) {
      text += " " + std::to_string(p.done) + "/" + std::to_string(p.total) + " files";
    } else {
      text += p.done > 0 ? " " + std::to_string(p.done) + " files" : "...";
    }
    bar->Update(p.done, p.total, text);
  };
}

}  // namespace floe::cli
