#include "floe/catalog/static_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "floe/io/local_store.h"
#include "floe/io/location.h"

namespace floe {
namespace {

using ::testing::HasSubstr;

const std::string kFixtures = FLOE_FIXTURES_DIR;

std::unique_ptr<LocalStore> RootStore() { return *LocalStore::Make("/"); }

TEST(RelocatingResolverTest, RewritesTheWrittenLocationInEveryForm) {
  auto moved = MakeRelocatingResolver("data/persistent/t", "file:///fx/t", "/cwd");
  EXPECT_EQ(*moved("data/persistent/t/metadata/snap-1.avro"), "file:///fx/t/metadata/snap-1.avro");
  EXPECT_EQ(*moved("data/persistent/t"), "file:///fx/t");
  // Not below the written location: relative to the base folder; absolute as it is.
  EXPECT_EQ(*moved("data/persistent/tt/x.parquet"), "file:///cwd/data/persistent/tt/x.parquet");
  EXPECT_EQ(*moved("/elsewhere/x.parquet"), "file:///elsewhere/x.parquet");

  auto dotted = MakeRelocatingResolver("./lineitem", "file:///fx/lineitem", "/cwd");
  EXPECT_EQ(*dotted("lineitem/data/a.parquet"), "file:///fx/lineitem/data/a.parquet");
  auto uri = MakeRelocatingResolver("file://data/map", "file:///fx/map", "/cwd");
  EXPECT_EQ(*uri("file://data/map/data/a.parquet"), "file:///fx/map/data/a.parquet");
  EXPECT_EQ(*uri("file://data/other/a.parquet"), "file:///cwd/data/other/a.parquet");
  auto absolute = MakeRelocatingResolver("s3://bucket/wh/t/", "file:///copy/t", "/cwd");
  EXPECT_EQ(*absolute("s3://bucket/wh/t/data/a.parquet"), "file:///copy/t/data/a.parquet");
  // A table at home resolves to itself.
  auto home = MakeRelocatingResolver("file:///wh/t", "file:///wh/t", "/cwd");
  EXPECT_EQ(*home("file:///wh/t/data/a.parquet"), "file:///wh/t/data/a.parquet");
}

TEST(StaticTableTest, OpensFileFolderAndMetadataFolder) {
  auto store = RootStore();
  const std::string dir = kFixtures + "/partition_identity_bigint";
  auto by_file = OpenStaticTable(store.get(), dir + "/metadata/v2.metadata.json");
  ASSERT_TRUE(by_file.ok()) << by_file.status().ToString();
  EXPECT_EQ(by_file->table_root, "file://" + dir);
  EXPECT_EQ(by_file->metadata.location, "data/persistent/partition_bigint");
  // Paths written at the duckdb-iceberg checkout land in the fixture folder.
  const std::string& list = by_file->metadata.CurrentSnapshot()->manifest_list;
  auto resolved = by_file->resolver(list);
  ASSERT_TRUE(resolved.ok());
  EXPECT_TRUE(store->Stat(*resolved).ok()) << *resolved;

  // The folder: version-hint.text says 2.
  auto by_folder = OpenStaticTable(store.get(), dir);
  ASSERT_TRUE(by_folder.ok()) << by_folder.status().ToString();
  EXPECT_EQ(by_folder->metadata_location, "file://" + dir + "/metadata/v2.metadata.json");
  auto by_metadata_folder = OpenStaticTable(store.get(), dir + "/metadata");
  ASSERT_TRUE(by_metadata_folder.ok());
  EXPECT_EQ(by_metadata_folder->table_root, "file://" + dir);

  // A hint naming a file by its stem; gzipped metadata named v2.gz.metadata.json.
  auto uuid = OpenStaticTable(store.get(), kFixtures + "/uuid_column");
  ASSERT_TRUE(uuid.ok());
  EXPECT_THAT(uuid->metadata_location, HasSubstr("00001-43fda1f4"));
  auto gz =
      OpenStaticTable(store.get(), kFixtures + "/lineitem_v1_gzip_metadata/lineitem_iceberg_gz");
  ASSERT_TRUE(gz.ok()) << gz.status().ToString();
  EXPECT_THAT(gz->metadata_location, HasSubstr("v2.gz.metadata.json"));
  EXPECT_EQ(gz->metadata.format_version, 1);
  // No hint: the highest-numbered file.
  auto pyiceberg = OpenStaticTable(
      store.get(), kFixtures + "/null_stats_missing_null_counts/default/test_nulls");
  ASSERT_TRUE(pyiceberg.ok());
  EXPECT_THAT(pyiceberg->metadata_location, HasSubstr("00003-9d6a621e"));
}

TEST(StaticTableTest, ErrorsNameThePath) {
  auto store = RootStore();
  auto none = OpenStaticTable(store.get(), kFixtures);  // a folder without metadata files
  EXPECT_EQ(none.status().kind(), ErrorKind::kNotFound);
  EXPECT_THAT(none.status().message(), HasSubstr(kFixtures));
  auto missing = OpenStaticTable(store.get(), kFixtures + "/nope/v1.metadata.json");
  EXPECT_EQ(missing.status().kind(), ErrorKind::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("nope/v1.metadata.json"));
}

}  // namespace
}  // namespace floe
