#include "floe/common/malloc_tuning.h"

#include <gtest/gtest.h>
#include <malloc.h>
#include <sys/resource.h>

#include <cstdlib>

namespace floe {
namespace {

TEST(MallocTuningTest, NamesTunableMatchesWholeNamesOnly) {
  EXPECT_FALSE(NamesTunable(nullptr, "glibc.malloc.hugetlb"));
  EXPECT_FALSE(NamesTunable("", "glibc.malloc.hugetlb"));
  EXPECT_TRUE(NamesTunable("glibc.malloc.hugetlb=0", "glibc.malloc.hugetlb"));
  EXPECT_TRUE(NamesTunable("glibc.malloc.check=3:glibc.malloc.arena_max=4",
                           "glibc.malloc.arena_max"));
  // A prefix, a suffix or a value is not the name.
  EXPECT_FALSE(NamesTunable("glibc.malloc.arena_max_x=4", "glibc.malloc.arena_max"));
  EXPECT_FALSE(NamesTunable("x.glibc.malloc.arena_max=4", "glibc.malloc.arena_max"));
  EXPECT_FALSE(NamesTunable("glibc.malloc.check=glibc.malloc.hugetlb", "glibc.malloc.hugetlb"));
  EXPECT_TRUE(NamesTunable("glibc.malloc.hugetlb", "glibc.malloc.hugetlb"));
}

TEST(MallocTuningTest, HugePagesAreAddedUnlessTheOperatorChose) {
  EXPECT_EQ(TunablesWithHugePages(nullptr), "glibc.malloc.hugetlb=1");
  EXPECT_EQ(TunablesWithHugePages(""), "glibc.malloc.hugetlb=1");
  EXPECT_EQ(TunablesWithHugePages("glibc.malloc.check=3"),
            "glibc.malloc.check=3:glibc.malloc.hugetlb=1");
  // Named already (by the operator, or by the run that re-executed): no re-exec, so no loop.
  EXPECT_EQ(TunablesWithHugePages("glibc.malloc.hugetlb=0"), std::nullopt);
  EXPECT_EQ(TunablesWithHugePages("glibc.malloc.check=3:glibc.malloc.hugetlb=1"), std::nullopt);
}

TEST(MallocTuningTest, OnlyTheServerAsksForHugePages) {
  EXPECT_TRUE(CommandWantsHugePages("serve"));
  // One-shot commands touch most of their heap once: 4 KiB pages (malloc_tuning.h says why).
  for (const char* command : {"ingest", "compact", "maintain", "tables", "--help", "", "serves"}) {
    EXPECT_FALSE(CommandWantsHugePages(command)) << command;
  }
  EXPECT_FALSE(CommandWantsHugePages(nullptr));  // `floe` alone
}

#if !defined(__SANITIZE_ADDRESS__)
int64_t MinorFaults() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}
#endif

TEST(MallocTuningTest, BulkLoadHeapIsFaultedInAndKept) {
  constexpr size_t kBytes = size_t{32} << 20;
  mallopt(M_MMAP_MAX, 0);  // as TuneMallocAtStart sets it: large blocks from the heap
  const size_t prepared = PrepareHeapForBulkLoad(kBytes);
#if defined(__SANITIZE_ADDRESS__)
  EXPECT_EQ(prepared, 0u);  // ASan's allocator is not glibc's heap
#else
  ASSERT_EQ(prepared, kBytes);
  // The next buffers are made of that memory: filling them takes no page fault (without the
  // preparation, one per 4 KiB page: 4,096 for 16 MiB), and nothing was handed back.
  const int64_t before = MinorFaults();
  // volatile: a malloc, memset and free the compiler could see through would be dropped.
  auto* buffer = static_cast<volatile char*>(std::malloc(kBytes / 2));
  ASSERT_NE(buffer, nullptr);
  for (size_t at = 0; at < kBytes / 2; at += 512) buffer[at] = 1;
  const int64_t faults = MinorFaults() - before;
  std::free(const_cast<char*>(buffer));
  EXPECT_LT(faults, 64);
  EXPECT_GE(mallinfo2().fordblks, kBytes);
#endif
  EXPECT_EQ(PrepareHeapForBulkLoad(0), 0u);
}

}  // namespace
}  // namespace floe
