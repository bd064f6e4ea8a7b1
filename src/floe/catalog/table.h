#pragma once

// An Iceberg table as floe commits to it: the identifier, where its files live (ObjectStore), who
// points at its current metadata (Catalog), and the metadata last loaded.
//
//   TableServices services{&store, &catalog, &clock};
//   FLOE_ASSIGN_OR_RETURN(auto table, Table::Load(services, id));
//   Transaction txn = table->NewTransaction();
//   txn.AppendFiles(files).SetSummary("floe.wal-position", "42");
//   FLOE_ASSIGN_OR_RETURN(CommitResult result, txn.Commit());

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "floe/catalog/catalog.h"
#include "floe/common/clock.h"
#include "floe/common/result.h"
#include "floe/iceberg/table_metadata.h"
#include "floe/io/object_store.h"
#include "floe/util/uuid.h"

namespace floe {

class Transaction;

// The metadata file at `location` of table `id`: the object `catalog` remembers committing there
// (nothing read), else read from `store` and parsed.
Result<std::shared_ptr<const iceberg::TableMetadata>> ReadTableMetadata(
    ObjectStore* store, Catalog* catalog, const TableIdentifier& id, const std::string& location);

// What a table works with; none is owned and all must outlive the table.
struct TableServices {
  ObjectStore* store = nullptr;
  Catalog* catalog = nullptr;
  const Clock* clock = nullptr;
  // Seeds snapshot ids and uuids (tests); unset: std::random_device.
  std::optional<uint64_t> seed;
};

struct CreateTableRequest {
  iceberg::Schema schema;
  iceberg::PartitionSpec spec;  // field ids may be 0 (assigned)
  iceberg::SortOrder sort_order;
  std::map<std::string, std::string> properties;
  // Base location of the table's files (with scheme), e.g. "file:///wh/analytics/events".
  std::string location;
};

// Not thread-safe: use one Table per thread (many may point at one catalog table; commits are
// compare-and-swaps in the catalog).
class Table {
 public:
  // Writes `<location>/metadata/00000-<uuid>.metadata.json` and registers it in the catalog.
  // kAlreadyExists when the catalog has the table (the metadata file is then removed).
  static Result<std::unique_ptr<Table>> Create(const TableServices& services,
                                               const TableIdentifier& id,
                                               const CreateTableRequest& request);
  // Reads the metadata the catalog points at.
  static Result<std::unique_ptr<Table>> Load(const TableServices& services,
                                             const TableIdentifier& id);

  // Reloads the current metadata from the catalog. A table whose uuid changed (dropped and
  // re-created under the same name) is kConflict.
  Status Refresh();

  // A transaction built on the metadata loaded now.
  Transaction NewTransaction();

  const TableIdentifier& identifier() const { return id_; }
  // Refers to the metadata loaded now: after a commit or Refresh, to the new one (a reference
  // taken before may then dangle).
  const iceberg::TableMetadata& metadata() const { return *metadata_; }
  const std::string& metadata_location() const { return metadata_location_; }
  const TableServices& services() const { return services_; }

  // Randomness for commits.
  int64_t NewSnapshotId();
  Uuid NewUuid() { return uuids_.NewV4(); }
  uint64_t NextRandom() { return rng_(); }

 private:
  friend class Transaction;
  Table(const TableServices& services, TableIdentifier id, uint64_t seed);
  // The bytes of metadata file `metadata` of this table, its snapshots' JSON reused from the
  // catalog object's last write of the table.
  Result<std::string> Encode(const iceberg::TableMetadata& metadata, bool gzip);
  void SetCurrent(std::shared_ptr<const iceberg::TableMetadata> metadata, std::string location);

  TableServices services_;
  TableIdentifier id_;
  // Shared with the transactions built on it, so starting one copies no snapshot list.
  std::shared_ptr<const iceberg::TableMetadata> metadata_;
  std::string metadata_location_;
  std::mt19937_64 rng_;
  UuidGenerator uuids_;
};

}  // namespace floe
