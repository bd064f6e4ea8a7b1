#include "floe/catalog/table.h"

#include <utility>

#include "floe/catalog/snapshot_producer.h"
#include "floe/catalog/transaction.h"
#include "floe/io/location.h"

namespace floe {

namespace {

Status CheckServices(const TableServices& services) {
  if (services.store == nullptr || services.catalog == nullptr || services.clock == nullptr) {
    return Status::InvalidArgument("table services need a store, a catalog and a clock");
  }
  return Status::OK();
}

uint64_t SeedOf(const TableServices& services) {
  if (services.seed) return *services.seed;
  std::random_device device;
  return (uint64_t{device()} << 32) ^ device();
}

}  // namespace

Result<std::shared_ptr<const iceberg::TableMetadata>> ReadTableMetadata(
    ObjectStore* store, Catalog* catalog, const TableIdentifier& id, const std::string& location) {
  if (auto written = catalog->written_metadata().Find(id, location)) return written;
  FLOE_ASSIGN_OR_RETURN(iceberg::TableMetadata metadata, ReadTableMetadata(store, location));
  return std::make_shared<const iceberg::TableMetadata>(std::move(metadata));
}

Table::Table(const TableServices& services, TableIdentifier id, uint64_t seed)
    : services_(services),
      id_(std::move(id)),
      metadata_(std::make_shared<const iceberg::TableMetadata>()),
      rng_(seed),
      uuids_(services.clock, seed ^ 0x9e37) {}

void Table::SetCurrent(std::shared_ptr<const iceberg::TableMetadata> metadata,
                       std::string location) {
  metadata_ = std::move(metadata);
  metadata_location_ = std::move(location);
}

Result<std::string> Table::Encode(const iceberg::TableMetadata& metadata, bool gzip) {
  WrittenMetadata& written = services_.catalog->written_metadata();
  iceberg::MetadataJsonCache cache = written.TakeJsonCache(id_);
  Result<std::string> bytes = iceberg::EncodeTableMetadataFile(metadata, gzip, &cache);
  written.GiveBackJsonCache(id_, std::move(cache));
  return bytes;
}

int64_t Table::NewSnapshotId() {
  // Positive and random, as Java makes them (never derived from time alone).
  while (true) {
    int64_t id = static_cast<int64_t>(rng_() & uint64_t{0x7fffffffffffffff});
    if (id != 0) return id;
  }
}

Result<std::unique_ptr<Table>> Table::Create(const TableServices& services,
                                             const TableIdentifier& id,
                                             const CreateTableRequest& request) {
  FLOE_RETURN_IF_ERROR(CheckServices(services));
  if (request.location.empty()) {
    return Status::InvalidArgument("create table " + id.ToString() + ": no location");
  }
  FLOE_ASSIGN_OR_RETURN(std::string location, NormalizeLocation(request.location));
  std::unique_ptr<Table> table(new Table(services, id, SeedOf(services)));

  iceberg::NewTableRequest new_table;
  new_table.location = location;
  new_table.schema = request.schema;
  new_table.spec = request.spec;
  new_table.sort_order = request.sort_order;
  new_table.properties = request.properties;
  new_table.table_uuid = table->NewUuid();
  new_table.now_ms = services.clock->NowMillis();
  Result<iceberg::TableMetadata> metadata = iceberg::NewTableMetadata(new_table);
  if (!metadata.ok()) return metadata.status().WithContext("create table " + id.ToString());

  const std::string metadata_location =
      JoinLocation(MetadataDirectory(*metadata), iceberg::MetadataFileName(0, table->NewUuid()));
  FLOE_ASSIGN_OR_RETURN(std::string bytes, table->Encode(*metadata, false));
  FLOE_RETURN_IF_ERROR(services.store->PutIfAbsent(metadata_location, bytes));
  Status created = services.catalog->CreateTable(id, metadata_location);
  if (!created.ok()) {
    // After an unknown outcome the catalog may point at the file: it must stay.
    if (created.kind() != ErrorKind::kCommitStateUnknown) {
      (void)services.store->Delete(metadata_location);
    }
    return created.WithContext("create table " + id.ToString());
  }
  auto created_metadata = std::make_shared<const iceberg::TableMetadata>(std::move(*metadata));
  services.catalog->written_metadata().Remember(id, metadata_location, created_metadata);
  table->SetCurrent(std::move(created_metadata), metadata_location);
  return table;
}

Result<std::unique_ptr<Table>> Table::Load(const TableServices& services,
                                           const TableIdentifier& id) {
  FLOE_RETURN_IF_ERROR(CheckServices(services));
  std::unique_ptr<Table> table(new Table(services, id, SeedOf(services)));
  FLOE_ASSIGN_OR_RETURN(TablePointer pointer, services.catalog->LoadTable(id));
  FLOE_ASSIGN_OR_RETURN(
      std::shared_ptr<const iceberg::TableMetadata> metadata,
      ReadTableMetadata(services.store, services.catalog, id, pointer.metadata_location));
  table->SetCurrent(std::move(metadata), pointer.metadata_location);
  return table;
}

Status Table::Refresh() {
  FLOE_ASSIGN_OR_RETURN(TablePointer pointer, services_.catalog->LoadTable(id_));
  if (pointer.metadata_location == metadata_location_) return Status::OK();
  FLOE_ASSIGN_OR_RETURN(
      std::shared_ptr<const iceberg::TableMetadata> metadata,
      ReadTableMetadata(services_.store, services_.catalog, id_, pointer.metadata_location));
  if (!metadata_->table_uuid.empty() && metadata->table_uuid != metadata_->table_uuid) {
    return Status::Conflict("table " + id_.ToString() + " changed uuid from " +
                            metadata_->table_uuid + " to " + metadata->table_uuid + " (at " +
                            pointer.metadata_location + ")");
  }
  SetCurrent(std::move(metadata), pointer.metadata_location);
  return Status::OK();
}

Transaction Table::NewTransaction() { return Transaction(this); }

}  // namespace floe
