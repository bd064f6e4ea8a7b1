#include "floe/io/local_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"

namespace floe {
namespace {

class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    root_ = dir_.path() + "/root";
    auto store = LocalStore::Make(root_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }
  testing::TempDir dir_{"floe-local"};
  std::string root_;
  std::unique_ptr<LocalStore> store_;
};

TEST_F(LocalStoreTest, MakeCreatesTheRoot) {
  EXPECT_TRUE(std::filesystem::is_directory(root_));
  EXPECT_EQ(store_->root_location(), "file://" + root_);
}

TEST_F(LocalStoreTest, WritesCreateParentFoldersAndRealFiles) {
  ASSERT_TRUE(store_->Put("file://" + root_ + "/a/b/c/obj", "data").ok());
  ASSERT_TRUE(store_->PutIfAbsent(root_ + "/x/y/once", "data").ok());  // bare path
  std::ifstream in(root_ + "/a/b/c/obj");
  std::string text;
  in >> text;
  EXPECT_EQ(text, "data");
  EXPECT_TRUE(std::filesystem::exists(root_ + "/x/y/once"));
}

TEST_F(LocalStoreTest, LocationsOutsideTheRootAreRejected) {
  for (const std::string& bad :
       {"file://" + root_ + "/../escape", root_ + "/a/../../escape", dir_.path() + "/sibling",
        "file://" + root_, "file://" + root_ + "x/obj", std::string("s3://bucket/key"),
        std::string("relative")}) {
    Status st = store_->Put(bad, "x");
    EXPECT_EQ(st.kind(), ErrorKind::kInvalidArgument) << bad << ": " << st.ToString();
    EXPECT_EQ(store_->Get(bad).status().kind(), ErrorKind::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/escape"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/sibling"));
  EXPECT_EQ(store_->List(dir_.path() + "/").status().kind(), ErrorKind::kInvalidArgument);
}

TEST_F(LocalStoreTest, TemporaryFilesAreHiddenAndCleanedUp) {
  auto out = store_->Create(root_ + "/t/obj");
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE((*out)->Append(AsBytes("abc")).ok());
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(root_ + "/t")) {
    ++files;
    EXPECT_NE(e.path().filename().string().find(".floe-tmp-"), std::string::npos);
  }
  EXPECT_EQ(files, 1);
  EXPECT_TRUE(store_->List(root_ + "/").value().empty());
  ASSERT_TRUE((*out)->Close().ok());
  files = 0;
  for (const auto& e : std::filesystem::directory_iterator(root_ + "/t")) {
    ++files;
    EXPECT_EQ(e.path().filename(), "obj");
  }
  EXPECT_EQ(files, 1);
  ASSERT_EQ(store_->PutIfAbsent(root_ + "/t/obj", "x").kind(), ErrorKind::kAlreadyExists);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(root_ + "/t"),
                          std::filesystem::directory_iterator()),
            1);
}

TEST_F(LocalStoreTest, FoldersAreNotObjects) {
  ASSERT_TRUE(store_->Put(root_ + "/f/obj", "x").ok());
  EXPECT_EQ(store_->Stat(root_ + "/f").status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(store_->Get(root_ + "/f").status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(store_->Delete(root_ + "/f").kind(), ErrorKind::kNotFound);
  EXPECT_EQ(store_->List(root_ + "/f").value().size(), 1u);
}

TEST_F(LocalStoreTest, AnObjectCannotBeAFolderToo) {
  ASSERT_TRUE(store_->Put(root_ + "/f", "x").ok());
  // S3 would allow "f" and "f/g" side by side; a file system cannot, and says so as a write error.
  EXPECT_EQ(store_->Put(root_ + "/f/g", "y").kind(), ErrorKind::kIOError);
  EXPECT_EQ(store_->PutIfAbsent(root_ + "/f/g", "y").kind(), ErrorKind::kIOError);
  EXPECT_EQ(store_->Get(root_ + "/f/g").status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(store_->Get(root_ + "/f").value(), "x");
}

TEST_F(LocalStoreTest, ListReportsTheFileMtime) {
  ASSERT_TRUE(store_->Put(root_ + "/m", "x").ok());
  struct stat st;
  ASSERT_EQ(::stat((root_ + "/m").c_str(), &st), 0);
  auto listed = store_->List(root_ + "/");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].mtime_micros / 1000000, st.st_mtim.tv_sec);
  EXPECT_EQ((*listed)[0].location, "file://" + root_ + "/m");
}

TEST_F(LocalStoreTest, RootedAtSlashServesAnyAbsolutePath) {
  auto any = LocalStore::Make("file:///");
  ASSERT_TRUE(any.ok());
  ASSERT_TRUE((*any)->Put("file://" + dir_.path() + "/anywhere/x", "y").ok());
  EXPECT_EQ(store_->List(root_ + "/").value().size(), 0u);
  EXPECT_EQ((*any)->List("file://" + dir_.path() + "/anywhere/").value().size(), 1u);
}

}  // namespace
}  // namespace floe
