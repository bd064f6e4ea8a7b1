#include "floe/maintenance/fsck.h"

#include <map>
#include <set>

#include "floe/catalog/snapshot_producer.h"
#include "floe/catalog/transaction.h"
#include "floe/iceberg/manifest.h"
#include "floe/iceberg/transforms.h"
#include "floe/iceberg/values.h"
#include "floe/maintenance/reachable.h"
#include "floe/parquet/reader.h"

namespace floe::maintenance {
namespace {

class Problems {
 public:
  void Add(std::string severity, std::string kind, std::string path, std::string detail) {
    if (severity == "error") ++errors_;
    if (severity == "warning") ++warnings_;
    list_.push_back({{"severity", std::move(severity)},
                     {"kind", std::move(kind)},
                     {"path", std::move(path)},
                     {"detail", std::move(detail)}});
  }
  int64_t errors() const { return errors_; }
  int64_t warnings() const { return warnings_; }
  const nlohmann::json& list() const { return list_; }

 private:
  nlohmann::json list_ = nlohmann::json::array();
  int64_t errors_ = 0;
  int64_t warnings_ = 0;
};

bool OrderPreserving(const iceberg::Transform& t) {
  using iceberg::TransformKind;
  switch (t.kind()) {
    case TransformKind::kIdentity:
    case TransformKind::kYear:
    case TransformKind::kMonth:
    case TransformKind::kDay:
    case TransformKind::kHour:
    case TransformKind::kTruncate: return true;
    default: return false;
  }
}

// The partition value of field `i` must equal the transform of the source column's lower and
// upper bounds (when the manifest has them): otherwise pruning skips rows that match.
void CheckPartition(const iceberg::TableMetadata& m, int32_t spec_id, const iceberg::DataFile& f,
                    Problems* problems) {
  const iceberg::PartitionSpec* spec = m.SpecById(spec_id);
  if (spec == nullptr) {
    problems->Add("error", "partition-spec-missing", f.file_path,
                  "spec id " + std::to_string(spec_id) + " is not in the metadata");
    return;
  }
  if (f.partition.size() != spec->fields.size()) {
    problems->Add("error", "partition-arity", f.file_path,
                  std::to_string(f.partition.size()) + " partition values for " +
                      std::to_string(spec->fields.size()) + " partition fields");
    return;
  }
  const iceberg::Schema& schema = m.CurrentSchema();
  for (size_t i = 0; i < spec->fields.size(); ++i) {
    const iceberg::PartitionField& field = spec->fields[i];
    if (!OrderPreserving(field.transform) || f.partition[i].is_null()) continue;
    const iceberg::NestedField* source = schema.FindFieldById(field.source_id);
    if (source == nullptr) continue;
    auto lower = f.lower_bounds.find(field.source_id);
    auto upper = f.upper_bounds.find(field.source_id);
    if (lower == f.lower_bounds.end() || upper == f.upper_bounds.end()) continue;
    // Truncated string bounds do not transform exactly; only exact bounds are compared.
    if (source->type.id == iceberg::TypeId::kString ||
        source->type.id == iceberg::TypeId::kBinary) {
      continue;
    }
    for (const std::string* bytes : {&lower->second, &upper->second}) {
      Result<iceberg::Literal> bound = iceberg::DeserializeValue(
          source->type, ByteView(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()));
      if (!bound.ok()) continue;
      Result<iceberg::Literal> transformed = field.transform.Apply(*bound);
      if (!transformed.ok()) continue;
      Result<int> cmp = iceberg::CompareLiterals(*transformed, f.partition[i]);
      if (cmp.ok() && *cmp != 0) {
        problems->Add("error", "partition-mismatch", f.file_path,
                      "partition field " + field.name + " is " + f.partition[i].ToString() +
                          " but the column's bounds give " + transformed->ToString());
        return;
      }
    }
  }
}

}  // namespace

Result<RunReport> Fsck(Table* table, const FsckOptions& options, Logger* logger) {
  const Clock& clock = *table->services().clock;
  ObjectStore* store = table->services().store;
  const RunMeter meter(&clock);
  RunReport report;
  report.table = table->identifier().ToString();
  report.action = "fsck";
  report.dry_run = !options.repair;
  Problems problems;

  FLOE_RETURN_IF_ERROR(table->Refresh());
  const iceberg::TableMetadata m = table->metadata();
  if (Status valid = m.Validate(); !valid.ok()) {
    problems.Add("error", "metadata", table->metadata_location(), valid.message());
  }
  for (const iceberg::Snapshot& s : m.snapshots) {
    if (m.format_version >= 2 && s.sequence_number > m.last_sequence_number) {
      problems.Add("error", "sequence-number", table->metadata_location(),
                   "snapshot " + std::to_string(s.snapshot_id) + " has sequence number " +
                       std::to_string(s.sequence_number) + " > last-sequence-number " +
                       std::to_string(m.last_sequence_number));
    }
    if (!s.parent_snapshot_id) continue;
    const iceberg::Snapshot* parent = m.SnapshotById(*s.parent_snapshot_id);
    if (parent != nullptr && m.format_version >= 2 &&
        parent->sequence_number >= s.sequence_number) {
      problems.Add("error", "lineage", table->metadata_location(),
                   "snapshot " + std::to_string(s.snapshot_id) + " has sequence number " +
                       std::to_string(s.sequence_number) + ", not above its parent's " +
                       std::to_string(parent->sequence_number));
    }
  }
  for (const auto& [name, ref] : m.refs) {
    if (m.SnapshotById(ref.snapshot_id) == nullptr) {
      problems.Add("error", "ref", table->metadata_location(),
                   "ref " + name + " names missing snapshot " + std::to_string(ref.snapshot_id));
    }
  }

  // Manifest lists and manifests, each once.
  ManifestCache cache(store);
  std::set<std::string> manifests_checked;
  std::map<std::string, std::pair<iceberg::DataFile, int32_t>> live_files;  // canonical path
  std::set<std::string> current_files;
  int64_t lists_checked = 0;
  int64_t current_records = 0, current_data_files = 0, current_delete_files = 0;
  bool current_complete = true;
  for (const iceberg::Snapshot& s : m.snapshots) {
    const bool is_current = m.current_snapshot_id && *m.current_snapshot_id == s.snapshot_id;
    if (!s.manifest_list.empty()) {
      ++lists_checked;
      Result<ObjectInfo> info = store->Stat(s.manifest_list);
      if (!info.ok()) {
        problems.Add("error", "manifest-list-missing", s.manifest_list, info.status().message());
        current_complete = current_complete && !is_current;
        continue;
      }
    }
    Result<const std::vector<iceberg::ManifestFile>*> manifests = cache.ManifestsOf(s);
    if (!manifests.ok()) {
      problems.Add("error", "manifest-list-unreadable", s.manifest_list,
                   manifests.status().message());
      current_complete = current_complete && !is_current;
      continue;
    }
    for (const iceberg::ManifestFile& manifest : **manifests) {
      const bool first_time = manifests_checked.insert(manifest.manifest_path).second;
      if (first_time) {
        Result<ObjectInfo> info = store->Stat(manifest.manifest_path);
        if (!info.ok()) {
          problems.Add("error", "manifest-missing", manifest.manifest_path,
                       info.status().message());
        } else if (manifest.manifest_length > 0 && info->size_bytes != manifest.manifest_length) {
          problems.Add("error", "manifest-length", manifest.manifest_path,
                       "manifest list says " + std::to_string(manifest.manifest_length) +
                           " bytes, the file has " + std::to_string(info->size_bytes));
        }
      }
      Result<const std::vector<iceberg::ManifestEntry>*> entries = cache.EntriesOf(manifest);
      if (!entries.ok()) {
        if (first_time) {
          problems.Add("error", "manifest-unreadable", manifest.manifest_path,
                       entries.status().message());
        }
        current_complete = current_complete && !is_current;
        continue;
      }
      if (first_time) {
        int64_t added = 0, existing = 0, deleted = 0;
        for (const iceberg::ManifestEntry& e : **entries) {
          if (e.status == iceberg::ManifestEntryStatus::kAdded) ++added;
          if (e.status == iceberg::ManifestEntryStatus::kExisting) ++existing;
          if (e.status == iceberg::ManifestEntryStatus::kDeleted) ++deleted;
        }
        auto mismatch = [&](const char* what, const std::optional<int32_t>& claimed,
                            int64_t actual) {
          if (claimed && *claimed != actual) {
            problems.Add("error", "manifest-counts", manifest.manifest_path,
                         std::string(what) + " is " + std::to_string(*claimed) +
                             " in the manifest list, " + std::to_string(actual) +
                             " in the manifest");
          }
        };
        mismatch("added_files_count", manifest.added_files_count, added);
        mismatch("existing_files_count", manifest.existing_files_count, existing);
        mismatch("deleted_files_count", manifest.deleted_files_count, deleted);
      }
      for (const iceberg::ManifestEntry& e : **entries) {
        if (!e.is_live()) continue;
        std::string path = CanonicalLocation(e.data_file.file_path);
        if (is_current) {
          current_files.insert(path);
          if (e.data_file.content == iceberg::DataFileContent::kData) {
            ++current_data_files;
            current_records += e.data_file.record_count;
          } else {
            ++current_delete_files;
          }
        }
        live_files.emplace(path, std::make_pair(e.data_file, manifest.partition_spec_id));
      }
    }
  }

  // The current snapshot's summary totals, when it has them and every manifest was readable.
  if (const iceberg::Snapshot* current = m.CurrentSnapshot(); current && current_complete) {
    auto check_total = [&](const char* key, int64_t actual) {
      auto it = current->summary.find(key);
      if (it == current->summary.end()) return;
      if (it->second != std::to_string(actual)) {
        problems.Add("error", "summary-totals", current->manifest_list,
                     std::string(key) + " is " + it->second + " in the summary of snapshot " +
                         std::to_string(current->snapshot_id) + ", the manifests hold " +
                         std::to_string(actual));
      }
    };
    check_total("total-data-files", current_data_files);
    check_total("total-records", current_records);
    check_total("total-delete-files", current_delete_files);
  }

  // Data and delete files.
  std::vector<std::string> broken_current;  // original paths, for the repair
  int64_t rows_in_broken = 0, data_checked = 0, deletes_checked = 0;
  for (const auto& [path, file_and_spec] : live_files) {
    const iceberg::DataFile& f = file_and_spec.first;
    const bool is_data = f.content == iceberg::DataFileContent::kData;
    (is_data ? data_checked : deletes_checked)++;
    bool broken = false;
    Result<ObjectInfo> info = store->Stat(f.file_path);
    if (!info.ok()) {
      problems.Add("error", "data-file-missing", f.file_path, info.status().message());
      broken = true;
    } else if (info->size_bytes != f.file_size_in_bytes) {
      problems.Add("error", "data-file-size", f.file_path,
                   "manifest says " + std::to_string(f.file_size_in_bytes) +
                       " bytes, the file has " + std::to_string(info->size_bytes));
      broken = true;
    } else if (options.read_data_files && f.file_format == iceberg::FileFormat::kParquet) {
      Result<std::unique_ptr<RandomAccessFile>> file = store->OpenRead(f.file_path);
      Result<std::unique_ptr<parquet::ParquetReader>> reader =
          file.ok() ? parquet::ParquetReader::Open(file->get())
                    : Result<std::unique_ptr<parquet::ParquetReader>>(file.status());
      if (!reader.ok()) {
        problems.Add("error", "data-file-corrupt", f.file_path, reader.status().message());
        broken = true;
      } else if ((*reader)->num_rows() != f.record_count) {
        problems.Add("error", "record-count", f.file_path,
                     "manifest says " + std::to_string(f.record_count) + " rows, the footer " +
                         std::to_string((*reader)->num_rows()));
        broken = true;
      }
    }
    if (is_data) CheckPartition(m, file_and_spec.second, f, &problems);
    if (broken && is_data && current_files.count(path)) {
      broken_current.push_back(f.file_path);
      rows_in_broken += f.record_count;
    }
  }

  // Orphans.
  OrphanOptions orphan_options;
  orphan_options.older_than_ms = options.orphan_older_than_ms;
  orphan_options.dry_run = true;
  orphan_options.other_table_locations = options.other_table_locations;
  orphan_options.tolerate_unreadable_manifests = true;
  bool orphans_verified = false;
  Result<RunReport> orphans = RemoveOrphans(table, orphan_options, nullptr);
  if (!orphans.ok()) {
    problems.Add("error", "listing", m.location, orphans.status().message());
  } else {
    const size_t unreadable = orphans->details["unreadable_manifests"].size();
    orphans_verified = unreadable == 0;
    for (const auto& p : orphans->details["orphans"]) {
      problems.Add("warning", "orphan", p.get<std::string>(),
                   orphans_verified ? "referenced by nothing and older than the window"
                                    : "referenced by nothing readable and older than the window "
                                      "(unverified: " +
                                          std::to_string(unreadable) + " manifests unreadable)");
    }
    if (int64_t young = orphans->details["too_young"].get<int64_t>(); young > 0) {
      problems.Add("info", "young-unreferenced", m.location,
                   std::to_string(young) +
                       " unreferenced files younger than the window (in-flight writes are kept)");
    }
    if (int64_t other = orphans->details["other_tables"].get<int64_t>(); other > 0) {
      problems.Add("info", "other-table-files", m.location,
                   std::to_string(other) + " files belong to tables nested under this location");
    }
  }

  if (options.repair) {
    nlohmann::json repaired = {{"files_removed", 0}, {"rows_lost", 0}, {"orphans_removed", 0}};
    if (!broken_current.empty()) {
      Transaction txn = table->NewTransaction();
      txn.DeleteFiles(broken_current);
      txn.SetSummary("floe.fsck-repair", "true");
      Result<CommitResult> committed = txn.Commit();
      if (!committed.ok()) return committed.status().WithContext("fsck --repair");
      report.commits = 1;
      report.retries = committed->attempts - 1;
      report.snapshot_id = committed->snapshot_id;
      repaired["files_removed"] = broken_current.size();
      repaired["rows_lost"] = rows_in_broken;
      repaired["snapshot_id"] = committed->snapshot_id ? nlohmann::json(*committed->snapshot_id)
                                                       : nlohmann::json(nullptr);
      if (logger) {
        logger->Warn("fsck.repair", {{"table", report.table},
                                     {"files_removed", static_cast<int64_t>(broken_current.size())},
                                     {"rows_lost", rows_in_broken}});
      }
    }
    if (orphans.ok() && !orphans->details["orphans"].empty() && orphans_verified) {
      orphan_options.dry_run = false;
      orphan_options.tolerate_unreadable_manifests = false;
      Result<RunReport> removed = RemoveOrphans(table, orphan_options, logger);
      if (!removed.ok()) return removed.status().WithContext("fsck --repair");
      repaired["orphans_removed"] = removed->details["orphans"].size();
    }
    report.details["repaired"] = repaired;
  }

  report.details["problems"] = problems.list();
  report.details["errors"] = problems.errors();
  report.details["warnings"] = problems.warnings();
  report.details["checked"] = {{"snapshots", m.snapshots.size()},
                               {"manifest_lists", lists_checked},
                               {"manifests", manifests_checked.size()},
                               {"data_files", data_checked},
                               {"delete_files", deletes_checked}};
  report.files_in = data_checked + deletes_checked;
  report.rows_in = current_records;
  report.status = problems.errors() > 0 ? "failure" : "success";
  if (!report.snapshot_id && m.current_snapshot_id) report.snapshot_id = m.current_snapshot_id;
  meter.Finish(&report);
  if (logger) {
    logger->Log(problems.errors() > 0 ? LogLevel::kError : LogLevel::kInfo, "fsck.finish",
                {{"table", report.table},
                 {"status", report.status},
                 {"errors", problems.errors()},
                 {"warnings", problems.warnings()},
                 {"data_files", data_checked},
                 {"duration_ms", report.duration_ms}});
  }
  return report;
}

}  // namespace floe::maintenance
