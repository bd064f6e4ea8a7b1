#include "floe/catalog/transaction.h"

#include <algorithm>
#include <charconv>
#include <mutex>
#include <set>
#include <utility>

#include "floe/io/location.h"

namespace floe {

namespace {

struct RetryPolicy {
  int64_t num_retries = 4;
  int64_t min_wait_ms = 100;
  int64_t max_wait_ms = 60000;
  int64_t total_timeout_ms = 1800000;
};

Result<int64_t> IntProperty(const std::map<std::string, std::string>& properties,
                            const std::string& key, int64_t fallback, int64_t min_value) {
  auto it = properties.find(key);
  if (it == properties.end()) return fallback;
  int64_t value = 0;
  const std::string& text = it->second;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min_value) {
    return Status::InvalidArgument("table property " + key + "=\"" + text +
                                   "\": expected an integer >= " + std::to_string(min_value));
  }
  return value;
}

Result<RetryPolicy> RetryPolicyOf(const std::map<std::string, std::string>& properties) {
  RetryPolicy p;
  FLOE_ASSIGN_OR_RETURN(p.num_retries, IntProperty(properties, "commit.retry.num-retries", 4, 0));
  FLOE_ASSIGN_OR_RETURN(p.min_wait_ms, IntProperty(properties, "commit.retry.min-wait-ms", 100, 0));
  FLOE_ASSIGN_OR_RETURN(p.max_wait_ms,
                        IntProperty(properties, "commit.retry.max-wait-ms", 60000, 0));
  FLOE_ASSIGN_OR_RETURN(p.total_timeout_ms,
                        IntProperty(properties, "commit.retry.total-timeout-ms", 1800000, 0));
  p.max_wait_ms = std::max(p.max_wait_ms, p.min_wait_ms);
  return p;
}

void DeleteQuietly(ObjectStore* store, const std::vector<std::string>& files) {
  // Leftovers are harmless (orphan removal finds them); the commit's own error matters more.
  if (!files.empty()) (void)store->DeleteMany(files);
}

}  // namespace

Transaction::Transaction(Table* table)
    : table_(table), start_(table->metadata_), start_location_(table->metadata_location()) {}

void Transaction::SetOperation(SnapshotOperation operation) {
  if (operation_ && *operation_ != operation) {
    if (error_.ok()) {
      error_ = Status::InvalidArgument("a transaction makes one snapshot: cannot combine " +
                                       std::string(SnapshotOperationName(*operation_)) + " with " +
                                       std::string(SnapshotOperationName(operation)));
    }
    return;
  }
  operation_ = operation;
  changes_.operation = operation;
}

Transaction& Transaction::AppendFiles(std::vector<iceberg::DataFile> files) {
  SetOperation(SnapshotOperation::kAppend);
  for (auto& f : files) changes_.added_files.push_back(std::move(f));
  return *this;
}

Transaction& Transaction::ReplaceFiles(std::vector<std::string> removed_paths,
                                       std::vector<iceberg::DataFile> added) {
  SetOperation(SnapshotOperation::kReplace);
  if (start_->CurrentSnapshot() == nullptr && error_.ok()) {
    error_ = Status::InvalidArgument("replace on table " + table_->identifier().ToString() +
                                     " which has no snapshot");
  }
  changes_.starting_sequence_number =
      start_->CurrentSnapshot() ? start_->CurrentSnapshot()->sequence_number : 0;
  for (auto& p : removed_paths) changes_.removed_paths.push_back(std::move(p));
  for (auto& f : added) changes_.added_files.push_back(std::move(f));
  return *this;
}

Transaction& Transaction::SetStartingSequenceNumber(int64_t sequence_number) {
  starting_sequence_override_ = sequence_number;
  return *this;
}

Transaction& Transaction::DeleteFiles(std::vector<std::string> paths) {
  SetOperation(SnapshotOperation::kDelete);
  for (auto& p : paths) changes_.removed_paths.push_back(std::move(p));
  return *this;
}

Transaction& Transaction::RewriteManifests(std::vector<std::string> replaced_paths,
                                           std::vector<iceberg::ManifestFile> added) {
  SetOperation(SnapshotOperation::kReplace);
  if (start_->CurrentSnapshot() == nullptr && error_.ok()) {
    error_ = Status::InvalidArgument("rewrite of manifests on table " +
                                     table_->identifier().ToString() + " which has no snapshot");
  }
  for (auto& p : replaced_paths) changes_.replaced_manifests.push_back(std::move(p));
  for (auto& m : added) changes_.added_manifests.push_back(std::move(m));
  return *this;
}

Transaction& Transaction::SetProperty(std::string key, std::string value) {
  std::erase(removed_properties_, key);
  set_properties_[std::move(key)] = std::move(value);
  return *this;
}

Transaction& Transaction::RemoveProperty(std::string key) {
  set_properties_.erase(key);
  removed_properties_.push_back(std::move(key));
  return *this;
}

Transaction& Transaction::UpdateSchema(iceberg::SchemaUpdate update) {
  schema_update_ = std::move(update);
  return *this;
}

Transaction& Transaction::SetDefaultSpec(iceberg::PartitionSpec spec) {
  new_spec_ = std::move(spec);
  return *this;
}

Transaction& Transaction::RemoveSnapshots(std::vector<int64_t> snapshot_ids) {
  for (int64_t id : snapshot_ids) removed_snapshots_.push_back(id);
  return *this;
}

Transaction& Transaction::SetSummary(std::string key, std::string value) {
  changes_.extra_summary[std::move(key)] = std::move(value);
  return *this;
}

Status Transaction::ApplyMetadataChanges(iceberg::TableMetadata* m) const {
  for (const auto& [key, value] : set_properties_) m->properties[key] = value;
  for (const std::string& key : removed_properties_) m->properties.erase(key);

  if (schema_update_) {
    if (m->current_schema_id != start_->current_schema_id ||
        m->last_column_id != start_->last_column_id) {
      return Status::Conflict("schema of table " + table_->identifier().ToString() +
                              " changed concurrently (schema id " +
                              std::to_string(start_->current_schema_id) + " → " +
                              std::to_string(m->current_schema_id) + ")");
    }
    int32_t new_id = 0;
    for (const iceberg::Schema& s : m->schemas) new_id = std::max(new_id, s.schema_id() + 1);
    FLOE_ASSIGN_OR_RETURN(iceberg::AppliedSchemaUpdate applied, schema_update_->Apply(new_id));
    m->schemas.push_back(applied.schema);
    m->current_schema_id = new_id;
    m->last_column_id = std::max(m->last_column_id, applied.last_column_id);
  }

  if (new_spec_) {
    if (m->default_spec_id != start_->default_spec_id ||
        m->partition_specs.size() != start_->partition_specs.size()) {
      return Status::Conflict("partition spec of table " + table_->identifier().ToString() +
                              " changed concurrently");
    }
    iceberg::PartitionSpec spec = *new_spec_;
    for (iceberg::PartitionField& field : spec.fields) {
      if (field.field_id != 0) continue;
      for (const iceberg::PartitionSpec& old : m->partition_specs) {
        for (const iceberg::PartitionField& f : old.fields) {
          if (f.source_id == field.source_id && f.transform == field.transform) {
            field.field_id = f.field_id;
          }
        }
      }
      if (field.field_id == 0) field.field_id = ++m->last_partition_id;
    }
    for (const iceberg::PartitionField& field : spec.fields) {
      m->last_partition_id = std::max(m->last_partition_id, field.field_id);
    }
    std::optional<int32_t> same;
    int32_t new_id = 0;
    for (const iceberg::PartitionSpec& old : m->partition_specs) {
      if (old.fields == spec.fields) same = old.spec_id;
      new_id = std::max(new_id, old.spec_id + 1);
    }
    if (same) {
      m->default_spec_id = *same;
    } else {
      spec.spec_id = new_id;
      Status valid = spec.Validate(m->CurrentSchema());
      if (!valid.ok()) return valid.WithContext("new partition spec");
      m->partition_specs.push_back(spec);
      m->default_spec_id = new_id;
    }
  }

  if (!removed_snapshots_.empty()) {
    std::set<int64_t> removed;
    for (int64_t id : removed_snapshots_) {
      if (m->SnapshotById(id) == nullptr) continue;  // expired concurrently
      if (m->current_snapshot_id && *m->current_snapshot_id == id) {
        return Status::Conflict("snapshot " + std::to_string(id) + " of table " +
                                table_->identifier().ToString() + " is current: not removed");
      }
      for (const auto& [name, ref] : m->refs) {
        if (ref.snapshot_id == id) {
          return Status::Conflict("snapshot " + std::to_string(id) + " of table " +
                                  table_->identifier().ToString() + " is ref " + name +
                                  ": not removed");
        }
      }
      removed.insert(id);
    }
    std::erase_if(m->snapshots,
                  [&](const iceberg::Snapshot& s) { return removed.count(s.snapshot_id) > 0; });
    std::vector<iceberg::SnapshotLogEntry> log;
    for (const iceberg::SnapshotLogEntry& entry : m->snapshot_log) {
      if (removed.count(entry.snapshot_id) > 0) {
        log.clear();
      } else {
        log.push_back(entry);
      }
    }
    m->snapshot_log = std::move(log);
  }
  return Status::OK();
}

Status Transaction::BuildAttempt(const iceberg::TableMetadata& base,
                                 const std::string& base_location, int attempt_number,
                                 SnapshotProducer* producer, int64_t* snapshot_id,
                                 Attempt* attempt) {
  iceberg::TableMetadata& next = attempt->metadata;
  next = base;
  FLOE_RETURN_IF_ERROR(ApplyMetadataChanges(&next));
  const int64_t now_ms = std::max(table_->services().clock->NowMillis(), base.last_updated_ms);

  if (producer != nullptr) {
    while (next.SnapshotById(*snapshot_id) != nullptr) *snapshot_id = table_->NewSnapshotId();
    FLOE_ASSIGN_OR_RETURN(attempt->produced, producer->Produce(next, *snapshot_id, attempt_number,
                                                               now_ms, &attempt->files));
    const iceberg::Snapshot& snapshot = attempt->produced.snapshot;
    next.snapshots.push_back(snapshot);
    next.last_sequence_number = snapshot.sequence_number;
    next.current_snapshot_id = snapshot.snapshot_id;
    iceberg::SnapshotRef& main = next.refs["main"];  // keeps its retention settings
    main.snapshot_id = snapshot.snapshot_id;
    main.type = iceberg::SnapshotRefType::kBranch;
    next.snapshot_log.push_back({snapshot.timestamp_ms, snapshot.snapshot_id});
  }
  next.last_updated_ms = now_ms;

  next.metadata_log.push_back({base.last_updated_ms, base_location});
  FLOE_ASSIGN_OR_RETURN(
      int64_t keep, IntProperty(next.properties, "write.metadata.previous-versions-max", 100, 1));
  if (static_cast<int64_t>(next.metadata_log.size()) > keep) {
    const size_t drop = next.metadata_log.size() - static_cast<size_t>(keep);
    for (size_t i = 0; i < drop; ++i) {
      attempt->expired_files.push_back(next.metadata_log[i].metadata_file);
    }
    next.metadata_log.erase(next.metadata_log.begin(),
                            next.metadata_log.begin() + static_cast<std::ptrdiff_t>(drop));
  }
  Status valid = next.Validate();
  if (!valid.ok()) return Status::Internal("new metadata is invalid: " + valid.message());

  std::optional<int64_t> version = iceberg::ParseMetadataFileVersion(base_location);
  const int64_t next_version =
      version ? *version + 1 : static_cast<int64_t>(next.metadata_log.size());
  const bool gzip = [&] {
    auto it = next.properties.find("write.metadata.compression-codec");
    return it != next.properties.end() && it->second == "gzip";
  }();
  attempt->location = JoinLocation(
      MetadataDirectory(next), iceberg::MetadataFileName(next_version, table_->NewUuid(), gzip));
  attempt->files.push_back(attempt->location);
  FLOE_ASSIGN_OR_RETURN(std::string bytes, table_->Encode(next, gzip));
  return table_->services().store->PutIfAbsent(attempt->location, bytes);
}

Result<CommitResult> Transaction::Commit() {
  if (!error_.ok()) return error_;
  if (committed_) return Status::InvalidArgument("transaction already committed");
  committed_ = true;
  const TableServices& services = table_->services();
  const std::string table_name = table_->identifier().ToString();
  std::map<std::string, std::string> properties = start_->properties;
  for (const auto& [key, value] : set_properties_) properties[key] = value;
  FLOE_ASSIGN_OR_RETURN(RetryPolicy policy, RetryPolicyOf(properties));

  std::optional<SnapshotProducer> producer;
  int64_t snapshot_id = 0;
  if (starting_sequence_override_ && operation_ == SnapshotOperation::kReplace) {
    changes_.starting_sequence_number = *starting_sequence_override_;
  }
  if (operation_) {
    const std::string commit_uuid = table_->NewUuid().ToString();
    producer.emplace(
        services.store, commit_uuid, [t = table_] { return t->NextRandom(); }, changes_);
    snapshot_id = table_->NewSnapshotId();
  }

  CommitResult result;
  // Shared, not copied: BuildAttempt makes the one copy an attempt needs.
  std::shared_ptr<const iceberg::TableMetadata> base = start_;
  std::string base_location = start_location_;
  const int64_t started_ns = services.clock->MonotonicNanos();
  auto give_up = [&](Status status) -> Status {
    if (producer) DeleteQuietly(services.store, producer->new_file_manifests());
    return status.WithContext("commit to " + table_name);
  };
  // The metadata the catalog points at, as the next attempt's base: still this table.
  auto read_current =
      [&](const TablePointer& pointer) -> Result<std::shared_ptr<const iceberg::TableMetadata>> {
    FLOE_ASSIGN_OR_RETURN(std::shared_ptr<const iceberg::TableMetadata> current,
                          ReadTableMetadata(services.store, services.catalog, table_->identifier(),
                                            pointer.metadata_location));
    if (!start_->table_uuid.empty() && current->table_uuid != start_->table_uuid) {
      return Status::Conflict("table uuid changed from " + start_->table_uuid + " to " +
                              current->table_uuid);
    }
    return current;
  };

  for (int attempt_number = 1;; ++attempt_number) {
    result.attempts = attempt_number;
    std::unique_lock<std::mutex> turn = services.catalog->commit_turns().Take(table_->identifier());
    // After a lost swap (or a base whose files were expired), build on what the catalog points
    // at now, loaded in the turn: another writer of this process cannot move it before the swap.
    // The first attempt builds on the transaction's own base, as a writer with a fresh base should.
    if (attempt_number > 1) {
      Result<TablePointer> now = services.catalog->LoadTable(table_->identifier());
      if (!now.ok()) return give_up(now.status());
      if (now->metadata_location != base_location) {
        Result<std::shared_ptr<const iceberg::TableMetadata>> current = read_current(*now);
        if (!current.ok()) return give_up(current.status());
        base = std::move(*current);
        base_location = now->metadata_location;
      }
    }
    Attempt attempt;
    Status built = BuildAttempt(*base, base_location, attempt_number,
                                producer ? &*producer : nullptr, &snapshot_id, &attempt);
    if (!built.ok()) {
      DeleteQuietly(services.store, attempt.files);
      // A base loaded before another writer's commits may name manifests that writer's snapshot
      // expiry deleted since: when the catalog has moved on, rebuild on its metadata.
      if (built.kind() != ErrorKind::kNotFound || attempt_number > policy.num_retries) {
        return give_up(built);
      }
      Result<TablePointer> pointer = services.catalog->LoadTable(table_->identifier());
      if (!pointer.ok() || pointer->metadata_location == base_location) return give_up(built);
      ++result.conflicts;
      continue;  // the next attempt loads the catalog's metadata
    }
    Status swapped =
        services.catalog->CommitTable(table_->identifier(), base_location, attempt.location);
    if (swapped.ok()) {
      if (producer) result.snapshot_id = snapshot_id;
      result.metadata_location = attempt.location;
      result.manifests_read = attempt.produced.manifests_read;
      result.manifests_written = attempt.produced.manifests_written;
      result.manifest_count = attempt.produced.manifest_count;
      auto it = attempt.metadata.properties.find("write.metadata.delete-after-commit.enabled");
      if (it != attempt.metadata.properties.end() && it->second == "true") {
        DeleteQuietly(services.store, attempt.expired_files);
      }
      auto committed = std::make_shared<const iceberg::TableMetadata>(std::move(attempt.metadata));
      services.catalog->written_metadata().Remember(table_->identifier(), attempt.location,
                                                    committed);
      table_->SetCurrent(std::move(committed), attempt.location);
      return result;
    }
    if (swapped.kind() == ErrorKind::kCommitStateUnknown) {
      // The catalog may point at this attempt's metadata: everything it references stays.
      return swapped.WithContext("commit to " + table_name + " (kept " + attempt.location + ")");
    }
    turn.unlock();
    DeleteQuietly(services.store, attempt.files);
    const bool retryable =
        swapped.kind() == ErrorKind::kConflict || swapped.kind() == ErrorKind::kUnavailable;
    if (!retryable) return give_up(swapped);
    if (swapped.kind() == ErrorKind::kConflict) ++result.conflicts;
    const int64_t elapsed_ms = (services.clock->MonotonicNanos() - started_ns) / 1000000;
    if (attempt_number > policy.num_retries || elapsed_ms >= policy.total_timeout_ms) {
      return give_up(Status(swapped.kind(), "gave up after " + std::to_string(attempt_number) +
                                                " attempts in " + std::to_string(elapsed_ms) +
                                                " ms: " + swapped.message()));
    }

    // The backoff spreads writers of different processes racing through the compare-and-swap.
    // A swap lost to a commit of this process (the catalog points at a file this catalog object
    // wrote) is no such race: its commits take turns, and the next attempt finds the winner's
    // metadata in memory, so it goes straight on. Waiting there cost floe serve's appends 100 ms
    // after every compaction commit.
    if (swapped.kind() == ErrorKind::kConflict) {
      Result<TablePointer> now = services.catalog->LoadTable(table_->identifier());
      if (now.ok() &&
          services.catalog->written_metadata().Find(table_->identifier(), now->metadata_location)) {
        continue;
      }
    }
    // Exponential backoff with up to 10% jitter so racing writers spread out.
    int64_t wait_ms = policy.min_wait_ms;
    for (int i = 1; i < attempt_number && wait_ms < policy.max_wait_ms; ++i) wait_ms *= 2;
    wait_ms = std::min(wait_ms, policy.max_wait_ms);
    const int64_t jitter_ms =
        wait_ms > 0 ? static_cast<int64_t>(table_->NextRandom() % (wait_ms / 10 + 1)) : 0;
    wait_ms = std::min(wait_ms + jitter_ms, policy.total_timeout_ms - elapsed_ms);
    // The next attempt reloads the catalog's metadata in its turn.
    if (wait_ms > 0) services.clock->SleepMicros(wait_ms * 1000);
  }
}

}  // namespace floe
