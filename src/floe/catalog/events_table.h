#pragma once

// The default events table of DESIGN.md ("The events table"): its schema, partition spec
// day(timestamp), sort order (type, timestamp) and properties. `floe serve` and `floe ingest`
// create it as `analytics.events` when it does not exist.

#include <string>

#include "floe/catalog/catalog.h"
#include "floe/catalog/table.h"
#include "floe/iceberg/types.h"

namespace floe {

// Field ids 1..10 in DESIGN.md's order.
iceberg::Schema EventsTableSchema();

// Schema, spec, sort order and properties (format v2, zstd Parquet) at `location`.
CreateTableRequest EventsTableRequest(std::string location);

// analytics.events
TableIdentifier DefaultEventsTableId();

}  // namespace floe
