#pragma once

// A small fixed pool that runs one task per column (or per any index) on `threads` threads, the
// calling thread being one of them. Owned by whoever needs it (a ParquetWriter owns one); there is
// no process-wide pool.
//
//   ColumnTaskPool pool(2);
//   pool.Run(columns.size(), [&](size_t i, int slot) { ... });  // returns when all are done
//
// `slot` (0..threads-1) is unique among the tasks running at the same moment, so per-thread
// resources such as codec contexts can be indexed by it. Tasks must not throw.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "floe/common/cpu_time.h"

namespace floe::parquet {

class ColumnTaskPool {
 public:
  // threads < 1 counts as 1 (no worker threads: Run executes everything on the caller).
  // `cpu_tally` (may be null): the worker threads' CPU time is added to it as they end.
  explicit ColumnTaskPool(int threads, CpuTally* cpu_tally = nullptr);
  ~ColumnTaskPool();
  ColumnTaskPool(const ColumnTaskPool&) = delete;
  ColumnTaskPool& operator=(const ColumnTaskPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  // Runs task(i, slot) once for every i in [0, n), in increasing order of start, and returns
  // when all have finished. Not reentrant: one Run at a time per pool.
  void Run(size_t n, const std::function<void(size_t, int)>& task);

 private:
  void WorkerLoop(int slot);
  void Drain(int slot);

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  const std::function<void(size_t, int)>* task_ = nullptr;  // guarded by mu_
  size_t n_ = 0;                                            // guarded by mu_
  size_t next_ = 0;                                         // guarded by mu_
  uint64_t generation_ = 0;                                 // guarded by mu_
  int workers_done_ = 0;                                    // guarded by mu_
  bool stop_ = false;                                       // guarded by mu_
  std::vector<std::thread> workers_;
};

}  // namespace floe::parquet
