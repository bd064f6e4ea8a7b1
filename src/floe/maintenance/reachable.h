#pragma once

// Which files a set of snapshots reads. Expiry deletes what only expired snapshots reach; orphan
// removal deletes what nothing reaches. Both compare normalised locations (NormalizeLocation), so
// "s3a://b/x" and "s3://b/x", or "file:/x" and "file:///x", are one file.

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/common/result.h"
#include "floe/iceberg/data_file.h"
#include "floe/iceberg/manifest_entry_decoder.h"
#include "floe/iceberg/table_metadata.h"
#include "floe/io/object_store.h"

namespace floe::maintenance {

// The canonical form of a location for comparisons; the text itself when it does not parse.
std::string CanonicalLocation(const std::string& location);

// Reads each manifest list and manifest once, however many snapshots share it.
class ManifestCache {
 public:
  // `stats`: the column metrics the cached entries keep. Expiry and orphan removal need none, and
  // at 100,000 files the metrics are most of the memory and decoding time.
  explicit ManifestCache(ObjectStore* store,
                         iceberg::ColumnStatsSelection stats = iceberg::ColumnStatsSelection::All())
      : store_(store), stats_(std::move(stats)) {}
  Result<const std::vector<iceberg::ManifestFile>*> ManifestsOf(const iceberg::Snapshot& snapshot);
  Result<const std::vector<iceberg::ManifestEntry>*> EntriesOf(const iceberg::ManifestFile& m);
  int64_t manifests_read() const { return static_cast<int64_t>(entries_.size()); }

 private:
  ObjectStore* store_;
  iceberg::ColumnStatsSelection stats_;
  std::map<std::string, std::vector<iceberg::ManifestFile>> lists_;
  std::map<std::string, std::vector<iceberg::ManifestEntry>> entries_;
};

struct ReachableFiles {
  std::set<std::string> manifest_lists;
  std::set<std::string> manifests;
  // Data and delete files some snapshot reads (ADDED or EXISTING entries).
  std::set<std::string> live_files;
  // Every data or delete file any manifest names, DELETED entries too.
  std::set<std::string> named_files;
  // Bytes per file of named_files, from the manifests.
  std::map<std::string, int64_t> file_sizes;
};

// All canonical. With `unreadable`, a manifest list or manifest that cannot be read is recorded
// there and skipped (for reports only: what it names is unknown); without, it is an error.
Result<ReachableFiles> CollectReachable(const std::vector<const iceberg::Snapshot*>& snapshots,
                                        ManifestCache* cache,
                                        std::vector<std::string>* unreadable = nullptr);

// Where a long run is, for a terminal's progress bar: `done` of `total` units of `step` ("listing",
// "deleting"); total 0 when not known yet.
struct RunProgress {
  std::string_view step;
  int64_t done = 0;
  int64_t total = 0;
};
using ProgressCallback = std::function<void(const RunProgress&)>;

// store->DeleteMany in batches of 1000, reporting "deleting" progress after each (when `progress`
// is set). Errors: the first failed delete's, after every batch was tried (as DeleteMany).
Status DeleteWithProgress(ObjectStore* store, const std::vector<std::string>& locations,
                          const ProgressCallback& progress);

}  // namespace floe::maintenance
