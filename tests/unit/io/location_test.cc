#include "floe/io/location.h"

#include <gtest/gtest.h>

namespace floe {
namespace {

std::string Norm(std::string_view text) {
  auto r = NormalizeLocation(text);
  return r.ok() ? *r : "ERROR " + r.status().ToString();
}

TEST(LocationTest, FileSpellingsNormaliseToTripleSlash) {
  EXPECT_EQ(Norm("file:///a/b"), "file:///a/b");
  EXPECT_EQ(Norm("file:/a/b"), "file:///a/b");
  EXPECT_EQ(Norm("file://localhost/a/b"), "file:///a/b");
  EXPECT_EQ(Norm("/a/b"), "file:///a/b");
  EXPECT_EQ(Norm("FILE:///a/b/"), "file:///a/b");
  EXPECT_EQ(Norm("file:///a//./b///"), "file:///a/b");
  EXPECT_EQ(Norm("file:///"), "file:///");
}

TEST(LocationTest, S3SpellingsFoldTogether) {
  EXPECT_EQ(Norm("s3://bucket/key/x"), "s3://bucket/key/x");
  EXPECT_EQ(Norm("s3a://bucket/key/x/"), "s3://bucket/key/x");
  EXPECT_EQ(Norm("s3n://bucket//key"), "s3://bucket/key");
  EXPECT_EQ(Norm("s3://bucket"), "s3://bucket/");
  auto loc = ParseLocation("s3://bkt/a/b");
  ASSERT_TRUE(loc.ok());
  EXPECT_EQ(loc->scheme, "s3");
  EXPECT_EQ(loc->authority, "bkt");
  EXPECT_EQ(loc->path, "/a/b");
}

TEST(LocationTest, RejectsWhatCannotBeResolvedSafely) {
  EXPECT_EQ(NormalizeLocation("relative/path").status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(NormalizeLocation("file:///a/../etc").status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(NormalizeLocation("/a/..").status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(NormalizeLocation("file://otherhost/a").status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(NormalizeLocation("s3:///key").status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(NormalizeLocation("").status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(NormalizeLocation("file:relative").status().kind(), ErrorKind::kInvalidArgument);
  auto st = NormalizeLocation("file:///a/../b").status();
  EXPECT_NE(st.message().find("file:///a/../b"), std::string::npos) << st.message();
}

TEST(LocationTest, PrefixKeepsItsTrailingSlash) {
  EXPECT_EQ(NormalizeLocationPrefix("file:/a/b/").value(), "file:///a/b/");
  EXPECT_EQ(NormalizeLocationPrefix("file:/a/b").value(), "file:///a/b");
}

TEST(LocationTest, LocalPathsBecomeAbsoluteFileLocations) {
  EXPECT_EQ(LocationFromLocalPath("/x/y/").value(), "file:///x/y");
  auto rel = LocationFromLocalPath("warehouse");
  ASSERT_TRUE(rel.ok());
  EXPECT_EQ(rel->rfind("file:///", 0), 0u);
  EXPECT_EQ(rel->substr(rel->size() - 10), "/warehouse");
}

TEST(LocationTest, JoinAndUnder) {
  EXPECT_EQ(JoinLocation("s3://b/t/", "data/f.parquet"), "s3://b/t/data/f.parquet");
  EXPECT_EQ(JoinLocation("s3://b/t", "data"), "s3://b/t/data");
  EXPECT_TRUE(IsLocationUnder("file:///a/b/c", "file:///a/b"));
  EXPECT_TRUE(IsLocationUnder("file:///a/b", "file:///a/b"));
  EXPECT_TRUE(IsLocationUnder("file:///a/b/c", "file:///a/b/"));
  EXPECT_FALSE(IsLocationUnder("file:///a/bc", "file:///a/b"));
  EXPECT_FALSE(IsLocationUnder("file:///a", "file:///a/b"));
}

}  // namespace
}  // namespace floe
