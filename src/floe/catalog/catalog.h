#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/common/result.h"
#include "floe/iceberg/table_metadata.h"

namespace floe {

// A namespace is a path of levels, e.g. {"analytics"} or {"org", "team"}. Levels are non-empty
// and contain no '.', because the SQL catalog stores them joined with '.'.
using Namespace = std::vector<std::string>;

// "a.b" for {"a", "b"}.
std::string NamespaceToString(const Namespace& ns);
// Splits "a.b" into {"a", "b"}; empty levels are kInvalidArgument.
Result<Namespace> ParseNamespace(std::string_view text);

struct TableIdentifier {
  Namespace ns;
  std::string name;

  // "ns1.ns2.name".
  std::string ToString() const;
  // "analytics.events" → {{"analytics"}, "events"}: the last level is the table name.
  static Result<TableIdentifier> Parse(std::string_view text);
  friend bool operator==(const TableIdentifier&, const TableIdentifier&) = default;
  friend auto operator<=>(const TableIdentifier&, const TableIdentifier&) = default;
};

// What the catalog stores for a table: pointers to metadata files, nothing parsed.
struct TablePointer {
  std::string metadata_location;
  std::optional<std::string> previous_metadata_location;
};

using NamespaceProperties = std::map<std::string, std::string>;

// Namespaces and the current metadata pointer of each table. Parsing table metadata is not the
// catalog's job; it swaps pointers atomically, which is what makes every Iceberg commit atomic.
//
// Errors: kNotFound (namespace or table missing), kAlreadyExists, kConflict (a lost
// compare-and-swap, or dropping a namespace that is not empty), kInvalidArgument (malformed
// names), kUnavailable (the database is busy or unreachable; retry), kCommitStateUnknown (the
// database went away during a commit: the commit may have landed), kIOError otherwise.
// Commits to one table from one process take turns: an attempt (reload the base if the catalog
// moved, build, compare-and-swap) holds its table's turn, so a writer whose attempts are slow to
// build (a compaction replacing hundreds of files) is not starved by one that commits back to back
// (ingest's flushes every few milliseconds), which would win every swap in between. Commits from
// other processes still race through the compare-and-swap.
class CommitTurns {
 public:
  std::unique_lock<std::mutex> Take(const TableIdentifier& id);

 private:
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<std::mutex>> tables_;  // guarded by mu_
};

// The metadata file a catalog object last committed for each table, kept parsed, so another Table
// of the same process (compaction's, after ingest's commit, and back) reloading the table finds it
// without reading and parsing the file again. Metadata files are written once under fresh names,
// so a location names one content.
class WrittenMetadata {
 public:
  void Remember(const TableIdentifier& id, const std::string& location,
                std::shared_ptr<const iceberg::TableMetadata> metadata);
  // nullptr unless `location` is the file last remembered for `id`.
  std::shared_ptr<const iceberg::TableMetadata> Find(const TableIdentifier& id,
                                                     const std::string& location) const;

  // The JSON of the table's snapshots as last written through this catalog object (by whichever
  // Table), taken for writing the next metadata file and given back afterwards; a writer that
  // finds it taken gets an empty one.
  iceberg::MetadataJsonCache TakeJsonCache(const TableIdentifier& id);
  void GiveBackJsonCache(const TableIdentifier& id, iceberg::MetadataJsonCache cache);

 private:
  struct Entry {
    std::string location;
    std::shared_ptr<const iceberg::TableMetadata> metadata;
    iceberg::MetadataJsonCache json_cache;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry> tables_;  // guarded by mu_
};

class Catalog {
 public:
  virtual ~Catalog() = default;

  // Shared by every Transaction committing through this catalog object.
  CommitTurns& commit_turns() { return commit_turns_; }
  // Filled by the commits made through this catalog object (Table, Transaction).
  WrittenMetadata& written_metadata() { return written_metadata_; }

  // The catalog name that partitions rows in a shared database (default "floe").
  virtual const std::string& name() const = 0;

  virtual Status CreateNamespace(const Namespace& ns, const NamespaceProperties& properties) = 0;
  // The namespaces directly below `parent` (all top-level ones for an empty parent), sorted.
  virtual Result<std::vector<Namespace>> ListNamespaces(const Namespace& parent) = 0;
  virtual Result<bool> NamespaceExists(const Namespace& ns) = 0;
  virtual Result<NamespaceProperties> LoadNamespaceProperties(const Namespace& ns) = 0;
  // Sets `updates` and removes `removals` in one transaction.
  virtual Status UpdateNamespaceProperties(const Namespace& ns, const NamespaceProperties& updates,
                                           const std::vector<std::string>& removals) = 0;
  // Fails with kConflict while the namespace holds tables or child namespaces.
  virtual Status DropNamespace(const Namespace& ns) = 0;

  // Adds a table whose metadata file is already written at `metadata_location`.
  virtual Status CreateTable(const TableIdentifier& id, const std::string& metadata_location) = 0;
  // Adds an existing table (metadata written elsewhere) under `id`; same rules as CreateTable.
  virtual Status RegisterTable(const TableIdentifier& id, const std::string& metadata_location) = 0;
  virtual Result<TablePointer> LoadTable(const TableIdentifier& id) = 0;
  // Tables directly in `ns`, sorted by name.
  virtual Result<std::vector<TableIdentifier>> ListTables(const Namespace& ns) = 0;
  virtual Result<bool> TableExists(const TableIdentifier& id) = 0;
  // Forgets the table; its files stay (purging is maintenance's job).
  virtual Status DropTable(const TableIdentifier& id) = 0;
  virtual Status RenameTable(const TableIdentifier& from, const TableIdentifier& to) = 0;

  // Compare-and-swap of the metadata pointer: succeeds only if the table's current pointer is
  // `expected_metadata_location`; otherwise kConflict naming the current pointer (reload, rebuild
  // the commit on it, retry). The old pointer becomes previous_metadata_location.
  virtual Status CommitTable(const TableIdentifier& id,
                             const std::string& expected_metadata_location,
                             const std::string& new_metadata_location) = 0;

 private:
  CommitTurns commit_turns_;
  WrittenMetadata written_metadata_;
};

}  // namespace floe
