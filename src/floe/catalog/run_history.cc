#include "floe/catalog/run_history.h"

#include <charconv>

namespace floe {
namespace {

int64_t ToInt(const SqlValue& v) {
  int64_t out = 0;
  if (v) std::from_chars(v->data(), v->data() + v->size(), out);
  return out;
}

}  // namespace

Result<std::unique_ptr<RunHistory>> RunHistory::Open(std::string_view uri,
                                                     std::string catalog_name) {
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<CatalogStore> store, OpenCatalogStore(uri));
  return Make(std::move(store), std::move(catalog_name));
}

Result<std::unique_ptr<RunHistory>> RunHistory::Make(std::unique_ptr<CatalogStore> store,
                                                     std::string catalog_name) {
  // Times are milliseconds as BIGINT; the report is text (JSON), readable by any SQL client.
  FLOE_RETURN_IF_ERROR(store
                           ->Execute("CREATE TABLE IF NOT EXISTS floe_maintenance_runs ("
                                     "catalog_name VARCHAR(255) NOT NULL, "
                                     "table_identifier VARCHAR(1024) NOT NULL, "
                                     "action VARCHAR(64) NOT NULL, status VARCHAR(16) NOT NULL, "
                                     "finished_ms BIGINT NOT NULL, report TEXT NOT NULL)",
                                     {})
                           .status());
  FLOE_RETURN_IF_ERROR(store
                           ->Execute("CREATE TABLE IF NOT EXISTS floe_table_samples ("
                                     "catalog_name VARCHAR(255) NOT NULL, "
                                     "table_identifier VARCHAR(1024) NOT NULL, "
                                     "sampled_ms BIGINT NOT NULL, data_files BIGINT NOT NULL, "
                                     "small_files BIGINT NOT NULL, bytes BIGINT NOT NULL, "
                                     "records BIGINT NOT NULL, histogram TEXT NOT NULL)",
                                     {})
                           .status());
  FLOE_RETURN_IF_ERROR(store
                           ->Execute("CREATE INDEX IF NOT EXISTS floe_table_samples_by_time ON "
                                     "floe_table_samples (catalog_name, table_identifier, "
                                     "sampled_ms)",
                                     {})
                           .status());
  return std::unique_ptr<RunHistory>(new RunHistory(std::move(store), std::move(catalog_name)));
}

Status RunHistory::AddRun(const RunRecord& run) {
  return store_
      ->Execute(
          "INSERT INTO floe_maintenance_runs (catalog_name, table_identifier, action, "
          "status, finished_ms, report) VALUES (?, ?, ?, ?, ?, ?)",
          {catalog_name_, run.table, run.action, run.status, std::to_string(run.finished_ms),
           run.report_json})
      .status();
}

Status RunHistory::AddSample(const TableSample& s) {
  return store_
      ->Execute(
          "INSERT INTO floe_table_samples (catalog_name, table_identifier, sampled_ms, "
          "data_files, small_files, bytes, records, histogram) VALUES (?, ?, ?, ?, ?, ?, "
          "?, ?)",
          {catalog_name_, s.table, std::to_string(s.sampled_ms), std::to_string(s.data_files),
           std::to_string(s.small_files), std::to_string(s.bytes), std::to_string(s.records),
           s.histogram_json})
      .status();
}

Result<std::vector<RunRecord>> RunHistory::RecentRuns(const std::string& table, int limit) {
  std::vector<SqlValue> params = {catalog_name_};
  std::string sql =
      "SELECT table_identifier, action, status, finished_ms, report FROM floe_maintenance_runs "
      "WHERE catalog_name = ?";
  if (!table.empty()) {
    sql += " AND table_identifier = ?";
    params.push_back(table);
  }
  sql += " ORDER BY finished_ms DESC LIMIT " + std::to_string(std::max(limit, 0));
  FLOE_ASSIGN_OR_RETURN(std::vector<SqlRow> rows, store_->Query(sql, params));
  std::vector<RunRecord> out;
  for (const SqlRow& r : rows) {
    out.push_back({r[0].value_or(""), r[1].value_or(""), r[2].value_or(""), ToInt(r[3]),
                   r[4].value_or("{}")});
  }
  return out;
}

Result<std::vector<TableSample>> RunHistory::Samples(const std::string& table, int64_t since_ms) {
  FLOE_ASSIGN_OR_RETURN(
      std::vector<SqlRow> rows,
      store_->Query("SELECT table_identifier, sampled_ms, data_files, small_files, bytes, "
                    "records, histogram FROM floe_table_samples WHERE catalog_name = ? AND "
                    "table_identifier = ? AND sampled_ms >= ? ORDER BY sampled_ms",
                    {catalog_name_, table, std::to_string(since_ms)}));
  std::vector<TableSample> out;
  for (const SqlRow& r : rows) {
    out.push_back({r[0].value_or(""), ToInt(r[1]), ToInt(r[2]), ToInt(r[3]), ToInt(r[4]),
                   ToInt(r[5]), r[6].value_or("[]")});
  }
  return out;
}

Status RunHistory::Prune(int64_t before_ms) {
  FLOE_RETURN_IF_ERROR(store_
                           ->Execute("DELETE FROM floe_maintenance_runs WHERE catalog_name = ? "
                                     "AND finished_ms < ?",
                                     {catalog_name_, std::to_string(before_ms)})
                           .status());
  return store_
      ->Execute("DELETE FROM floe_table_samples WHERE catalog_name = ? AND sampled_ms < ?",
                {catalog_name_, std::to_string(before_ms)})
      .status();
}

}  // namespace floe
