#pragma once

// Evaluating bound filter expressions (expression.h):
//  - on rows (RowEvaluator), with SQL's three-valued logic;
//  - on a data file's column metrics ("might a row of this file match?"), from its bounds and
//    null, NaN and value counts (FileMightMatch);
//  - on partitions, after projecting the row filter through a spec's transforms into a filter on
//    partition values (ProjectToPartition), either on one file's partition tuple or on a
//    manifest's partition summaries (ManifestMightMatch).
// The "might match" checks are inclusive: they answer false only when no row can match.

#include <cstdint>
#include <optional>
#include <vector>

#include "floe/iceberg/data_file.h"
#include "floe/iceberg/expression.h"
#include "floe/iceberg/partition_spec.h"
#include "floe/iceberg/values.h"

namespace floe::iceberg {

enum class Tri { kFalse, kTrue, kUnknown };

// Three-way comparison of two non-null values of the same type (or of types whose values compare
// as integers, like a date and an int read for a day partition); nullopt when they do not compare.
std::optional<int> CompareValues(const Literal& a, const Literal& b);

class RowEvaluator {
 public:
  // `expr` must be bound. `field_ids[i]` is the field id of the value at position i of a row;
  // fields the expression reads that are not among them are null.
  RowEvaluator(const Expression& expr, const std::vector<int32_t>& field_ids);

  Tri Evaluate(const std::vector<Literal>& row) const { return Eval(expr_, row); }
  bool Matches(const std::vector<Literal>& row) const { return Evaluate(row) == Tri::kTrue; }

 private:
  Tri Eval(const Expression& e, const std::vector<Literal>& row) const;
  Expression expr_;  // predicates' field_id replaced by the row position (-1: absent)
};

// What is known about one column's values in a file (or one partition field in a manifest).
struct ColumnStats {
  std::optional<Literal> lower;  // ≤ every non-null, non-NaN value
  std::optional<Literal> upper;  // ≥ every non-null, non-NaN value
  bool may_contain_null = true;
  bool all_null = false;  // known: no non-null value at all
  bool may_contain_nan = true;
};

// The stats of `field_id` (of `type`) in a file's metrics. Missing counts mean "unknown".
ColumnStats StatsOfFile(const DataFile& file, int32_t field_id, const Type& type);

// Whether a row of `file` might match `expr` (bound; NOT nodes are rewritten internally).
bool FileMightMatch(const Expression& expr, const DataFile& file);

// The inclusive projection of a bound row filter onto the partition values of `spec`: a filter
// on partition field ids that is true for every partition holding a matching row. Predicates on
// columns the spec does not partition by, or that a transform cannot carry (< through a bucket),
// become TRUE.
Result<Expression> ProjectToPartition(const Expression& expr, const PartitionSpec& spec,
                                      const Schema& schema);

// Whether a file with partition tuple `partition` (spec order) might hold matching rows, for a
// projection from ProjectToPartition.
bool PartitionMightMatch(const Expression& projected, const PartitionSpec& spec,
                         const std::vector<Literal>& partition);

// Whether a manifest of `spec` might hold matching files, from its partition summaries.
// `partition_type` is spec.PartitionType(schema).
bool ManifestMightMatch(const Expression& projected, const PartitionSpec& spec,
                        const Type& partition_type, const ManifestFile& manifest);

}  // namespace floe::iceberg
