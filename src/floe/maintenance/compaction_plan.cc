#include "floe/maintenance/compaction_plan.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <utility>

#include "floe/catalog/snapshot_producer.h"
#include "floe/iceberg/datetime.h"
#include "floe/maintenance/partition_time.h"

namespace floe::maintenance {

namespace {

constexpr int64_t kMicrosPerHour = int64_t{3600} * 1000000;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;
// A group stops growing at this many target-sized outputs, so a huge partition still commits in
// steps (partial progress) while most groups end in whole target-sized files.
constexpr int64_t kMaxOutputsPerGroup = 64;

std::string PartitionLabel(const iceberg::PartitionSpec& spec,
                           const std::vector<iceberg::Literal>& values) {
  if (spec.is_unpartitioned()) return "";
  Result<std::string> path = iceberg::PartitionPath(spec, values);
  if (path.ok()) return *path;
  std::string text;
  for (const auto& v : values) text += (text.empty() ? "" : ",") + v.ToString();
  return text;
}

// "a=1/b=2" → {"a=1", "b=2"}.
std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) parts.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

bool MatchesFilters(const std::string& label, const std::vector<std::string>& filters) {
  if (filters.empty()) return true;
  const std::vector<std::string> have = SplitPath(label);
  for (const std::string& filter : filters) {
    bool all = true;
    for (const std::string& want : SplitPath(filter)) {
      if (std::find(have.begin(), have.end(), want) == have.end()) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

struct Partition {
  int32_t spec_id = 0;
  std::vector<iceberg::Literal> values;
  std::string label;
  std::vector<LiveFile> files;
  int64_t oldest_sequence = 0;
};

bool SameDeleteScope(const LiveFile& del, const Partition& p,
                     const iceberg::TableMetadata& metadata) {
  const iceberg::PartitionSpec* spec = metadata.SpecById(del.spec_id);
  // Deletes in an unpartitioned spec apply to every partition.
  if (spec == nullptr || spec->is_unpartitioned()) return true;
  return del.spec_id == p.spec_id && del.file.partition == p.values;
}

int64_t CeilDiv(int64_t a, int64_t b) { return b <= 0 ? 0 : (a + b - 1) / b; }

}  // namespace

bool IsCompactedFile(std::string_view path) {
  const size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return name.substr(0, kCompactedFilePrefix.size()) == kCompactedFilePrefix;
}

Result<TableFiles> LoadLiveFiles(ObjectStore* store, const iceberg::TableMetadata& metadata) {
  TableFiles out;
  const iceberg::Snapshot* current = metadata.CurrentSnapshot();
  if (current == nullptr) return out;
  FLOE_ASSIGN_OR_RETURN(std::vector<iceberg::ManifestFile> manifests,
                        ReadManifestList(store, *current));
  for (const iceberg::ManifestFile& manifest : manifests) {
    FLOE_ASSIGN_OR_RETURN(std::vector<iceberg::ManifestEntry> entries,
                          ReadManifestEntries(store, manifest));
    for (iceberg::ManifestEntry& entry : entries) {
      if (!entry.is_live()) continue;
      LiveFile live;
      live.spec_id = manifest.partition_spec_id;
      live.data_sequence_number = entry.sequence_number.value_or(0);
      const bool is_data = manifest.content == iceberg::ManifestContent::kData &&
                           entry.data_file.content == iceberg::DataFileContent::kData;
      live.file = std::move(entry.data_file);
      (is_data ? out.data_files : out.delete_files).push_back(std::move(live));
    }
  }
  return out;
}

Result<CompactionPlan> PlanCompaction(const iceberg::TableMetadata& metadata,
                                      const TableFiles& files,
                                      const std::set<std::string>& quarantined,
                                      const CompactionOptions& options,
                                      const CompactionRequest& request) {
  FLOE_RETURN_IF_ERROR(options.Validate());
  if (request.target_files && *request.target_files < 1) {
    return Status::InvalidArgument("targetFiles=" + std::to_string(*request.target_files) +
                                   " is out of range: allowed 1..");
  }
  CompactionPlan plan;
  const int64_t target = options.target_file_size_bytes;
  const int64_t min_size = options.min_file_size();
  const int64_t max_size = options.max_file_size();
  const iceberg::Schema& schema = metadata.CurrentSchema();

  std::map<std::pair<int32_t, std::string>, Partition> partitions;
  for (const LiveFile& live : files.data_files) {
    if (quarantined.count(live.file.file_path) > 0) {
      ++plan.quarantined_files;
      continue;
    }
    const iceberg::PartitionSpec* spec = metadata.SpecById(live.spec_id);
    if (spec == nullptr) {
      return Status::Corrupt("data file " + live.file.file_path + " names partition spec " +
                             std::to_string(live.spec_id) + ", which the table does not have");
    }
    std::string label = PartitionLabel(*spec, live.file.partition);
    if (!MatchesFilters(label, request.partitions)) continue;
    if (request.older_than_micros || request.newer_than_micros) {
      auto range = PartitionTimeRange(*spec, schema, live.file.partition);
      if (!range) continue;
      if (request.older_than_micros && range->second > *request.older_than_micros) continue;
      if (request.newer_than_micros && range->first < *request.newer_than_micros) continue;
    }
    Partition& p = partitions[{live.spec_id, label}];
    if (p.files.empty()) {
      p.spec_id = live.spec_id;
      p.values = live.file.partition;
      p.label = label;
      p.oldest_sequence = live.data_sequence_number;
    }
    p.oldest_sequence = std::min(p.oldest_sequence, live.data_sequence_number);
    p.files.push_back(live);
    ++plan.total_files;
    if (live.file.file_size_in_bytes < min_size) ++plan.small_files;
  }

  plan.needed = request.force || plan.small_files >= options.threshold;
  plan.decision = std::to_string(plan.small_files) + " small files (under " +
                  std::to_string(min_size) + " bytes) of " + std::to_string(plan.total_files) +
                  ", threshold " + std::to_string(options.threshold) +
                  (request.force ? ", forced" : "");
  if (!plan.needed) return plan;

  std::vector<Partition*> order;
  for (auto& [key, p] : partitions) order.push_back(&p);
  std::stable_sort(order.begin(), order.end(), [](const Partition* a, const Partition* b) {
    return a->oldest_sequence < b->oldest_sequence;
  });

  for (Partition* p : order) {
    std::stable_sort(p->files.begin(), p->files.end(), [](const LiveFile& a, const LiveFile& b) {
      if (a.data_sequence_number != b.data_sequence_number) {
        return a.data_sequence_number < b.data_sequence_number;
      }
      return a.file.file_path < b.file.file_path;
    });
    std::vector<LiveFile> oversized;
    std::vector<LiveFile> candidates;
    std::vector<LiveFile> kept;
    for (const LiveFile& f : p->files) {
      const int64_t size = f.file.file_size_in_bytes;
      if (size > max_size) {
        oversized.push_back(f);
      } else if (size < min_size || (request.aggressive && size < target)) {
        candidates.push_back(f);
      } else {
        kept.push_back(f);
      }
    }
    auto bytes_of = [](const std::vector<LiveFile>& v) {
      int64_t n = 0;
      for (const LiveFile& f : v) n += f.file.file_size_in_bytes;
      return n;
    };
    if (request.target_files) {
      // Pull in the smallest kept files until the partition's expected file count fits.
      std::stable_sort(kept.begin(), kept.end(), [](const LiveFile& a, const LiveFile& b) {
        return a.file.file_size_in_bytes < b.file.file_size_in_bytes;
      });
      auto expected = [&] {
        int64_t oversize_outputs = 0;
        for (const LiveFile& f : oversized) {
          oversize_outputs += CeilDiv(f.file.file_size_in_bytes, target);
        }
        return static_cast<int64_t>(kept.size()) + CeilDiv(bytes_of(candidates), target) +
               oversize_outputs;
      };
      while (expected() > *request.target_files && !kept.empty()) {
        candidates.push_back(kept.front());
        kept.erase(kept.begin());
      }
      if (expected() > *request.target_files) {
        plan.skipped.push_back({p->label, static_cast<int64_t>(p->files.size()),
                                "targetFiles=" + std::to_string(*request.target_files) +
                                    " cannot be reached: " + std::to_string(bytes_of(p->files)) +
                                    " bytes need at least " + std::to_string(expected()) +
                                    " files of the target size " + std::to_string(target)});
      }
      std::stable_sort(candidates.begin(), candidates.end(),
                       [](const LiveFile& a, const LiveFile& b) {
                         return a.data_sequence_number < b.data_sequence_number;
                       });
    }
    if (candidates.empty() && oversized.empty()) continue;

    if (p->spec_id != metadata.default_spec_id) {
      plan.skipped.push_back({p->label, static_cast<int64_t>(candidates.size() + oversized.size()),
                              "files are in partition spec " + std::to_string(p->spec_id) +
                                  ", not the table's default spec " +
                                  std::to_string(metadata.default_spec_id)});
      continue;
    }
    int64_t deletes = 0;
    for (const LiveFile& d : files.delete_files) deletes += SameDeleteScope(d, *p, metadata);
    if (deletes > 0) {
      plan.skipped.push_back({p->label, static_cast<int64_t>(candidates.size() + oversized.size()),
                              std::to_string(deletes) +
                                  " live delete files apply to this partition; compaction does "
                                  "not apply deletes"});
      continue;
    }

    auto make_group = [&](std::vector<LiveFile> inputs, std::string reason) {
      FileGroup g;
      g.spec_id = p->spec_id;
      g.partition = p->values;
      g.partition_path = p->label;
      g.reason = std::move(reason);
      for (const LiveFile& f : inputs) {
        g.input_bytes += f.file.file_size_in_bytes;
        g.input_rows += f.file.record_count;
      }
      g.inputs = std::move(inputs);
      return g;
    };
    for (LiveFile& f : oversized) {
      plan.groups.push_back(make_group({std::move(f)}, "oversized file"));
    }

    const int64_t group_bytes_limit = target * kMaxOutputsPerGroup;
    const bool eager = request.force || request.aggressive || request.target_files.has_value();
    const std::string reason = request.target_files ? "targetFiles"
                               : request.aggressive ? "aggressive"
                                                    : "small files";
    std::vector<LiveFile> current;
    int64_t current_bytes = 0;
    auto close_group = [&] {
      const int64_t n = static_cast<int64_t>(current.size());
      // A group is worth a rewrite when it merges enough files, or already makes a whole
      // target-sized file, or the caller insists (two files at least: one alone is no merge).
      const bool worth =
          n >= options.min_input_files || (n >= 2 && (current_bytes >= target || eager));
      if (worth) {
        plan.groups.push_back(make_group(std::move(current), reason));
      } else if (n > 0) {
        plan.skipped.push_back({p->label, n,
                                n == 1 ? "one file: nothing to merge"
                                       : std::to_string(n) + " files, under min_input_files=" +
                                             std::to_string(options.min_input_files)});
      }
      current.clear();
      current_bytes = 0;
    };
    for (LiveFile& f : candidates) {
      if (!current.empty() &&
          (static_cast<int64_t>(current.size()) >= options.max_files_per_group ||
           current_bytes + f.file.file_size_in_bytes > group_bytes_limit)) {
        close_group();
      }
      current_bytes += f.file.file_size_in_bytes;
      current.push_back(std::move(f));
    }
    close_group();
  }
  if (options.max_groups_per_run > 0 &&
      static_cast<int64_t>(plan.groups.size()) > options.max_groups_per_run) {
    for (size_t i = static_cast<size_t>(options.max_groups_per_run); i < plan.groups.size(); ++i) {
      plan.skipped.push_back({plan.groups[i].partition_path,
                              static_cast<int64_t>(plan.groups[i].inputs.size()),
                              "max_groups_per_run=" + std::to_string(options.max_groups_per_run) +
                                  " reached; left for the next run"});
    }
    plan.groups.resize(static_cast<size_t>(options.max_groups_per_run));
  }
  return plan;
}

Result<int64_t> ParseTimeBound(std::string_view text, int64_t now_micros) {
  if (!text.empty()) {
    const char unit = text.back();
    int64_t scale = 0;
    if (unit == 'd') scale = kMicrosPerDay;
    if (unit == 'h') scale = kMicrosPerHour;
    if (unit == 'm') scale = 60 * int64_t{1000000};
    if (unit == 's') scale = 1000000;
    int64_t n = 0;
    const char* begin = text.data();
    const char* end = text.data() + text.size() - 1;
    auto [ptr, ec] = std::from_chars(begin, end, n);
    if (scale > 0 && ec == std::errc() && ptr == end && n >= 0 &&
        n <= int64_t{100} * 365 * kMicrosPerDay / scale) {
      return now_micros - n * scale;
    }
  }
  if (auto days = iceberg::ParseDate(text)) return int64_t{*days} * kMicrosPerDay;
  if (auto micros = iceberg::ParseTimestamp(text, /*with_zone=*/true)) return *micros;
  return Status::InvalidArgument("time \"" + std::string(text) +
                                 "\" is not an RFC 3339 timestamp, a date (2026-01-01) or an age "
                                 "(7d, 12h, 30m, 45s)");
}

}  // namespace floe::maintenance
