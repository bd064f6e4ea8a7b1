#include "floe/catalog/events_table.h"

namespace floe {

using iceberg::NestedField;
using iceberg::Type;
using iceberg::TypeId;

iceberg::Schema EventsTableSchema() {
  auto field = [](int32_t id, const char* name, bool required, TypeId type) {
    NestedField f;
    f.id = id;
    f.name = name;
    f.required = required;
    f.type = Type::Primitive(type);
    return f;
  };
  return iceberg::Schema(0, {
                                field(1, "event_id", true, TypeId::kString),
                                field(2, "timestamp", true, TypeId::kTimestampTz),
                                field(3, "type", true, TypeId::kString),
                                field(4, "source", true, TypeId::kString),
                                field(5, "subject", false, TypeId::kString),
                                field(6, "user_id", false, TypeId::kString),
                                field(7, "session_id", false, TypeId::kString),
                                field(8, "data", false, TypeId::kString),
                                field(9, "extensions", false, TypeId::kString),
                                field(10, "received_at", true, TypeId::kTimestampTz),
                            });
}

CreateTableRequest EventsTableRequest(std::string location) {
  CreateTableRequest request;
  request.schema = EventsTableSchema();
  request.spec.fields.push_back(
      iceberg::PartitionField{2, 0, "timestamp_day", iceberg::Transform::Day()});
  request.sort_order.order_id = 1;
  request.sort_order.fields.push_back(iceberg::SortField{iceberg::Transform::Identity(), 3});
  request.sort_order.fields.push_back(iceberg::SortField{iceberg::Transform::Identity(), 2});
  request.properties = {
      {"write.format.default", "parquet"},
      {"write.parquet.compression-codec", "zstd"},
  };
  request.location = std::move(location);
  return request;
}

TableIdentifier DefaultEventsTableId() { return TableIdentifier{{"analytics"}, "events"}; }

}  // namespace floe
