#pragma once

// CPU time of threads, for reports that must count the helpers a piece of work starts (a
// compaction's decoding thread, a Parquet writer's pool, a reader's column threads), not only the
// thread that asked for it.
//
//   CpuTally tally;
//   std::thread helper([&] { ThreadCpuToTally count(&tally); Work(); });
//   ...; helper.join();
//   int64_t cpu_us = caller_cpu_us + tally.micros();

#include <atomic>
#include <cstdint>

namespace floe {

// User + system CPU of the calling thread, in microseconds (0 when the OS cannot say).
int64_t ThreadCpuMicros();

// A sum of CPU microseconds that threads add to; safe to add from any thread.
class CpuTally {
 public:
  void Add(int64_t micros) { micros_.fetch_add(micros, std::memory_order_relaxed); }
  int64_t micros() const { return micros_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> micros_{0};
};

// Adds the CPU the current thread spends between construction and destruction to `tally` (none
// when it is null). Create it at the top of a helper thread's function.
class ThreadCpuToTally {
 public:
  explicit ThreadCpuToTally(CpuTally* tally)
      : tally_(tally), start_(tally != nullptr ? ThreadCpuMicros() : 0) {}
  ~ThreadCpuToTally() {
    if (tally_ != nullptr) tally_->Add(ThreadCpuMicros() - start_);
  }
  ThreadCpuToTally(const ThreadCpuToTally&) = delete;
  ThreadCpuToTally& operator=(const ThreadCpuToTally&) = delete;

 private:
  CpuTally* tally_;
  int64_t start_;
};

}  // namespace floe
