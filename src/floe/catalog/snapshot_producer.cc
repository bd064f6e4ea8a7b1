#include "floe/catalog/snapshot_producer.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <utility>

#include "floe/iceberg/manifest.h"
#include "floe/iceberg/manifest_list.h"
#include "floe/io/location.h"

namespace floe {

namespace {

using iceberg::DataFile;
using iceberg::ManifestContent;
using iceberg::ManifestEntry;
using iceberg::ManifestEntryStatus;
using iceberg::ManifestFile;
using iceberg::TableMetadata;

// Metadata files of a table stay small; a bigger one is damage, not data.
constexpr size_t kMaxMetadataBytes = size_t{256} << 20;

std::optional<int64_t> ParseInt64(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Result<int64_t> PropertyInt(const std::map<std::string, std::string>& properties,
                            const std::string& key, int64_t fallback, int64_t min_value) {
  auto it = properties.find(key);
  if (it == properties.end()) return fallback;
  std::optional<int64_t> value = ParseInt64(it->second);
  if (!value || *value < min_value) {
    return Status::InvalidArgument("table property " + key + "=\"" + it->second +
                                   "\": expected an integer >= " + std::to_string(min_value));
  }
  return *value;
}

// Identifies a partition across specs, for changed-partition-count and delete-file checks.
std::string PartitionKey(int32_t spec_id, const DataFile& file) {
  std::string key = std::to_string(spec_id);
  for (const iceberg::Literal& value : file.partition) {
    key += '\x1f';
    key += value.ToString();
  }
  return key;
}

struct FileTotals {
  int64_t files = 0;
  int64_t records = 0;
  int64_t bytes = 0;
  void Add(const DataFile& file) {
    ++files;
    records += file.record_count;
    bytes += file.file_size_in_bytes;
  }
};

const char* const kTotalKeys[] = {"total-records",          "total-files-size",
                                  "total-data-files",       "total-delete-files",
                                  "total-position-deletes", "total-equality-deletes"};

// Java's summary: changes of this snapshot, and totals carried forward from the parent (left
// out when the parent did not record them, as Java does).
std::map<std::string, std::string> BuildSummary(const SnapshotChanges& changes,
                                                const FileTotals& added, const FileTotals& removed,
                                                int64_t changed_partitions,
                                                const iceberg::Snapshot* parent) {
  std::map<std::string, std::string> summary = changes.extra_summary;
  summary["operation"] = std::string(SnapshotOperationName(changes.operation));
  if (added.files > 0) {
    summary["added-data-files"] = std::to_string(added.files);
    summary["added-records"] = std::to_string(added.records);
    summary["added-files-size"] = std::to_string(added.bytes);
  }
  if (removed.files > 0) {
    summary["deleted-data-files"] = std::to_string(removed.files);
    summary["deleted-records"] = std::to_string(removed.records);
    summary["removed-files-size"] = std::to_string(removed.bytes);
  }
  summary["changed-partition-count"] = std::to_string(changed_partitions);

  std::map<std::string, int64_t> totals;
  for (const char* key : kTotalKeys) {
    if (parent == nullptr) {
      totals[key] = 0;
      continue;
    }
    auto it = parent->summary.find(key);
    std::optional<int64_t> value =
        it == parent->summary.end() ? std::nullopt : ParseInt64(it->second);
    if (!value) return summary;
    totals[key] = *value;
  }
  totals["total-records"] += added.records - removed.records;
  totals["total-files-size"] += added.bytes - removed.bytes;
  totals["total-data-files"] += added.files - removed.files;
  for (const auto& [key, value] : totals) summary[key] = std::to_string(value);
  return summary;
}

}  // namespace

std::string_view SnapshotOperationName(SnapshotOperation operation) {
  switch (operation) {
    case SnapshotOperation::kAppend: return "append";
    case SnapshotOperation::kReplace: return "replace";
    case SnapshotOperation::kDelete: return "delete";
  }
  return "append";
}

Result<ManifestMergePolicy> ManifestMergePolicy::FromProperties(
    const std::map<std::string, std::string>& properties) {
  ManifestMergePolicy policy;
  auto it = properties.find("commit.manifest-merge.enabled");
  if (it != properties.end()) {
    if (it->second != "true" && it->second != "false") {
      return Status::InvalidArgument("table property commit.manifest-merge.enabled=\"" +
                                     it->second + "\": expected true or false");
    }
    policy.enabled = it->second == "true";
  }
  FLOE_ASSIGN_OR_RETURN(policy.min_count_to_merge,
                        PropertyInt(properties, "commit.manifest.min-count-to-merge", 100, 2));
  FLOE_ASSIGN_OR_RETURN(policy.target_size_bytes,
                        PropertyInt(properties, "commit.manifest.target-size-bytes", 8 << 20, 1));
  return policy;
}

std::string MetadataDirectory(const TableMetadata& metadata) {
  auto it = metadata.properties.find("write.metadata.path");
  if (it != metadata.properties.end() && !it->second.empty()) {
    std::string dir = it->second;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    return dir;
  }
  return JoinLocation(metadata.location, "metadata");
}

Result<TableMetadata> ReadTableMetadata(ObjectStore* store, const std::string& location) {
  FLOE_ASSIGN_OR_RETURN(ObjectInfo info, store->Stat(location));
  if (info.size_bytes < 0 || static_cast<uint64_t>(info.size_bytes) > kMaxMetadataBytes) {
    return Status::Corrupt("metadata file " + location + " is " + std::to_string(info.size_bytes) +
                           " bytes, over the limit");
  }
  FLOE_ASSIGN_OR_RETURN(std::string bytes, store->Get(location));
  return iceberg::ReadTableMetadataFile(bytes, location, kMaxMetadataBytes);
}

Result<std::vector<ManifestFile>> ReadManifestList(ObjectStore* store,
                                                   const iceberg::Snapshot& snapshot) {
  if (snapshot.manifest_list.empty()) {
    return Status::NotSupported("snapshot " + std::to_string(snapshot.snapshot_id) +
                                " has no manifest list (v1 manifests member)");
  }
  FLOE_ASSIGN_OR_RETURN(auto file, store->OpenRead(snapshot.manifest_list));
  FLOE_ASSIGN_OR_RETURN(auto reader, iceberg::ManifestListReader::Open(file.get()));
  return reader->ReadAll();
}

Result<std::vector<ManifestEntry>> ReadManifestEntries(ObjectStore* store,
                                                       const ManifestFile& manifest,
                                                       iceberg::ColumnStatsSelection stats) {
  FLOE_ASSIGN_OR_RETURN(auto file, store->OpenRead(manifest.manifest_path));
  iceberg::ManifestReaderOptions options;
  options.column_stats = std::move(stats);
  FLOE_ASSIGN_OR_RETURN(auto reader,
                        iceberg::ManifestReader::Open(file.get(), &manifest, std::move(options)));
  return reader->ReadAll();
}

SnapshotProducer::SnapshotProducer(ObjectStore* store, std::string commit_uuid,
                                   avro::RandomSource random, SnapshotChanges changes)
    : store_(store),
      commit_uuid_(std::move(commit_uuid)),
      random_(std::move(random)),
      changes_(std::move(changes)) {
  // A rewrite's manifests are the commit's own new files: removed when it gives up.
  for (const ManifestFile& m : changes_.added_manifests) new_file_paths_.push_back(m.manifest_path);
}

std::string SnapshotProducer::NextManifestLocation(const std::string& metadata_dir) {
  return JoinLocation(metadata_dir,
                      commit_uuid_ + "-m" + std::to_string(manifest_counter_++) + ".avro");
}

Status SnapshotProducer::WriteNewFileManifests(const TableMetadata& base, int64_t snapshot_id,
                                               const std::string& metadata_dir,
                                               ProducedSnapshot* produced) {
  if (changes_.added_files.empty()) return Status::OK();
  if (new_file_snapshot_id_ == snapshot_id) return Status::OK();
  // Written for another snapshot id (it collided with a concurrent commit's): write anew.
  if (!new_file_paths_.empty()) (void)store_->DeleteMany(new_file_paths_);
  new_file_manifests_.clear();
  new_file_paths_.clear();
  new_file_snapshot_id_.reset();

  const std::string location = NextManifestLocation(metadata_dir);
  new_file_paths_.push_back(location);
  FLOE_ASSIGN_OR_RETURN(auto out, store_->Create(location));
  iceberg::ManifestWriterOptions options;
  options.snapshot_id = snapshot_id;
  FLOE_ASSIGN_OR_RETURN(auto writer,
                        iceberg::ManifestWriter::Make(out.get(), base.CurrentSchema(),
                                                      base.DefaultSpec(), random_, options));
  for (const DataFile& file : changes_.added_files) {
    if (changes_.operation == SnapshotOperation::kReplace) {
      FLOE_RETURN_IF_ERROR(
          writer->AddWithDataSequenceNumber(file, changes_.starting_sequence_number));
    } else {
      FLOE_RETURN_IF_ERROR(writer->Add(file));
    }
  }
  FLOE_ASSIGN_OR_RETURN(ManifestFile manifest, writer->Close());
  new_file_manifests_.push_back(std::move(manifest));
  new_file_snapshot_id_ = snapshot_id;
  ++produced->manifests_written;
  return Status::OK();
}

Result<ProducedSnapshot> SnapshotProducer::Produce(const TableMetadata& base, int64_t snapshot_id,
                                                   int attempt, int64_t now_ms,
                                                   std::vector<std::string>* attempt_files) {
  ProducedSnapshot produced;
  const std::string metadata_dir = MetadataDirectory(base);
  FLOE_ASSIGN_OR_RETURN(ManifestMergePolicy merge,
                        ManifestMergePolicy::FromProperties(base.properties));
  FLOE_RETURN_IF_ERROR(WriteNewFileManifests(base, snapshot_id, metadata_dir, &produced));

  const iceberg::Snapshot* parent = base.CurrentSnapshot();
  std::vector<ManifestFile> parent_manifests;
  if (parent != nullptr) {
    FLOE_ASSIGN_OR_RETURN(parent_manifests, ReadManifestList(store_, *parent));
  }
  const bool rewrite = !changes_.replaced_manifests.empty() || !changes_.added_manifests.empty();
  if (rewrite && (!changes_.added_files.empty() || !changes_.removed_paths.empty())) {
    return Status::InvalidArgument("a manifest rewrite adds and removes no data files");
  }
  const std::set<std::string> to_replace(changes_.replaced_manifests.begin(),
                                         changes_.replaced_manifests.end());
  std::set<std::string> replaced_found;
  int64_t replaced_live_files = 0;

  FileTotals added;
  FileTotals removed;
  std::set<std::string> changed_partitions;
  for (const DataFile& file : changes_.added_files) {
    added.Add(file);
    changed_partitions.insert(PartitionKey(base.default_spec_id, file));
  }

  // Manifests that hold removed files are rewritten; the others are carried over unchanged.
  const std::set<std::string> to_remove(changes_.removed_paths.begin(),
                                        changes_.removed_paths.end());
  std::set<std::string> found;
  std::set<std::string> removed_partitions;
  std::vector<ManifestFile> rewritten;
  std::vector<ManifestFile> carried;
  std::vector<const ManifestFile*> delete_manifests;
  for (const ManifestFile& manifest : parent_manifests) {
    if (to_replace.count(manifest.manifest_path) > 0) {
      replaced_found.insert(manifest.manifest_path);
      replaced_live_files +=
          manifest.added_files_count.value_or(0) + manifest.existing_files_count.value_or(0);
      continue;
    }
    const bool live = manifest.has_added_files() || manifest.has_existing_files();
    if (!live) continue;  // only DELETED entries of earlier snapshots: nothing to scan
    if (manifest.content == ManifestContent::kDeletes) {
      delete_manifests.push_back(&manifest);
      carried.push_back(manifest);
      continue;
    }
    if (to_remove.empty()) {
      carried.push_back(manifest);
      continue;
    }
    FLOE_ASSIGN_OR_RETURN(auto file, store_->OpenRead(manifest.manifest_path));
    FLOE_ASSIGN_OR_RETURN(auto reader, iceberg::ManifestReader::Open(file.get(), &manifest));
    ++produced.manifests_read;
    FLOE_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries, reader->ReadAll());
    bool hit = false;
    for (const ManifestEntry& e : entries) {
      if (e.is_live() && to_remove.count(e.data_file.file_path) > 0) hit = true;
    }
    if (!hit) {
      carried.push_back(manifest);
      continue;
    }
    const std::string location = NextManifestLocation(metadata_dir);
    attempt_files->push_back(location);
    FLOE_ASSIGN_OR_RETURN(auto out, store_->Create(location));
    iceberg::ManifestWriterOptions options;
    options.snapshot_id = snapshot_id;
    FLOE_ASSIGN_OR_RETURN(auto writer,
                          iceberg::ManifestWriter::Make(out.get(), reader->schema(), reader->spec(),
                                                        random_, options));
    for (const ManifestEntry& e : entries) {
      if (!e.is_live()) continue;  // deleted by an earlier snapshot: dropped
      const int64_t data_seq = e.sequence_number.value_or(0);
      const int64_t file_seq = e.file_sequence_number.value_or(0);
      if (to_remove.count(e.data_file.file_path) > 0) {
        if (!found.insert(e.data_file.file_path).second) continue;
        FLOE_RETURN_IF_ERROR(writer->Delete(e.data_file, data_seq, file_seq));
        removed.Add(e.data_file);
        std::string key = PartitionKey(manifest.partition_spec_id, e.data_file);
        changed_partitions.insert(key);
        removed_partitions.insert(std::move(key));
      } else {
        FLOE_RETURN_IF_ERROR(
            writer->Existing(e.data_file, e.snapshot_id.value_or(snapshot_id), data_seq, file_seq));
      }
    }
    FLOE_ASSIGN_OR_RETURN(ManifestFile written, writer->Close());
    ++produced.manifests_written;
    rewritten.push_back(std::move(written));
  }

  if (found.size() < to_remove.size()) {
    std::string missing;
    for (const std::string& path : to_remove) {
      if (found.count(path) > 0) continue;
      missing += missing.empty() ? "" : ", ";
      missing += path;
    }
    return Status::Conflict(std::string(SnapshotOperationName(changes_.operation)) +
                            ": files no longer live in the table: " + missing);
  }
  if (replaced_found.size() < to_replace.size()) {
    std::string missing;
    for (const std::string& path : to_replace) {
      if (replaced_found.count(path) > 0) continue;
      missing += missing.empty() ? "" : ", ";
      missing += path;
    }
    return Status::Conflict("rewrite of manifests: no longer in the current snapshot: " + missing);
  }
  int64_t rewritten_live_files = 0;
  for (const ManifestFile& m : changes_.added_manifests) {
    rewritten_live_files += m.added_files_count.value_or(0) + m.existing_files_count.value_or(0);
    rewritten.push_back(m);
  }
  if (rewritten_live_files != replaced_live_files) {
    return Status::InvalidArgument(
        "rewrite of manifests: the replaced manifests hold " + std::to_string(replaced_live_files) +
        " live files, the new ones " + std::to_string(rewritten_live_files));
  }

  // A position delete added after the starting snapshot may point into a removed file; its rows
  // would come back once the file is replaced.
  if (changes_.operation == SnapshotOperation::kReplace && !to_remove.empty()) {
    for (const ManifestFile* manifest : delete_manifests) {
      if (manifest->sequence_number <= changes_.starting_sequence_number) continue;
      FLOE_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries,
                            ReadManifestEntries(store_, *manifest));
      ++produced.manifests_read;
      for (const ManifestEntry& e : entries) {
        if (!e.is_live() || e.data_file.content != iceberg::DataFileContent::kPositionDeletes ||
            e.sequence_number.value_or(0) <= changes_.starting_sequence_number) {
          continue;
        }
        const bool touches = e.data_file.referenced_data_file
                                 ? to_remove.count(*e.data_file.referenced_data_file) > 0
                                 : removed_partitions.count(
                                       PartitionKey(manifest->partition_spec_id, e.data_file)) > 0;
        if (touches) {
          return Status::Conflict("replace: position delete file " + e.data_file.file_path +
                                  " added since sequence number " +
                                  std::to_string(changes_.starting_sequence_number) +
                                  " may apply to a replaced file");
        }
      }
    }
  }

  // Merging: once the list grows past the threshold, the small carried-over data manifests of
  // each spec become one, so a commit reads and writes a bounded number of manifests however
  // long the table's history is.
  std::vector<ManifestFile> merged;
  const size_t data_manifest_count =
      new_file_manifests_.size() + rewritten.size() +
      std::count_if(carried.begin(), carried.end(),
                    [](const ManifestFile& m) { return m.content == ManifestContent::kData; });
  if (merge.enabled && !rewrite &&
      static_cast<int64_t>(data_manifest_count) > merge.min_count_to_merge) {
    std::map<int32_t, std::vector<ManifestFile>> bins;
    std::vector<ManifestFile> kept;
    for (ManifestFile& m : carried) {
      if (m.content == ManifestContent::kData && m.manifest_length < merge.target_size_bytes) {
        bins[m.partition_spec_id].push_back(std::move(m));
      } else {
        kept.push_back(std::move(m));
      }
    }
    for (auto& [spec_id, bin] : bins) {
      if (bin.size() < 2) {
        for (ManifestFile& m : bin) kept.push_back(std::move(m));
        continue;
      }
      const std::string location = NextManifestLocation(metadata_dir);
      attempt_files->push_back(location);
      FLOE_ASSIGN_OR_RETURN(auto out, store_->Create(location));
      std::unique_ptr<iceberg::ManifestWriter> writer;
      for (const ManifestFile& m : bin) {
        FLOE_ASSIGN_OR_RETURN(auto file, store_->OpenRead(m.manifest_path));
        FLOE_ASSIGN_OR_RETURN(auto reader, iceberg::ManifestReader::Open(file.get(), &m));
        ++produced.manifests_read;
        if (writer == nullptr) {
          iceberg::ManifestWriterOptions options;
          options.snapshot_id = snapshot_id;
          FLOE_ASSIGN_OR_RETURN(
              writer, iceberg::ManifestWriter::Make(out.get(), reader->schema(), reader->spec(),
                                                    random_, options));
        }
        ManifestEntry e;
        while (true) {
          FLOE_ASSIGN_OR_RETURN(bool more, reader->Next(&e));
          if (!more) break;
          if (!e.is_live()) continue;
          FLOE_RETURN_IF_ERROR(writer->Existing(e.data_file, e.snapshot_id.value_or(snapshot_id),
                                                e.sequence_number.value_or(0),
                                                e.file_sequence_number.value_or(0)));
        }
      }
      FLOE_ASSIGN_OR_RETURN(ManifestFile written, writer->Close());
      ++produced.manifests_written;
      merged.push_back(std::move(written));
    }
    carried = std::move(kept);
  }

  // New manifests first, as Java orders them.
  const int64_t sequence_number = base.last_sequence_number + 1;
  const std::string list_location =
      JoinLocation(metadata_dir, "snap-" + std::to_string(snapshot_id) + "-" +
                                     std::to_string(attempt) + "-" + commit_uuid_ + ".avro");
  attempt_files->push_back(list_location);
  FLOE_ASSIGN_OR_RETURN(auto out, store_->Create(list_location));
  iceberg::ManifestListWriterOptions list_options;
  list_options.snapshot_id = snapshot_id;
  if (parent != nullptr) list_options.parent_snapshot_id = parent->snapshot_id;
  list_options.sequence_number = sequence_number;
  FLOE_ASSIGN_OR_RETURN(auto list_writer,
                        iceberg::ManifestListWriter::Make(out.get(), random_, list_options));
  for (const auto* group : {&new_file_manifests_, &rewritten, &merged, &carried}) {
    for (const ManifestFile& m : *group) {
      FLOE_RETURN_IF_ERROR(list_writer->Add(m));
      ++produced.manifest_count;
    }
  }
  FLOE_RETURN_IF_ERROR(list_writer->Close());
  ++produced.manifests_written;

  iceberg::Snapshot& snapshot = produced.snapshot;
  snapshot.snapshot_id = snapshot_id;
  if (parent != nullptr) snapshot.parent_snapshot_id = parent->snapshot_id;
  snapshot.sequence_number = sequence_number;
  snapshot.timestamp_ms = now_ms;
  snapshot.manifest_list = list_location;
  snapshot.schema_id = base.current_schema_id;
  snapshot.summary = BuildSummary(changes_, added, removed,
                                  static_cast<int64_t>(changed_partitions.size()), parent);
  snapshot.summary["manifests-created"] =
      std::to_string(new_file_manifests_.size() + rewritten.size() + merged.size());
  snapshot.summary["manifests-kept"] = std::to_string(carried.size());
  if (rewrite) {
    snapshot.summary["manifests-replaced"] = std::to_string(replaced_found.size());
    snapshot.summary["entries-processed"] = std::to_string(rewritten_live_files);
  }
  return produced;
}

}  // namespace floe
