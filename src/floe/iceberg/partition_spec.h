#pragma once

// Partition specs and sort orders (spec "Partitioning", "Sorting"; FORMAT_NOTES §1.5, §6), the
// partition struct type a spec gives over a schema, and partition paths.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "floe/common/result.h"
#include "floe/iceberg/transforms.h"
#include "floe/iceberg/types.h"
#include "floe/iceberg/values.h"

namespace floe::iceberg {

// Partition field ids start here (ids of unpartitioned tables' "last-partition-id" is 999).
constexpr int32_t kFirstPartitionFieldId = 1000;

struct PartitionField {
  int32_t source_id = 0;
  int32_t field_id = 0;
  std::string name;
  Transform transform;

  friend bool operator==(const PartitionField&, const PartitionField&) = default;
};

struct PartitionSpec {
  int32_t spec_id = 0;
  std::vector<PartitionField> fields;

  bool is_unpartitioned() const { return fields.empty(); }
  // The highest field id, or 999 when there is none.
  int32_t LastAssignedFieldId() const;

  // The struct of partition values: one optional field per partition field, with the partition
  // field's id and name and the transform's result type. Errors name the field that is broken
  // (missing source column, transform not applicable).
  Result<Type> PartitionType(const Schema& schema) const;

  // Checks that names are unique and non-empty, field ids unique, sources exist in `schema` and
  // accept their transforms (unknown transforms are allowed, as readers must tolerate them).
  Status Validate(const Schema& schema) const;

  friend bool operator==(const PartitionSpec&, const PartitionSpec&) = default;
};

// The partition values of one row: `source_values[i]` is the value of the source column of field
// i. Returns one literal per partition field.
Result<std::vector<Literal>> ComputePartition(const PartitionSpec& spec,
                                              const std::vector<Literal>& source_values);

// "ts_day=2026-01-01/id_bucket=7" as Java's PartitionSpec.partitionToPath writes it (names and
// values URL-encoded, null as "null"). `values` are the partition values (results of the
// transforms), one per field.
Result<std::string> PartitionPath(const PartitionSpec& spec, const std::vector<Literal>& values);

// Parses a partition path back into values of the partition type (`partition_type` from
// PartitionType). The names must be the spec's names in order.
Result<std::vector<Literal>> ParsePartitionPath(const PartitionSpec& spec,
                                                const Type& partition_type, std::string_view path);

enum class SortDirection { kAsc, kDesc };
enum class NullOrder { kNullsFirst, kNullsLast };

struct SortField {
  Transform transform;
  int32_t source_id = 0;
  SortDirection direction = SortDirection::kAsc;
  NullOrder null_order = NullOrder::kNullsFirst;

  friend bool operator==(const SortField&, const SortField&) = default;
};

struct SortOrder {
  int32_t order_id = 0;  // 0 is reserved for the unsorted order
  std::vector<SortField> fields;

  bool is_unsorted() const { return fields.empty(); }
  static SortOrder Unsorted() { return SortOrder{}; }

  friend bool operator==(const SortOrder&, const SortOrder&) = default;
};

}  // namespace floe::iceberg
