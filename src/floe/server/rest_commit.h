#pragma once

// The table commit of the Iceberg REST catalog (FORMAT_NOTES §9.2): a CommitTableRequest's
// requirements are checked against the current metadata and its updates applied in order,
// giving the next metadata. Writing it and swapping the catalog pointer is the caller's job.

#include <cstdint>
#include <string>

#include "floe/common/result.h"
#include "floe/iceberg/json_serde.h"
#include "floe/iceberg/table_metadata.h"

namespace floe::server {

// kConflict naming the first requirement the metadata fails (the client refreshes and retries:
// 409 CommitFailedException); kInvalidArgument for a malformed or unknown requirement. `base` is
// nullptr when the table does not exist (only assert-create holds then).
Status CheckRequirements(const iceberg::Json& requirements, const iceberg::TableMetadata* base);

// `base` with `updates` (the request's "updates" array) applied, last-updated-ms set and the old
// file appended to the metadata log (when `base_location` is not empty). kInvalidArgument names
// the update that is malformed, unknown or not applicable (a snapshot id used twice, a ref to a
// missing snapshot, a downgrade, ...). The result has passed TableMetadata::Validate().
Result<iceberg::TableMetadata> ApplyUpdates(const iceberg::Json& updates,
                                            const iceberg::TableMetadata& base,
                                            const std::string& base_location, int64_t now_ms);

// The metadata a create transaction (assert-create) starts from: nothing but a format version.
iceberg::TableMetadata EmptyTableMetadata();

}  // namespace floe::server
