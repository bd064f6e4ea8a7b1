#include "floe/io/store_registry.h"

#include <gtest/gtest.h>

#include "floe/io/memory_store.h"
#include "support/temp_dir.h"

namespace floe {
namespace {

TEST(StoreRegistryTest, FileLocationsAndBarePathsResolveToOneLocalStore) {
  auto registry = MakeDefaultStoreRegistry();
  testing::TempDir dir("floe-registry");
  auto a = registry->Resolve("file://" + dir.path() + "/x");
  auto b = registry->Resolve(dir.path() + "/y");
  auto c = registry->Resolve("file:" + dir.path());
  ASSERT_TRUE(a.ok() && b.ok() && c.ok()) << a.status().ToString();
  EXPECT_EQ(a->get(), b->get());
  EXPECT_EQ(a->get(), c->get());
  ASSERT_TRUE((*a)->Put("file:" + dir.path() + "/obj", "v").ok());
  EXPECT_EQ((*b)->Get(dir.path() + "/obj").value(), "v");
}

TEST(StoreRegistryTest, S3IsReservedAndUnknownSchemesFail) {
  auto registry = MakeDefaultStoreRegistry();
  EXPECT_EQ(registry->Resolve("s3://bucket/k").status().kind(), ErrorKind::kNotSupported);
  auto st = registry->Resolve("gs://bucket/k").status();
  EXPECT_EQ(st.kind(), ErrorKind::kNotSupported);
  EXPECT_NE(st.message().find("gs"), std::string::npos);
  EXPECT_EQ(registry->Resolve("relative").status().kind(), ErrorKind::kInvalidArgument);
}

TEST(StoreRegistryTest, OneStorePerAuthority) {
  FakeClock clock(1);
  StoreRegistry registry;
  int made = 0;
  registry.Register("s3", [&](const Location& root) -> Result<std::shared_ptr<ObjectStore>> {
    ++made;
    EXPECT_EQ(root.path, "/");
    return std::shared_ptr<ObjectStore>(std::make_shared<MemoryStore>(&clock));
  });
  auto a1 = registry.Resolve("s3://a/x");
  auto a2 = registry.Resolve("s3a://a/y");
  auto b = registry.Resolve("s3://b/x");
  ASSERT_TRUE(a1.ok() && a2.ok() && b.ok());
  EXPECT_EQ(a1->get(), a2->get());
  EXPECT_NE(a1->get(), b->get());
  EXPECT_EQ(made, 2);
}

}  // namespace
}  // namespace floe
