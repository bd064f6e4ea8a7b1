#include "floe/common/cpu_time.h"

#include <time.h>

namespace floe {

// CLOCK_THREAD_CPUTIME_ID, not getrusage(RUSAGE_THREAD): the latter moves in scheduler ticks, so a
// helper thread that lives a few milliseconds would count as 0.
int64_t ThreadCpuMicros() {
  timespec ts{};
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

}  // namespace floe
