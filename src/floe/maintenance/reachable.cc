#include "floe/maintenance/reachable.h"

#include <algorithm>

#include "floe/catalog/snapshot_producer.h"
#include "floe/io/location.h"

namespace floe::maintenance {

std::string CanonicalLocation(const std::string& location) {
  Result<std::string> normalised = NormalizeLocation(location);
  return normalised.ok() ? *normalised : location;
}

Result<const std::vector<iceberg::ManifestFile>*> ManifestCache::ManifestsOf(
    const iceberg::Snapshot& snapshot) {
  const std::string key = snapshot.manifest_list.empty()
                              ? "v1:" + std::to_string(snapshot.snapshot_id)
                              : snapshot.manifest_list;
  auto it = lists_.find(key);
  if (it == lists_.end()) {
    Result<std::vector<iceberg::ManifestFile>> read = ReadManifestList(store_, snapshot);
    if (!read.ok()) {
      return read.status().WithContext("snapshot " + std::to_string(snapshot.snapshot_id));
    }
    it = lists_.emplace(key, std::move(*read)).first;
  }
  return &it->second;
}

Result<const std::vector<iceberg::ManifestEntry>*> ManifestCache::EntriesOf(
    const iceberg::ManifestFile& manifest) {
  auto it = entries_.find(manifest.manifest_path);
  if (it == entries_.end()) {
    FLOE_ASSIGN_OR_RETURN(std::vector<iceberg::ManifestEntry> entries,
                          ReadManifestEntries(store_, manifest, stats_));
    it = entries_.emplace(manifest.manifest_path, std::move(entries)).first;
  }
  return &it->second;
}

Result<ReachableFiles> CollectReachable(const std::vector<const iceberg::Snapshot*>& snapshots,
                                        ManifestCache* cache,
                                        std::vector<std::string>* unreadable) {
  ReachableFiles out;
  std::set<std::string> seen_manifests;
  for (const iceberg::Snapshot* snapshot : snapshots) {
    if (!snapshot->manifest_list.empty()) {
      out.manifest_lists.insert(CanonicalLocation(snapshot->manifest_list));
    }
    Result<const std::vector<iceberg::ManifestFile>*> manifests = cache->ManifestsOf(*snapshot);
    if (!manifests.ok()) {
      if (unreadable == nullptr) return manifests.status();
      unreadable->push_back(snapshot->manifest_list);
      continue;
    }
    for (const iceberg::ManifestFile& manifest : **manifests) {
      if (!seen_manifests.insert(manifest.manifest_path).second) continue;
      out.manifests.insert(CanonicalLocation(manifest.manifest_path));
      Result<const std::vector<iceberg::ManifestEntry>*> entries = cache->EntriesOf(manifest);
      if (!entries.ok()) {
        if (unreadable == nullptr) return entries.status();
        unreadable->push_back(manifest.manifest_path);
        continue;
      }
      for (const iceberg::ManifestEntry& entry : **entries) {
        std::string path = CanonicalLocation(entry.data_file.file_path);
        if (entry.is_live()) out.live_files.insert(path);
        out.file_sizes[path] = entry.data_file.file_size_in_bytes;
        out.named_files.insert(std::move(path));
      }
    }
  }
  return out;
}

Status DeleteWithProgress(ObjectStore* store, const std::vector<std::string>& locations,
                          const ProgressCallback& progress) {
  if (!progress) return store->DeleteMany(locations);
  constexpr size_t kBatch = 1000;
  const auto total = static_cast<int64_t>(locations.size());
  Status first;
  progress({"deleting", 0, total});
  for (size_t start = 0; start < locations.size(); start += kBatch) {
    size_t end = std::min(locations.size(), start + kBatch);
    Status st = store->DeleteMany(
        std::vector<std::string>(locations.begin() + start, locations.begin() + end));
    if (!st.ok() && first.ok()) first = st;
    progress({"deleting", static_cast<int64_t>(end), total});
  }
  return first;
}

}  // namespace floe::maintenance
