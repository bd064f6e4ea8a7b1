#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>

#include "floe/common/clock.h"

namespace floe {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

std::string_view LogLevelName(LogLevel level);
// Parses "debug", "info", "warn"/"warning", "error"; false when unknown.
bool ParseLogLevel(std::string_view text, LogLevel* level);

// One key/value of a log line. Values are strings, integers, doubles or booleans.
struct LogField {
  using Value = std::variant<std::string, int64_t, double, bool>;
  LogField(std::string_view k, std::string_view v) : key(k), value(std::string(v)) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string(v)) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(std::string_view k, int v) : key(k), value(int64_t{v}) {}
  LogField(std::string_view k, int64_t v) : key(k), value(v) {}
  LogField(std::string_view k, uint64_t v) : key(k), value(static_cast<int64_t>(v)) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
  std::string key;
  Value value;
};

// Writes one JSON object per line: {"ts":"2026-11-28T15:39:35.123456Z","level":"info",
// "event":"compaction.start", ...fields}. Thread-safe. Passed down, never global, so tests can
// capture lines with a sink of their own.
class Logger {
 public:
  using Sink = std::function<void(std::string_view line)>;

  // Writes to stderr.
  Logger(const Clock* clock, LogLevel min_level);
  Logger(const Clock* clock, LogLevel min_level, Sink sink);

  void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});
  void Debug(std::string_view event, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kDebug, event, fields);
  }
  void Info(std::string_view event, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kInfo, event, fields);
  }
  void Warn(std::string_view event, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kWarn, event, fields);
  }
  void Error(std::string_view event, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kError, event, fields);
  }

  bool Enabled(LogLevel level) const { return level >= min_level_; }
  void set_min_level(LogLevel level) { min_level_ = level; }

 private:
  const Clock* clock_;
  LogLevel min_level_;
  Sink sink_;
  std::mutex mu_;
};

// Appends `text` to `out` as a JSON string literal (quotes included), escaping as RFC 8259 says.
void AppendJsonString(std::string* out, std::string_view text);

// Formats microseconds since the epoch as RFC 3339 UTC with six fractional digits.
std::string FormatTimestampMicros(int64_t micros);

}  // namespace floe
