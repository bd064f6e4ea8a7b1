#pragma once

// The history operators look at trends with (issue 7): every maintenance run's report, and a
// sample of each table's figures (files, bytes, small files, size histogram) every minute, kept
// in the catalog database for a configurable period so trends survive restarts and are shared
// by every node on one PostgreSQL catalog. Tables `floe_maintenance_runs` and
// `floe_table_samples` (created if missing), partitioned by catalog name like the JDBC tables.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "floe/catalog/catalog_store.h"
#include "floe/common/result.h"

namespace floe {

struct TableSample {
  std::string table;
  int64_t sampled_ms = 0;
  int64_t data_files = 0;
  int64_t small_files = 0;
  int64_t bytes = 0;
  int64_t records = 0;
  std::string histogram_json = "[]";  // TableHealthToJson's size_histogram
};

struct RunRecord {
  std::string table;
  std::string action;
  std::string status;
  int64_t finished_ms = 0;
  std::string report_json;  // the whole report
};

// Thread-safe (the store serialises statements).
class RunHistory {
 public:
  // Opens its own connection to the catalog database `uri` and creates the tables.
  static Result<std::unique_ptr<RunHistory>> Open(std::string_view uri, std::string catalog_name);
  static Result<std::unique_ptr<RunHistory>> Make(std::unique_ptr<CatalogStore> store,
                                                  std::string catalog_name);

  Status AddRun(const RunRecord& run);
  Status AddSample(const TableSample& sample);
  // Newest first; `table` empty: every table.
  Result<std::vector<RunRecord>> RecentRuns(const std::string& table, int limit);
  // Oldest first, sampled at or after `since_ms`.
  Result<std::vector<TableSample>> Samples(const std::string& table, int64_t since_ms);
  // Deletes runs and samples older than `before_ms`.
  Status Prune(int64_t before_ms);

 private:
  RunHistory(std::unique_ptr<CatalogStore> store, std::string catalog_name)
      : store_(std::move(store)), catalog_name_(std::move(catalog_name)) {}
  std::unique_ptr<CatalogStore> store_;
  std::string catalog_name_;
};

}  // namespace floe
