#pragma once

// Between floe's Iceberg-style Schema, Parquet's flattened list of SchemaElements, and the leaf
// columns (with levels and paths) that pages are written and read by.

#include <vector>

#include "floe/common/result.h"
#include "floe/parquet/format.h"
#include "floe/parquet/types.h"

namespace floe::parquet {

// Nesting limits: deeper schemas are rejected (they only come from corrupt or hostile files).
constexpr int kMaxSchemaDepth = 64;

struct FileSchema {
  std::vector<format::SchemaElement> elements;  // depth-first, root ("table") first
  std::vector<LeafColumn> leaves;               // depth-first leaf order
};

// Iceberg schema -> Parquet schema, as Iceberg's Java writer lays it out: root "table", field ids
// on every Iceberg field, 3-level lists ("list"/"element") and maps ("key_value"/"key"/"value"),
// logical and converted types per FORMAT_NOTES 7.1. kInvalidArgument names the offending field
// (empty names, wrong child counts, decimal precision outside 1..38, fixed length < 1, ...).
Result<FileSchema> BuildFileSchema(const Schema& schema);

// The leaf columns of any file's schema (the reader's view): levels from repetition, `type`
// inferred from the logical type, else the converted type, else the physical type; field_id -1
// when absent. Legacy 2-level lists need no special case: levels follow the schema as written.
// kCorrupt naming the element index on: a root that is not a group, num_children running past the
// list, elements left over, empty names, primitives without a type, FLBA without a length,
// nesting deeper than kMaxSchemaDepth.
Result<std::vector<LeafColumn>> LeafColumnsFromElements(
    const std::vector<format::SchemaElement>& elements);

// Bytes needed to hold any unscaled decimal of `precision` digits in two's complement.
int32_t DecimalBytesForPrecision(int32_t precision);

}  // namespace floe::parquet
