#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace floe {

// Time behind an interface, so schedules, retention windows and timeouts are testable.
class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, microseconds since the Unix epoch (UTC).
  virtual int64_t NowMicros() const = 0;
  // A monotonic reading for measuring durations, in nanoseconds from an arbitrary origin.
  virtual int64_t MonotonicNanos() const = 0;
  // Blocks the calling thread for `micros` of this clock's time.
  virtual void SleepMicros(int64_t micros) const = 0;

  int64_t NowMillis() const { return NowMicros() / 1000; }
};

// The real clock.
class SystemClock final : public Clock {
 public:
  int64_t NowMicros() const override;
  int64_t MonotonicNanos() const override;
  void SleepMicros(int64_t micros) const override;
};

// A clock tests set and advance by hand. Sleeping advances it instead of blocking.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_micros = 0) : now_micros_(start_micros) {}
  int64_t NowMicros() const override { return now_micros_.load(); }
  int64_t MonotonicNanos() const override { return now_micros_.load() * 1000; }
  void SleepMicros(int64_t micros) const override { now_micros_ += micros; }
  void SetMicros(int64_t micros) { now_micros_ = micros; }
  void AdvanceMicros(int64_t micros) { now_micros_ += micros; }

 private:
  mutable std::atomic<int64_t> now_micros_;
};

}  // namespace floe
