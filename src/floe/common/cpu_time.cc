#include "floe/common/cpu_time.h"

#include <sys/resource.h>

namespace floe {

int64_t ThreadCpuMicros() {
  rusage usage{};
  if (getrusage(RUSAGE_THREAD, &usage) != 0) return 0;
  return (static_cast<int64_t>(usage.ru_utime.tv_sec) + usage.ru_stime.tv_sec) * 1000000 +
         usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

}  // namespace floe
