#include "floe/iceberg/scan.h"

#include <algorithm>
#include <map>
#include <memory>
#include <unordered_map>

#include "floe/iceberg/evaluator.h"
#include "floe/iceberg/manifest.h"
#include "floe/iceberg/manifest_list.h"
#include "floe/iceberg/name_mapping.h"

namespace floe::iceberg {

Result<const Snapshot*> SelectSnapshot(const TableMetadata& metadata,
                                       std::optional<int64_t> snapshot_id,
                                       std::optional<int64_t> as_of_timestamp_ms) {
  if (snapshot_id) {
    const Snapshot* s = metadata.SnapshotById(*snapshot_id);
    if (!s) return Status::NotFound("snapshot " + std::to_string(*snapshot_id) + " does not exist");
    return s;
  }
  if (!as_of_timestamp_ms) return metadata.CurrentSnapshot();
  const int64_t t = *as_of_timestamp_ms;
  if (!metadata.snapshot_log.empty()) {
    std::optional<int64_t> chosen;
    for (const SnapshotLogEntry& e : metadata.snapshot_log) {
      if (e.timestamp_ms <= t) chosen = e.snapshot_id;
    }
    if (chosen) {
      if (const Snapshot* s = metadata.SnapshotById(*chosen)) return s;
      return Status::NotFound("snapshot " + std::to_string(*chosen) + " current at " +
                              std::to_string(t) + " ms is no longer in the table");
    }
  } else {
    // No log: walk back from the current snapshot.
    const Snapshot* s = metadata.CurrentSnapshot();
    while (s && s->timestamp_ms > t) {
      s = s->parent_snapshot_id ? metadata.SnapshotById(*s->parent_snapshot_id) : nullptr;
    }
    if (s) return s;
  }
  return Status::NotFound("the table has no snapshot at or before " + std::to_string(t) +
                          " ms since the epoch");
}

std::string PartitionKey(int32_t spec_id, const std::vector<Literal>& partition) {
  std::string key = std::to_string(spec_id);
  for (const Literal& v : partition) {
    if (v.is_null()) {
      key += "|n";
      continue;
    }
    auto bytes = SerializeValue(v);
    std::string b = bytes.ok() ? *bytes : v.ToString();
    key += "|v" + std::to_string(b.size()) + ":" + b;
  }
  return key;
}

namespace {

struct SpecContext {
  const PartitionSpec* spec = nullptr;
  Type partition_type;
  bool has_partition_type = false;
  Expression projected;
};

class Planner {
 public:
  Planner(const TableMetadata& metadata, ObjectStore* store, const ScanOptions& options)
      : metadata_(metadata), store_(store), options_(options) {}

  Result<ScanPlan> Run() {
    FLOE_ASSIGN_OR_RETURN(const Snapshot* snapshot, SelectSnapshot(metadata_, options_.snapshot_id,
                                                                   options_.as_of_timestamp_ms));
    // A snapshot is read with the schema it was written with (as DuckDB does; a column dropped
    // later is still there), the current schema when the snapshot does not say.
    const Schema* schema = &metadata_.CurrentSchema();
    if (snapshot && snapshot->schema_id) {
      if (const Schema* s = metadata_.SchemaById(*snapshot->schema_id)) schema = s;
    }
    plan_.schema = *schema;
    FLOE_ASSIGN_OR_RETURN(plan_.filter, BindExpression(options_.filter, plan_.schema));
    if (!snapshot) return std::move(plan_);
    plan_.snapshot = *snapshot;
    filter_ = RewriteNot(plan_.filter);
    metrics_filter_ = MetricsFilter(filter_);
    std::vector<int32_t> filtered_columns;
    CollectFieldIds(metrics_filter_, &filtered_columns);
    data_stats_ = ColumnStatsSelection::Only(std::move(filtered_columns));

    FLOE_ASSIGN_OR_RETURN(std::vector<ManifestFile> manifests, ListManifests(*snapshot));
    std::vector<ManifestFile> delete_manifests;
    for (ManifestFile& m : manifests) {
      ++plan_.stats.manifests;
      if (m.content == ManifestContent::kDeletes) {
        delete_manifests.push_back(std::move(m));
        continue;
      }
      FLOE_RETURN_IF_ERROR(ReadDataManifest(m));
    }
    if (!plan_.tasks.empty()) {
      for (const ManifestFile& m : delete_manifests) FLOE_RETURN_IF_ERROR(ReadDeleteManifest(m));
      AssignDeletes();
    }
    return std::move(plan_);
  }

 private:
  // Files written without field ids get only the columns the table's name mapping names; the
  // metrics of other ids (written when the mapping still named them) must not prune.
  Expression MetricsFilter(const Expression& filter) const {
    auto it = metadata_.properties.find(std::string(kDefaultNameMappingProperty));
    if (it == metadata_.properties.end()) return filter;
    auto mapping = ParseNameMapping(it->second);
    std::vector<int32_t> mapped;
    if (mapping.ok()) {
      std::vector<const std::vector<MappedField>*> todo = {&mapping->fields};
      while (!todo.empty()) {
        const std::vector<MappedField>* level = todo.back();
        todo.pop_back();
        for (const MappedField& f : *level) {
          if (f.field_id) mapped.push_back(*f.field_id);
          todo.push_back(&f.fields);
        }
      }
    }
    return KeepPredicatesOn(filter, mapped);
  }

  static void CollectFieldIds(const Expression& e, std::vector<int32_t>* ids) {
    if (e.is_predicate()) ids->push_back(e.field_id);
    for (const Expression& child : e.children) CollectFieldIds(child, ids);
  }

  static Expression KeepPredicatesOn(const Expression& e, const std::vector<int32_t>& ids) {
    if (e.is_predicate()) {
      bool kept = std::find(ids.begin(), ids.end(), e.field_id) != ids.end();
      return kept ? e : Expression::True();
    }
    if (e.op == ExprOp::kAnd || e.op == ExprOp::kOr) {
      Expression a = KeepPredicatesOn(e.children[0], ids);
      Expression b = KeepPredicatesOn(e.children[1], ids);
      return e.op == ExprOp::kAnd ? Expression::And(std::move(a), std::move(b))
                                  : Expression::Or(std::move(a), std::move(b));
    }
    return e;
  }

  Result<std::string> Resolve(std::string_view path) const {
    if (options_.resolve_path) return options_.resolve_path(path);
    return std::string(path);
  }

  Result<std::vector<ManifestFile>> ListManifests(const Snapshot& snapshot) {
    std::vector<ManifestFile> out;
    if (snapshot.manifest_list.empty()) {
      // v1 snapshots may list their manifests inline: nothing is known about them but the path.
      for (const std::string& path : snapshot.manifests) {
        ManifestFile m;
        m.manifest_path = path;
        m.partition_spec_id = -1;
        m.added_snapshot_id = snapshot.snapshot_id;
        out.push_back(std::move(m));
      }
      return out;
    }
    FLOE_ASSIGN_OR_RETURN(std::string location, Resolve(snapshot.manifest_list));
    FLOE_ASSIGN_OR_RETURN(auto file, store_->OpenRead(location));
    FLOE_ASSIGN_OR_RETURN(auto reader, ManifestListReader::Open(file.get()));
    return reader->ReadAll();
  }

  // The spec's context, computed once per spec id; nullptr when the table does not know it.
  Result<SpecContext*> Context(int32_t spec_id) {
    auto it = specs_.find(spec_id);
    if (it != specs_.end()) return it->second.get();
    auto ctx = std::make_unique<SpecContext>();
    ctx->spec = metadata_.SpecById(spec_id);
    ctx->projected = Expression::True();
    if (ctx->spec) {
      auto type = ctx->spec->PartitionType(plan_.schema);
      if (type.ok()) {
        ctx->partition_type = std::move(*type);
        ctx->has_partition_type = true;
        FLOE_ASSIGN_OR_RETURN(ctx->projected,
                              ProjectToPartition(plan_.filter, *ctx->spec, plan_.schema));
      }
    }
    SpecContext* raw = ctx.get();
    specs_.emplace(spec_id, std::move(ctx));
    return raw;
  }

  // Entries keep the metrics of the columns in `stats` only: pruning reads no others, and
  // decoding the rest is most of the cost of planning a large table.
  Status ReadEntries(const ManifestFile& m, const ColumnStatsSelection& stats,
                     std::vector<ManifestEntry>* entries, int32_t* spec_id, PartitionSpec* spec) {
    FLOE_ASSIGN_OR_RETURN(std::string location, Resolve(m.manifest_path));
    FLOE_ASSIGN_OR_RETURN(auto file, store_->OpenRead(location));
    ManifestReaderOptions options;
    options.column_stats = stats;
    FLOE_ASSIGN_OR_RETURN(auto reader, ManifestReader::Open(file.get(), &m, std::move(options)));
    *spec_id = m.partition_spec_id >= 0 ? m.partition_spec_id : reader->spec().spec_id;
    *spec = reader->spec();
    ManifestEntry entry;
    while (true) {
      FLOE_ASSIGN_OR_RETURN(bool more, reader->Next(&entry));
      if (!more) break;
      if (entry.is_live()) entries->push_back(std::move(entry));
    }
    return Status::OK();
  }

  Status ReadDataManifest(const ManifestFile& m) {
    if (!m.has_added_files() && !m.has_existing_files()) {
      ++plan_.stats.manifests_skipped;
      return Status::OK();
    }
    if (m.partition_spec_id >= 0) {
      FLOE_ASSIGN_OR_RETURN(SpecContext * ctx, Context(m.partition_spec_id));
      if (ctx->spec && ctx->has_partition_type &&
          !ManifestMightMatch(ctx->projected, *ctx->spec, ctx->partition_type, m)) {
        ++plan_.stats.manifests_skipped;
        return Status::OK();
      }
    }
    std::vector<ManifestEntry> entries;
    int32_t spec_id = 0;
    PartitionSpec file_spec;
    FLOE_RETURN_IF_ERROR(ReadEntries(m, data_stats_, &entries, &spec_id, &file_spec));
    FLOE_ASSIGN_OR_RETURN(SpecContext * ctx, Context(spec_id));
    for (ManifestEntry& e : entries) {
      if (e.data_file.content != DataFileContent::kData) continue;
      ++plan_.stats.data_files;
      if (ctx->spec && !PartitionMightMatch(ctx->projected, file_spec, e.data_file.partition)) {
        ++plan_.stats.files_skipped_by_partition;
        continue;
      }
      if (metrics_filter_.op != ExprOp::kTrue && !FileMightMatch(metrics_filter_, e.data_file)) {
        ++plan_.stats.files_skipped_by_metrics;
        continue;
      }
      if (filter_.op == ExprOp::kFalse) continue;
      FileScanTask task;
      FLOE_ASSIGN_OR_RETURN(task.location, Resolve(e.data_file.file_path));
      task.data_sequence_number = e.sequence_number.value_or(0);
      task.spec_id = spec_id;
      task.file = std::move(e.data_file);
      plan_.tasks.push_back(std::move(task));
    }
    return Status::OK();
  }

  Status ReadDeleteManifest(const ManifestFile& m) {
    if (!m.has_added_files() && !m.has_existing_files()) return Status::OK();
    std::vector<ManifestEntry> entries;
    int32_t spec_id = 0;
    PartitionSpec spec;
    FLOE_RETURN_IF_ERROR(ReadEntries(m, ColumnStatsSelection::None(), &entries, &spec_id, &spec));
    for (ManifestEntry& e : entries) {
      if (e.data_file.content == DataFileContent::kData) continue;
      DeleteFileEntry d;
      FLOE_ASSIGN_OR_RETURN(d.location, Resolve(e.data_file.file_path));
      d.data_sequence_number = e.sequence_number.value_or(0);
      d.spec_id = spec_id;
      d.file = std::move(e.data_file);
      plan_.delete_files.push_back(std::move(d));
      ++plan_.stats.delete_files;
    }
    return Status::OK();
  }

  bool IsUnpartitioned(int32_t spec_id) const {
    const PartitionSpec* spec = metadata_.SpecById(spec_id);
    return spec == nullptr || spec->fields.empty();
  }

  void AssignDeletes() {
    if (plan_.delete_files.empty()) return;
    std::unordered_map<std::string, std::vector<size_t>> by_partition;
    std::unordered_map<std::string, std::vector<size_t>> by_data_file;
    std::vector<size_t> global_equality;
    for (size_t i = 0; i < plan_.delete_files.size(); ++i) {
      const DeleteFileEntry& d = plan_.delete_files[i];
      if (d.file.content == DataFileContent::kPositionDeletes && d.file.referenced_data_file) {
        by_data_file[*d.file.referenced_data_file].push_back(i);
      } else if (d.file.content == DataFileContent::kEqualityDeletes &&
                 IsUnpartitioned(d.spec_id)) {
        global_equality.push_back(i);
      } else {
        by_partition[PartitionKey(d.spec_id, d.file.partition)].push_back(i);
      }
    }
    auto applies = [&](const FileScanTask& t, size_t i) {
      const DeleteFileEntry& d = plan_.delete_files[i];
      if (d.file.content == DataFileContent::kPositionDeletes) {
        return t.data_sequence_number <= d.data_sequence_number;
      }
      return t.data_sequence_number < d.data_sequence_number;
    };
    for (FileScanTask& t : plan_.tasks) {
      for (size_t i : global_equality) {
        if (applies(t, i)) t.deletes.push_back(i);
      }
      auto p = by_partition.find(PartitionKey(t.spec_id, t.file.partition));
      if (p != by_partition.end()) {
        for (size_t i : p->second) {
          if (applies(t, i)) t.deletes.push_back(i);
        }
      }
      auto f = by_data_file.find(t.file.file_path);
      if (f != by_data_file.end()) {
        for (size_t i : f->second) {
          if (applies(t, i)) t.deletes.push_back(i);
        }
      }
    }
  }

  const TableMetadata& metadata_;
  ObjectStore* store_;
  const ScanOptions& options_;
  ScanPlan plan_;
  Expression filter_;                // NOT-free
  Expression metrics_filter_;        // the part of filter_ column metrics may decide
  ColumnStatsSelection data_stats_;  // the columns metrics_filter_ names
  std::map<int32_t, std::unique_ptr<SpecContext>> specs_;
};

}  // namespace

Result<ScanPlan> PlanScan(const TableMetadata& metadata, ObjectStore* store,
                          const ScanOptions& options) {
  if (options.snapshot_id && options.as_of_timestamp_ms) {
    return Status::InvalidArgument("choose a snapshot by id or by time, not both");
  }
  Planner planner(metadata, store, options);
  return planner.Run();
}

}  // namespace floe::iceberg
