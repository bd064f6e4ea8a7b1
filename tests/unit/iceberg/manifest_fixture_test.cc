// Reads the manifest lists and manifests of the shared fixture tables (Spark/Java and PyIceberg,
// v1 and v2, deflate and uncompressed) and checks them against EXPECTED.json.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "floe/iceberg/manifest.h"
#include "floe/iceberg/manifest_list.h"
#include "floe/iceberg/table_metadata.h"

namespace floe::iceberg {
namespace {

namespace fs = std::filesystem;

const std::string kFixtures = FLOE_FIXTURES_DIR;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The fixture README's relocation: "data/persistent/<src>/" and "file://data/persistent/<src>/"
// prefixes are replaced by the fixture folder; other relative paths resolve against it.
std::string Relocate(const nlohmann::json& table, const std::string& path) {
  const std::string dir = kFixtures + "/" + table["dir"].get<std::string>() + "/";
  const std::string prefix = table["original_location_prefix"].get<std::string>();
  bool replace = prefix.rfind("data/persistent/", 0) == 0 || prefix.rfind("file://", 0) == 0;
  if (path.rfind(prefix, 0) == 0) {
    return replace ? dir + path.substr(prefix.size()) : dir + path;
  }
  return path;
}

TEST(ManifestFixtureTest, CurrentSnapshotsMatchExpected) {
  nlohmann::json expected = nlohmann::json::parse(Slurp(kFixtures + "/EXPECTED.json"));
  ASSERT_GE(expected["tables"].size(), 14u);
  for (const auto& table : expected["tables"]) {
    const std::string name = table["name"];
    SCOPED_TRACE(name);
    const std::string metadata_path = kFixtures + "/" + table["dir"].get<std::string>() + "/" +
                                      table["metadata_file"].get<std::string>();
    auto metadata = ReadTableMetadataFile(Slurp(metadata_path), metadata_path);
    ASSERT_TRUE(metadata.ok()) << metadata.status().ToString();
    const Snapshot* snapshot = metadata->CurrentSnapshot();
    ASSERT_NE(snapshot, nullptr);
    ASSERT_FALSE(snapshot->manifest_list.empty());
    auto list_file = OpenLocalFile(Relocate(table, snapshot->manifest_list));
    ASSERT_TRUE(list_file.ok()) << list_file.status().ToString();
    auto list = ManifestListReader::Open(list_file->get());
    ASSERT_TRUE(list.ok()) << list.status().ToString();
    EXPECT_EQ((*list)->format_version(), table["format_version"].get<int>());
    EXPECT_EQ((*list)->snapshot_id(), snapshot->snapshot_id);
    auto manifests = (*list)->ReadAll();
    ASSERT_TRUE(manifests.ok()) << manifests.status().ToString();

    int64_t live_data = 0, live_deletes = 0, live_records = 0;
    for (const ManifestFile& m : *manifests) {
      SCOPED_TRACE(m.manifest_path);
      if (table["format_version"] == 1) {
        EXPECT_EQ(m.sequence_number, 0);
        EXPECT_EQ(m.content, ManifestContent::kData);
      }
      auto file = OpenLocalFile(Relocate(table, m.manifest_path));
      ASSERT_TRUE(file.ok()) << file.status().ToString();
      auto reader = ManifestReader::Open(file->get(), &m);
      ASSERT_TRUE(reader.ok()) << reader.status().ToString();
      EXPECT_EQ((*reader)->content(), m.content);
      EXPECT_EQ((*reader)->spec().spec_id, m.partition_spec_id);
      auto entries = (*reader)->ReadAll();
      ASSERT_TRUE(entries.ok()) << entries.status().ToString();
      int32_t added = 0, existing = 0, deleted = 0;
      int64_t added_rows = 0, existing_rows = 0;
      for (const ManifestEntry& e : *entries) {
        EXPECT_TRUE(e.snapshot_id.has_value());
        EXPECT_TRUE(e.sequence_number.has_value());
        EXPECT_TRUE(e.file_sequence_number.has_value());
        EXPECT_EQ(e.data_file.partition.size(), (*reader)->partition_type().fields.size());
        if (e.status == ManifestEntryStatus::kAdded) {
          ++added;
          added_rows += e.data_file.record_count;
          EXPECT_EQ(e.file_sequence_number, m.sequence_number);
        }
        if (e.status == ManifestEntryStatus::kExisting) {
          ++existing;
          existing_rows += e.data_file.record_count;
        }
        if (e.status == ManifestEntryStatus::kDeleted) ++deleted;
        if (!e.is_live()) continue;
        if (e.data_file.content == DataFileContent::kData) {
          ++live_data;
          live_records += e.data_file.record_count;
        } else {
          ++live_deletes;
        }
      }
      if (m.added_files_count) {
        EXPECT_EQ(*m.added_files_count, added);
      }
      if (m.existing_files_count) {
        EXPECT_EQ(*m.existing_files_count, existing);
      }
      if (m.deleted_files_count) {
        EXPECT_EQ(*m.deleted_files_count, deleted);
      }
      // PyIceberg's v1 list (v1_existing_and_deleted_entries) counts the rows of its EXISTING
      // entries as added, so only the live total is checked.
      if (m.added_rows_count && m.existing_rows_count) {
        EXPECT_EQ(*m.added_rows_count + *m.existing_rows_count, added_rows + existing_rows);
      }
      EXPECT_EQ(m.partitions.size(), (*reader)->spec().fields.size());
    }
    EXPECT_EQ(live_data, table["live_data_files"].get<int64_t>());
    EXPECT_EQ(live_deletes, table["live_delete_files"].get<int64_t>());
    if (!table["has_deletes"].get<bool>()) {
      EXPECT_EQ(live_records, table["row_count"].get<int64_t>());
    }
  }
}

TEST(ManifestFixtureTest, ReadsEveryManifestListAndManifest) {
  int lists = 0, manifests = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kFixtures)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".avro") continue;
    const std::string path = entry.path().string();
    SCOPED_TRACE(path);
    auto file = OpenLocalFile(path);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    if (entry.path().filename().string().rfind("snap-", 0) == 0) {
      auto reader = ManifestListReader::Open(file->get());
      ASSERT_TRUE(reader.ok()) << reader.status().ToString();
      auto all = (*reader)->ReadAll();
      ASSERT_TRUE(all.ok()) << all.status().ToString();
      EXPECT_FALSE(all->empty());
      ++lists;
    } else {
      auto reader = ManifestReader::Open(file->get());
      ASSERT_TRUE(reader.ok()) << reader.status().ToString();
      auto all = (*reader)->ReadAll();
      ASSERT_TRUE(all.ok()) << all.status().ToString();
      for (const ManifestEntry& e : *all) {
        EXPECT_FALSE(e.data_file.file_path.empty());
        EXPECT_GE(e.data_file.record_count, 0);
      }
      ++manifests;
    }
  }
  EXPECT_GT(lists, 10);
  EXPECT_GT(manifests, 10);
}

// One fixture entry in full: Spark's decimal(16,11) identity partition, big-endian fixed(7).
TEST(ManifestFixtureTest, DecimalPartitionValuesAndSummaries) {
  const std::string dir = kFixtures + "/partition_identity_decimal/metadata/";
  auto list_file = OpenLocalFile(dir +
                                 "snap-7397340839278125996-1-bad4520d-32bc-4c8e-841c-"
                                 "5c9ccc3aab3c.avro");
  ASSERT_TRUE(list_file.ok());
  auto list = ManifestListReader::Open(list_file->get());
  ASSERT_TRUE(list.ok());
  auto manifests = (*list)->ReadAll();
  ASSERT_TRUE(manifests.ok());
  ASSERT_EQ(manifests->size(), 1u);
  const ManifestFile& m = (*manifests)[0];
  EXPECT_EQ(m.sequence_number, 1);
  EXPECT_EQ(m.added_files_count, 10);
  ASSERT_EQ(m.partitions.size(), 1u);
  auto lo = DeserializeValue(
      Type::Decimal(16, 11),
      ByteView(reinterpret_cast<const uint8_t*>(m.partitions[0].lower_bound->data()),
               m.partitions[0].lower_bound->size()));
  ASSERT_TRUE(lo.ok());
  EXPECT_EQ(lo->ToString(), "-9876.54321098765");

  auto file = OpenLocalFile(dir + "bad4520d-32bc-4c8e-841c-5c9ccc3aab3c-m0.avro");
  ASSERT_TRUE(file.ok());
  auto reader = ManifestReader::Open(file->get(), &m);
  ASSERT_TRUE(reader.ok());
  auto entries = (*reader)->ReadAll();
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 10u);
  const ManifestEntry& e = (*entries)[0];
  EXPECT_EQ(e.data_file.partition[0].ToString(), "1.23456789012");
  EXPECT_EQ(e.data_file.file_format, FileFormat::kParquet);
  EXPECT_EQ(e.snapshot_id, 7397340839278125996);
  EXPECT_EQ(e.sequence_number, 1);
  EXPECT_EQ(e.data_file.column_sizes.at(3), 43);
  EXPECT_EQ(e.data_file.upper_bounds.at(3), "purchase");
  EXPECT_EQ(e.data_file.split_offsets, (std::vector<int64_t>{4}));
  EXPECT_EQ(e.data_file.sort_order_id, 0);
}

}  // namespace
}  // namespace floe::iceberg
