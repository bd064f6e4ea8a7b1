#include "floe/common/malloc_tuning.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace floe
