// floe create-table, drop-table, tables, snapshots, files, stats run in-process on a temporary
// warehouse: what they create, and the --json fields docs/cli.md promises.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "floe/catalog/sql_catalog.h"
#include "floe/catalog/transaction.h"
#include "floe/cli/cli.h"
#include "floe/common/clock.h"
#include "floe/io/local_store.h"
#include "support/temp_dir.h"

namespace floe::cli {
namespace {

using nlohmann::json;

class TableCommandsTest : public ::testing::Test {
 protected:
  // Runs `floe <argv...> --warehouse <dir>`; returns the exit code, output in out_/err_.
  int Run(std::vector<std::string> argv) {
    out_.str("");
    err_.str("");
    argv.insert(argv.begin(), "floe");
    argv.push_back("--warehouse");
    argv.push_back(wh_);
    CliContext ctx{&out_, &err_, [](const char*) -> const char* { return nullptr; }, &clock_,
                   false};
    return RunCli(argv, ctx);
  }
  json RunJson(std::vector<std::string> argv) {
    argv.push_back("--json");
    EXPECT_EQ(Run(argv), 0) << err_.str();
    return json::parse(out_.str());
  }

  // Appends data files of the given sizes to web.clicks (partition day 20454, bucket 3).
  void Append(const std::vector<int64_t>& sizes) {
    auto store = LocalStore::Make(wh_);
    ASSERT_TRUE(store.ok());
    auto catalog = SqlCatalog::Open("sqlite:" + wh_ + "/catalog.db");
    ASSERT_TRUE(catalog.ok());
    auto table =
        Table::Load(TableServices{store->get(), catalog->get(), &clock_, {}}, {{"web"}, "clicks"});
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    std::vector<iceberg::DataFile> files;
    for (int64_t size : sizes) {
      iceberg::DataFile f;
      f.file_path = "file://" + wh_ + "/web/clicks/data/f" + std::to_string(files_++) + ".parquet";
      f.record_count = 10;
      f.file_size_in_bytes = size;
      f.partition = {iceberg::Literal::Date(20454), iceberg::Literal::Int(3)};
      files.push_back(f);
    }
    ASSERT_TRUE((*table)->NewTransaction().AppendFiles(files).Commit().ok());
  }

  testing::TempDir dir_{"floe-table-commands"};
  std::string wh_ = dir_.path() + "/wh";
  SystemClock clock_;
  std::ostringstream out_, err_;
  int files_ = 0;
};

TEST_F(TableCommandsTest, CreateTableFromColumnsWithPartitionAndSort) {
  json t = RunJson({"create-table", "--table", "web.clicks", "--columns",
                    "id:long:required, ts:timestamptz, price:decimal(10,2)", "--partition",
                    "day(ts),bucket(16,id)", "--sort", "ts desc, id", "--properties", "a=b"});
  EXPECT_EQ(t["table"], "web.clicks");
  EXPECT_EQ(t["location"], "file://" + wh_ + "/web/clicks");
  EXPECT_TRUE(std::filesystem::exists(t["metadata_location"].get<std::string>().substr(7)));
  const json& fields = t["schema"]["fields"];
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0]["required"], true);
  EXPECT_EQ(fields[1]["required"], false);
  EXPECT_EQ(fields[2]["type"], "decimal(10,2)");
  const json& spec = t["partition_spec"]["fields"];
  ASSERT_EQ(spec.size(), 2u);
  EXPECT_EQ(spec[0]["name"], "ts_day");
  EXPECT_EQ(spec[1]["transform"], "bucket[16]");
  EXPECT_EQ(spec[1]["name"], "id_bucket");
  const json& sort = t["sort_order"]["fields"];
  ASSERT_EQ(sort.size(), 2u);
  EXPECT_EQ(sort[0]["direction"], "desc");
  EXPECT_EQ(sort[0]["null-order"], "nulls-last");
  EXPECT_EQ(t["properties"]["a"], "b");
  EXPECT_EQ(t["properties"]["write.parquet.compression-codec"], "zstd");

  // A second create of the same name fails and names the table.
  EXPECT_EQ(Run({"create-table", "--table", "web.clicks", "--columns", "x:int"}), 1);
  EXPECT_NE(err_.str().find("web.clicks"), std::string::npos) << err_.str();
}

TEST_F(TableCommandsTest, BadDefinitionsAreUsageErrors) {
  EXPECT_EQ(Run({"create-table", "--table", "a.b", "--columns", "x:int", "--partition", "day(y)"}),
            2);
  EXPECT_NE(err_.str().find("no column \"y\""), std::string::npos) << err_.str();
  EXPECT_EQ(Run({"create-table", "--table", "a.b", "--columns", "x:nope"}), 2);
  EXPECT_EQ(Run({"create-table", "--table", "a.b", "--columns", "x:int", "--partition", "day(x)"}),
            2);
  EXPECT_NE(err_.str().find("does not apply"), std::string::npos) << err_.str();
  EXPECT_EQ(Run({"create-table", "--table", "a.b", "--columns", "x:int", "--sort", "x sideways"}),
            2);
  EXPECT_EQ(Run({"create-table", "--table", "a.b"}), 2);
}

TEST_F(TableCommandsTest, InspectAppendedFilesAndDrop) {
  ASSERT_EQ(Run({"create-table", "--table", "web.clicks", "--columns", "id:long,ts:timestamptz",
                 "--partition", "day(ts),bucket(16,id)"}),
            0)
      << err_.str();
  Append({1000, 2 << 20});
  Append({200 << 20});

  json tables = RunJson({"tables"});
  ASSERT_EQ(tables["namespaces"].size(), 1u);
  EXPECT_EQ(tables["namespaces"][0]["namespace"], "web");
  const json& listed = tables["namespaces"][0]["tables"][0];
  EXPECT_EQ(listed["table"], "web.clicks");
  EXPECT_EQ(listed["snapshots"], 2);
  EXPECT_TRUE(listed["current_snapshot_id"].is_number());

  json snapshots = RunJson({"snapshots", "--table", "web.clicks"});
  ASSERT_EQ(snapshots["snapshots"].size(), 2u);
  EXPECT_EQ(snapshots["snapshots"][1]["parent_snapshot_id"],
            snapshots["snapshots"][0]["snapshot_id"]);
  EXPECT_EQ(snapshots["snapshots"][1]["operation"], "append");
  EXPECT_EQ(snapshots["snapshots"][1]["current"], true);
  EXPECT_EQ(snapshots["snapshots"][1]["summary"]["total-data-files"], "3");

  json files = RunJson({"files", "--table", "web.clicks"});
  ASSERT_EQ(files["files"].size(), 3u);
  for (const json& f : files["files"]) {
    EXPECT_EQ(f["content"], "data");
    EXPECT_EQ(f["partition_path"], "ts_day=2026-01-01/id_bucket=3");
    EXPECT_EQ(f["partition"]["ts_day"], "2026-01-01");
    EXPECT_EQ(f["record_count"], 10);
    EXPECT_EQ(f["data_sequence_number"], f["file_sequence_number"]);
  }

  // Default small-file limit: 75% of 128 MiB.
  json stats = RunJson({"stats", "--table", "web.clicks"});
  EXPECT_EQ(stats["small_file_limit_bytes"], 96 << 20);
  const json& totals = stats["totals"];
  EXPECT_EQ(totals["data_files"], 3);
  EXPECT_EQ(totals["small_files"], 2);
  EXPECT_EQ(totals["data_bytes"], 1000 + (2 << 20) + (200 << 20));
  EXPECT_EQ(totals["size_histogram"][0]["le_bytes"], 65536);
  EXPECT_EQ(totals["size_histogram"][0]["files"], 1);  // 1000 bytes
  EXPECT_EQ(totals["size_histogram"][3]["files"], 1);  // 2 MiB: <= 4 MiB
  EXPECT_EQ(totals["size_histogram"][6]["files"], 1);  // 200 MiB: <= 256 MiB
  ASSERT_EQ(stats["partitions"].size(), 1u);
  EXPECT_EQ(stats["partitions"][0]["partition"], "ts_day=2026-01-01/id_bucket=3");
  json small = RunJson({"stats", "--table", "web.clicks", "--small-file-mb", "1"});
  EXPECT_EQ(small["totals"]["small_files"], 1);

  // The same table outside the catalog, through its metadata folder.
  json by_path = RunJson({"files", "--metadata", wh_ + "/web/clicks"});
  EXPECT_EQ(by_path["files"].size(), 3u);
  EXPECT_EQ(by_path["snapshot_id"], files["snapshot_id"]);

  json dropped = RunJson({"drop-table", "--table", "web.clicks", "--purge"});
  EXPECT_EQ(dropped["purged"], true);
  EXPECT_EQ(dropped["data_files"], 3);
  EXPECT_EQ(Run({"files", "--table", "web.clicks"}), 1);
  bool any_metadata = false;
  for (const auto& e : std::filesystem::recursive_directory_iterator(wh_ + "/web/clicks")) {
    any_metadata |= e.is_regular_file();
  }
  EXPECT_FALSE(any_metadata);
}

}  // namespace
}  // namespace floe::cli
