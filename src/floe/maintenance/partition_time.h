#pragma once

// The time a partition covers, for filters by age (compaction's olderThan/newerThan, retention's
// max age): [start, end) in microseconds since the epoch, from the first partition field that is
// a time transform (year, month, day, hour) or an identity of a date or timestamp column.
// Partitions without one have no time, and age filters never select them.

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "floe/iceberg/partition_spec.h"
#include "floe/iceberg/types.h"
#include "floe/iceberg/values.h"

namespace floe::maintenance {

std::optional<std::pair<int64_t, int64_t>> PartitionTimeRange(
    const iceberg::PartitionSpec& spec, const iceberg::Schema& schema,
    const std::vector<iceberg::Literal>& values);

}  // namespace floe::maintenance
