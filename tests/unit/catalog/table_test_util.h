#pragma once

// Shared pieces of the table and commit tests: a small partitioned schema, data files, and
// readers of what a table's current snapshot holds.

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "floe/catalog/snapshot_producer.h"
#include "floe/catalog/table.h"
#include "floe/catalog/transaction.h"

namespace floe::testing {

inline iceberg::Schema EventsSchema() {
  using iceberg::NestedField;
  using iceberg::Type;
  using iceberg::TypeId;
  NestedField id;
  id.id = 1;
  id.name = "id";
  id.required = true;
  id.type = Type::Primitive(TypeId::kLong);
  NestedField ts = id;
  ts.id = 2;
  ts.name = "ts";
  ts.type = Type::Primitive(TypeId::kTimestampTz);
  return iceberg::Schema(0, {id, ts});
}

inline CreateTableRequest EventsTable(const std::string& location,
                                      std::map<std::string, std::string> properties = {}) {
  CreateTableRequest request;
  request.schema = EventsSchema();
  request.spec.fields.push_back(iceberg::PartitionField{2, 0, "ts_day", iceberg::Transform::Day()});
  request.properties = std::move(properties);
  request.location = location;
  return request;
}

// A data file of `day` (days since the epoch) in the table's day(ts) spec.
inline iceberg::DataFile MakeFile(const std::string& path, int64_t records, int32_t day = 20000) {
  iceberg::DataFile file;
  file.file_path = path;
  file.record_count = records;
  file.file_size_in_bytes = records * 10 + 100;
  file.partition.push_back(iceberg::Literal::Date(day));
  return file;
}

// Every entry of every manifest of the current snapshot.
inline std::vector<iceberg::ManifestEntry> CurrentEntries(ObjectStore* store,
                                                          const iceberg::TableMetadata& m) {
  std::vector<iceberg::ManifestEntry> out;
  const iceberg::Snapshot* current = m.CurrentSnapshot();
  if (current == nullptr) return out;
  auto manifests = ReadManifestList(store, *current);
  EXPECT_TRUE(manifests.ok()) << manifests.status().ToString();
  if (!manifests.ok()) return out;
  for (const auto& manifest : *manifests) {
    auto entries = ReadManifestEntries(store, manifest);
    EXPECT_TRUE(entries.ok()) << entries.status().ToString();
    if (entries.ok()) out.insert(out.end(), entries->begin(), entries->end());
  }
  return out;
}

// Paths of the live files; a path listed live twice fails the test.
inline std::set<std::string> LivePaths(ObjectStore* store, const iceberg::TableMetadata& m) {
  std::set<std::string> live;
  for (const auto& e : CurrentEntries(store, m)) {
    if (!e.is_live()) continue;
    EXPECT_TRUE(live.insert(e.data_file.file_path).second)
        << "listed live twice: " << e.data_file.file_path;
  }
  return live;
}

// Checks the chain from the current snapshot back: parents exist, sequence numbers drop by one
// per step down to 1, the snapshot log lists the chain in order. Returns its length.
inline size_t CheckLinearLineage(const iceberg::TableMetadata& m) {
  std::vector<int64_t> chain;
  const iceberg::Snapshot* s = m.CurrentSnapshot();
  while (s != nullptr) {
    chain.push_back(s->snapshot_id);
    if (!s->parent_snapshot_id) break;
    const iceberg::Snapshot* parent = m.SnapshotById(*s->parent_snapshot_id);
    EXPECT_NE(parent, nullptr) << "missing parent of " << s->snapshot_id;
    if (parent == nullptr) break;
    EXPECT_EQ(parent->sequence_number + 1, s->sequence_number);
    s = parent;
  }
  EXPECT_EQ(chain.size(), m.snapshots.size());
  if (!chain.empty()) {
    EXPECT_EQ(m.SnapshotById(chain.back())->sequence_number, 1);
    EXPECT_EQ(m.last_sequence_number, static_cast<int64_t>(chain.size()));
  }
  EXPECT_EQ(m.snapshot_log.size(), chain.size());
  for (size_t i = 0; i < m.snapshot_log.size() && i < chain.size(); ++i) {
    EXPECT_EQ(m.snapshot_log[i].snapshot_id, chain[chain.size() - 1 - i]);
  }
  return chain.size();
}

// Every manifest list and manifest under the table's metadata folder is referenced by a snapshot
// of `m`, and every metadata file is `current` or in the metadata log: failed attempts left
// nothing behind.
inline void ExpectNoLeftovers(ObjectStore* store, const iceberg::TableMetadata& m,
                              const std::string& current) {
  std::set<std::string> referenced{current};
  for (const auto& entry : m.metadata_log) referenced.insert(entry.metadata_file);
  for (const auto& s : m.snapshots) {
    referenced.insert(s.manifest_list);
    auto manifests = ReadManifestList(store, s);
    ASSERT_TRUE(manifests.ok()) << manifests.status().ToString();
    for (const auto& manifest : *manifests) referenced.insert(manifest.manifest_path);
  }
  auto objects = store->List(MetadataDirectory(m) + "/");
  ASSERT_TRUE(objects.ok()) << objects.status().ToString();
  for (const auto& o : *objects) EXPECT_EQ(referenced.count(o.location), 1u) << o.location;
}

inline std::string SummaryValue(const iceberg::Snapshot& s, const std::string& key) {
  auto it = s.summary.find(key);
  return it == s.summary.end() ? "<absent>" : it->second;
}

}  // namespace floe::testing
