#include "floe/maintenance/rewrite_manifests.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "floe/catalog/snapshot_producer.h"
#include "floe/catalog/transaction.h"
#include "floe/iceberg/manifest.h"
#include "floe/io/file.h"
#include "floe/io/location.h"

namespace floe::maintenance {
namespace {

using iceberg::Literal;
using iceberg::ManifestEntry;
using iceberg::ManifestFile;

struct SpecPlan {
  int32_t spec_id = 0;
  std::vector<const ManifestFile*> manifests;
  int64_t bytes = 0;
  int64_t live_entries = 0;
  int64_t live_rows = 0;
  int64_t manifests_after = 0;  // estimated
  bool rewrite = false;
  std::string reason;
};

int64_t LiveFiles(const ManifestFile& m) {
  return m.added_files_count.value_or(0) + m.existing_files_count.value_or(0);
}

bool HasCounts(const ManifestFile& m) {
  return m.added_files_count && m.existing_files_count && m.deleted_files_count;
}

// Bytes of a manifest with no entries: what every manifest spends on its header.
Result<int64_t> EmptyManifestBytes(const iceberg::Schema& schema,
                                   const iceberg::PartitionSpec& spec) {
  MemoryOutputStream out;
  FLOE_ASSIGN_OR_RETURN(
      auto writer, iceberg::ManifestWriter::Make(&out, schema, spec, [] { return uint64_t{0}; }));
  FLOE_ASSIGN_OR_RETURN(ManifestFile m, writer->Close());
  return m.manifest_length;
}

// Which specs to rewrite, and how many manifests each would end with (estimated from the bytes
// per entry of the manifests it has now).
Status PlanSpec(const iceberg::TableMetadata& m, int64_t target, SpecPlan* plan) {
  int64_t small = 0, huge = 0, dead = 0, all_entries = 0;
  for (const ManifestFile* manifest : plan->manifests) {
    if (!HasCounts(*manifest)) {
      plan->reason = "manifest " + manifest->manifest_path + " has no file counts (v1)";
      return Status::OK();
    }
    plan->bytes += manifest->manifest_length;
    plan->live_entries += LiveFiles(*manifest);
    plan->live_rows +=
        manifest->added_rows_count.value_or(0) + manifest->existing_rows_count.value_or(0);
    all_entries += LiveFiles(*manifest) + *manifest->deleted_files_count;
    if (manifest->manifest_length < target / 2) ++small;
    if (manifest->manifest_length > 2 * target) ++huge;
    if (LiveFiles(*manifest) == 0) ++dead;
  }
  const iceberg::PartitionSpec* spec = m.SpecById(plan->spec_id);
  if (spec == nullptr) {
    plan->reason = "partition spec " + std::to_string(plan->spec_id) + " is not in the metadata";
    return Status::OK();
  }
  Result<int64_t> header = EmptyManifestBytes(m.CurrentSchema(), *spec);
  if (!header.ok()) {
    plan->reason = "partition spec " + std::to_string(plan->spec_id) +
                   " does not fit the current schema: " + header.status().message();
    return Status::OK();
  }
  const int64_t count = static_cast<int64_t>(plan->manifests.size());
  const double payload = static_cast<double>(std::max<int64_t>(plan->bytes - *header * count, 0));
  const double per_entry = all_entries > 0 ? std::max(payload / all_entries, 1.0) : 1.0;
  const int64_t per_manifest =
      std::max<int64_t>(1, static_cast<int64_t>((target - *header) / per_entry));
  plan->manifests_after = (plan->live_entries + per_manifest - 1) / per_manifest;
  plan->rewrite = small >= 2 || huge > 0 || dead > 0;
  if (plan->rewrite) {
    plan->reason = std::to_string(small) + " manifests under half the target, " +
                   std::to_string(huge) + " over twice it, " + std::to_string(dead) +
                   " without live entries";
  } else {
    plan->reason = "nothing to merge or split (" + std::to_string(small) +
                   " manifest under half the target, none over twice it)";
  }
  return Status::OK();
}

int ComparePartitions(const std::vector<Literal>& a, const std::vector<Literal>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i].is_null() || b[i].is_null()) {
      if (a[i].is_null() != b[i].is_null()) return a[i].is_null() ? -1 : 1;
      continue;
    }
    Result<int> c = iceberg::CompareLiterals(a[i], b[i]);
    const int v = c.ok() ? *c : a[i].ToString().compare(b[i].ToString());
    if (v != 0) return v < 0 ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

// Writes the live entries of `plan`'s manifests, sorted by partition, into new manifests that
// roll once they reach `target` bytes. Every file started is added to `written`.
Status RewriteSpec(Table* table, const iceberg::TableMetadata& m, const SpecPlan& plan,
                   int64_t target, std::vector<ManifestFile>* out,
                   std::vector<std::string>* written, int64_t* rows) {
  ObjectStore* store = table->services().store;
  std::vector<ManifestEntry> live;
  live.reserve(static_cast<size_t>(plan.live_entries));
  for (const ManifestFile* manifest : plan.manifests) {
    FLOE_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries,
                          ReadManifestEntries(store, *manifest));
    for (ManifestEntry& e : entries) {
      if (!e.is_live()) continue;
      if (!e.snapshot_id) e.snapshot_id = manifest->added_snapshot_id;
      live.push_back(std::move(e));
    }
  }
  if (static_cast<int64_t>(live.size()) != plan.live_entries) {
    return Status::Corrupt("partition spec " + std::to_string(plan.spec_id) + ": the manifests " +
                           "hold " + std::to_string(live.size()) + " live entries, their list " +
                           "says " + std::to_string(plan.live_entries) + " (run floe fsck)");
  }
  std::stable_sort(live.begin(), live.end(), [](const ManifestEntry& a, const ManifestEntry& b) {
    const int c = ComparePartitions(a.data_file.partition, b.data_file.partition);
    return c != 0 ? c < 0 : a.data_file.file_path < b.data_file.file_path;
  });

  const iceberg::PartitionSpec& spec = *m.SpecById(plan.spec_id);
  const std::string dir = MetadataDirectory(m);
  const std::string prefix = table->NewUuid().ToString() + "-m";
  std::unique_ptr<OutputStream> stream;
  std::unique_ptr<iceberg::ManifestWriter> writer;
  auto close = [&]() -> Status {
    FLOE_ASSIGN_OR_RETURN(ManifestFile done, writer->Close());
    out->push_back(std::move(done));
    writer.reset();
    stream.reset();
    return Status::OK();
  };
  for (const ManifestEntry& e : live) {
    if (writer == nullptr) {
      const std::string location =
          JoinLocation(dir, prefix + std::to_string(written->size()) + ".avro");
      written->push_back(location);
      FLOE_ASSIGN_OR_RETURN(stream, store->Create(location));
      FLOE_ASSIGN_OR_RETURN(writer,
                            iceberg::ManifestWriter::Make(stream.get(), m.CurrentSchema(), spec,
                                                          [table] { return table->NextRandom(); }));
    }
    FLOE_RETURN_IF_ERROR(writer->Existing(e.data_file, *e.snapshot_id,
                                          e.sequence_number.value_or(0),
                                          e.file_sequence_number.value_or(0)));
    *rows += e.data_file.record_count;
    if (stream->Tell() >= target) FLOE_RETURN_IF_ERROR(close());
  }
  if (writer != nullptr) FLOE_RETURN_IF_ERROR(close());
  return Status::OK();
}

}  // namespace

Result<RunReport> RewriteManifests(Table* table, const RewriteManifestsOptions& options,
                                   Logger* logger) {
  const RunMeter meter(table->services().clock);
  ObjectStore* store = table->services().store;
  RunReport report;
  report.table = table->identifier().ToString();
  report.action = "rewrite-manifests";
  report.dry_run = options.dry_run;

  FLOE_RETURN_IF_ERROR(table->Refresh());
  const iceberg::TableMetadata base = table->metadata();
  FLOE_ASSIGN_OR_RETURN(ManifestMergePolicy policy,
                        ManifestMergePolicy::FromProperties(base.properties));
  const int64_t target = options.target_size_bytes.value_or(policy.target_size_bytes);
  if (target < 1) {
    return Status::InvalidArgument("target manifest size " + std::to_string(target) +
                                   ": must be positive");
  }
  report.details["target_size_bytes"] = target;
  report.snapshot_id = base.current_snapshot_id;
  auto finish = [&](const std::string& reason) {
    if (!reason.empty()) report.details["reason"] = reason;
    meter.Finish(&report);
    if (logger) {
      logger->Info("rewrite_manifests.finish", {{"table", report.table},
                                                {"status", report.status},
                                                {"dry_run", options.dry_run},
                                                {"manifests_in", report.files_in},
                                                {"manifests_out", report.files_out},
                                                {"reason", reason},
                                                {"duration_ms", report.duration_ms}});
    }
    return report;
  };

  const iceberg::Snapshot* current = base.CurrentSnapshot();
  if (current == nullptr) return finish("the table has no snapshot");
  FLOE_ASSIGN_OR_RETURN(std::vector<ManifestFile> manifests, ReadManifestList(store, *current));
  std::map<int32_t, SpecPlan> plans;
  int64_t data_manifests = 0, delete_manifests = 0;
  for (const ManifestFile& manifest : manifests) {
    if (manifest.content == iceberg::ManifestContent::kDeletes) {
      ++delete_manifests;
      continue;
    }
    ++data_manifests;
    SpecPlan& plan = plans[manifest.partition_spec_id];
    plan.spec_id = manifest.partition_spec_id;
    plan.manifests.push_back(&manifest);
  }
  const int64_t before = static_cast<int64_t>(manifests.size());
  report.details["manifests_before"] = before;
  report.details["manifests_after"] = before;
  report.details["delete_manifests"] = delete_manifests;
  if (data_manifests < options.min_manifests) {
    return finish(std::to_string(data_manifests) + " data manifests, under the threshold of " +
                  std::to_string(options.min_manifests));
  }

  nlohmann::json specs = nlohmann::json::array();
  std::vector<const SpecPlan*> to_rewrite;
  int64_t estimated_after = before;
  for (auto& [spec_id, plan] : plans) {
    FLOE_RETURN_IF_ERROR(PlanSpec(base, target, &plan));
    specs.push_back(
        {{"spec_id", spec_id},
         {"manifests", plan.manifests.size()},
         {"bytes", plan.bytes},
         {"live_entries", plan.live_entries},
         {"rewrite", plan.rewrite},
         {"reason", plan.reason},
         {"manifests_after",
          plan.rewrite ? plan.manifests_after : static_cast<int64_t>(plan.manifests.size())}});
    if (!plan.rewrite) continue;
    to_rewrite.push_back(&plan);
    estimated_after += plan.manifests_after - static_cast<int64_t>(plan.manifests.size());
  }
  report.details["specs"] = specs;
  if (to_rewrite.empty()) return finish("no partition spec has manifests to merge or split");

  std::vector<std::string> replaced;
  for (const SpecPlan* plan : to_rewrite) {
    for (const ManifestFile* m : plan->manifests) {
      replaced.push_back(m->manifest_path);
      report.bytes_in += m->manifest_length;
    }
    report.rows_in += plan->live_rows;
    report.details["entries"] = report.details.value("entries", int64_t{0}) + plan->live_entries;
  }
  report.files_in = static_cast<int64_t>(replaced.size());
  report.details["replaced"] = replaced;
  report.groups_done = static_cast<int64_t>(to_rewrite.size());
  report.status = "success";
  if (options.dry_run) {
    report.details["manifests_after"] = estimated_after;
    report.files_out = estimated_after - (before - report.files_in);
    report.rows_out = report.rows_in;
    return finish("");
  }

  std::vector<ManifestFile> created;
  std::vector<std::string> written;
  for (const SpecPlan* plan : to_rewrite) {
    Status status = RewriteSpec(table, base, *plan, target, &created, &written, &report.rows_out);
    if (!status.ok()) {
      if (!written.empty()) (void)store->DeleteMany(written);
      if (logger) {
        logger->Error("rewrite_manifests.error",
                      {{"table", report.table}, {"error", status.message()}});
      }
      return status;
    }
  }
  for (const ManifestFile& m : created) report.bytes_out += m.manifest_length;
  report.files_out = static_cast<int64_t>(created.size());

  Transaction txn = table->NewTransaction();
  txn.RewriteManifests(replaced, created);
  Result<CommitResult> committed = txn.Commit();
  if (!committed.ok()) {
    // An unknown outcome may have landed: its manifests stay (orphan removal takes them if not).
    if (committed.status().kind() != ErrorKind::kCommitStateUnknown) {
      (void)store->DeleteMany(written);
    }
    if (logger) {
      logger->Error("rewrite_manifests.error",
                    {{"table", report.table}, {"error", committed.status().message()}});
    }
    return committed.status();
  }
  report.commits = 1;
  report.retries = committed->attempts - 1;
  report.conflicts = committed->conflicts;
  report.snapshot_id = committed->snapshot_id;
  report.details["manifests_after"] = committed->manifest_count;
  report.details["created"] = written;
  return finish("");
}

}  // namespace floe::maintenance
