#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace floe::server {

// A fixed set of threads running request handlers, which may block (an ingest waits for the WAL
// group commit). The queue is bounded so a flood of requests is refused (503) instead of growing
// memory without limit.
class WorkerPool {
 public:
  WorkerPool(int threads, size_t max_queued);
  ~WorkerPool() { Stop(); }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; false (and `task` dropped) when the queue holds max_queued tasks or the pool
  // is stopping.
  bool TrySubmit(std::function<void()> task);
  // Refuses new tasks, runs every queued one, joins the threads. Idempotent.
  void Stop();

  // Tasks queued or running.
  size_t pending() const;

 private:
  void Run();

  const size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace floe::server
