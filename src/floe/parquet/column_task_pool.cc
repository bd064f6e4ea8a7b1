#include "floe/parquet/column_task_pool.h"

namespace floe::parquet {

ColumnTaskPool::ColumnTaskPool(int threads, CpuTally* cpu_tally) {
  for (int slot = 1; slot < threads; ++slot) {
    workers_.emplace_back([this, slot, cpu_tally] {
      ThreadCpuToTally count(cpu_tally);
      WorkerLoop(slot);
    });
  }
}

ColumnTaskPool::~ColumnTaskPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : workers_) t.join();
}

// Indices are handed out under the lock: tasks are whole column chunks (milliseconds each), so
// the lock is never contended enough to matter and the order of starts stays deterministic.
void ColumnTaskPool::Drain(int slot) {
  std::unique_lock<std::mutex> lock(mu_);
  while (next_ < n_) {
    size_t i = next_++;
    const auto* task = task_;
    lock.unlock();
    (*task)(i, slot);
    lock.lock();
  }
}

void ColumnTaskPool::WorkerLoop(int slot) {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    Drain(slot);
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++workers_done_;
    }
    done_cv_.notify_one();
  }
}

void ColumnTaskPool::Run(size_t n, const std::function<void(size_t, int)>& task) {
  if (workers_.empty() || n <= 1) {
    for (size_t i = 0; i < n; ++i) task(i, 0);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    task_ = &task;
    n_ = n;
    next_ = 0;
    workers_done_ = 0;
    ++generation_;
  }
  work_cv_.notify_all();
  Drain(0);
  std::unique_lock<std::mutex> lock(mu_);
  // Every worker checks in for this generation, so none still holds `task` when Run returns.
  done_cv_.wait(lock, [&] { return workers_done_ == static_cast<int>(workers_.size()); });
  task_ = nullptr;
  n_ = 0;
}

}  // namespace floe::parquet
