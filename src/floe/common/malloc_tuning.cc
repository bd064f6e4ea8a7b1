#include "floe/common/malloc_tuning.h"

#include <malloc.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string_view>
#include <thread>
#include <vector>

namespace floe {

namespace {

constexpr std::string_view kHugePages = "glibc.malloc.hugetlb";

// Whether the kernel gives huge pages to memory advised for them and only to that: the one mode
// where glibc's tunable changes anything.
bool ThpModeIsMadvise() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  const std::string mode((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return mode.find("[madvise]") != std::string::npos;
}

// The kernel names a process after the last part of the path it executes: "exe" after the
// re-exec through /proc/self/exe, which `ps`, `top`, `pgrep floe` and `pkill floe` would show
// instead of floe. Then the process takes back the name it started with (argv[0]'s last part,
// as the kernel took it from the path the first time).
void KeepProcessName(const char* argv0) {
  char name[17] = {};
  if (argv0 == nullptr || prctl(PR_GET_NAME, name) != 0 || std::string_view(name) != "exe") {
    return;
  }
  std::string_view wanted = argv0;
  wanted.remove_prefix(std::min(wanted.size(), wanted.rfind('/') + 1));  // npos + 1 == 0
  if (wanted.empty() || wanted == "exe") return;
  const std::string truncated(wanted.substr(0, 15));  // the kernel keeps 15 bytes
  (void)prctl(PR_SET_NAME, truncated.c_str());
}

}  // namespace

bool NamesTunable(const char* tunables_or_null, std::string_view key) {
  if (tunables_or_null == nullptr) return false;
  std::string_view tunables = tunables_or_null;
  while (!tunables.empty()) {
    const size_t end = tunables.find(':');
    const std::string_view pair = tunables.substr(0, end);
    if (pair.substr(0, pair.find('=')) == key) return true;
    if (end == std::string_view::npos) break;
    tunables.remove_prefix(end + 1);
  }
  return false;
}

std::optional<std::string> TunablesWithHugePages(const char* current) {
  if (NamesTunable(current, kHugePages)) return std::nullopt;
  std::string next(current != nullptr ? current : "");
  if (!next.empty()) next += ':';
  next += kHugePages;
  next += "=1";
  return next;
}

bool CommandWantsHugePages(const char* command) {
  return command != nullptr && std::string_view(command) == "serve";
}

void TuneMallocAtStart(char** argv) {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  std::optional<std::string> next;
  if (argv[0] != nullptr && CommandWantsHugePages(argv[1])) next = TunablesWithHugePages(tunables);
  if (!next.has_value()) KeepProcessName(argv[0]);
  if (next.has_value() && ThpModeIsMadvise()) {
    const std::optional<std::string> before =
        tunables != nullptr ? std::optional<std::string>(tunables) : std::nullopt;
    if (setenv("GLIBC_TUNABLES", next->c_str(), 1) == 0) {
      execv("/proc/self/exe", argv);
      // No /proc, or the binary is gone: run on as we are, with the environment we were given.
      if (before.has_value()) {
        setenv("GLIBC_TUNABLES", before->c_str(), 1);
      } else {
        unsetenv("GLIBC_TUNABLES");
      }
    }
  }
  tunables = std::getenv("GLIBC_TUNABLES");
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr &&
      !NamesTunable(tunables, "glibc.malloc.arena_max")) {
    mallopt(M_ARENA_MAX, 1);
  }
  if (std::getenv("MALLOC_MMAP_MAX_") == nullptr &&
      !NamesTunable(tunables, "glibc.malloc.mmap_max")) {
    mallopt(M_MMAP_MAX, 0);
  }
}

size_t PrepareHeapForBulkLoad(size_t bytes) {
#if defined(__SANITIZE_ADDRESS__)
  (void)bytes;
  return 0;
#else
  if (bytes == 0 || std::getenv("MALLOC_TRIM_THRESHOLD_") != nullptr ||
      NamesTunable(std::getenv("GLIBC_TUNABLES"), "glibc.malloc.trim_threshold")) {
    return 0;
  }
  // -1: never trim the top on free (mallopt(3)); malloc_trim still does.
  mallopt(M_TRIM_THRESHOLD, -1);
  const size_t mapped_before = mallinfo2().hblkhd;
  auto* block = static_cast<volatile char*>(std::malloc(bytes));
  if (block == nullptr) return 0;
  size_t touched = 0;
  if (mallinfo2().hblkhd == mapped_before) {
    // One slice per core: where the host backs each page as it is first touched, faults on
    // several cores at once are served in parallel (a million-event load after a pause: 1.9-2.5 s
    // against 2.2-3.0 s with one thread).
    const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t pages = (bytes + page - 1) / page;
    const size_t slices = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
    auto touch = [&](size_t slice) {
      const size_t end = pages * (slice + 1) / slices;
      for (size_t p = pages * slice / slices; p < end; ++p) block[p * page] = 0;
    };
    std::vector<std::thread> helpers;
    for (size_t slice = 1; slice < slices; ++slice) helpers.emplace_back(touch, slice);
    touch(0);
    for (auto& helper : helpers) helper.join();
    touched = bytes;
  }
  std::free(const_cast<char*>(block));
  return touched;
#endif
}

}  // namespace floe
