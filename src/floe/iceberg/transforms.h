#pragma once

// Partition transforms (spec "Partition Transforms", Appendix B; FORMAT_NOTES §6): parsing their
// names, result types, applying them to values, and the human/path text of partition values.

#include <cstdint>
#include <string>
#include <string_view>

#include "floe/common/result.h"
#include "floe/iceberg/types.h"
#include "floe/iceberg/values.h"

namespace floe::iceberg {

enum class TransformKind {
  kIdentity,
  kBucket,
  kTruncate,
  kYear,
  kMonth,
  kDay,
  kHour,
  kVoid,
  kUnknown,  // a transform floe does not know: kept by name, never applied
};

class Transform {
 public:
  Transform() = default;
  static Transform Identity() { return Transform(TransformKind::kIdentity, 0); }
  static Transform Bucket(int32_t n) { return Transform(TransformKind::kBucket, n); }
  static Transform Truncate(int32_t width) { return Transform(TransformKind::kTruncate, width); }
  static Transform Year() { return Transform(TransformKind::kYear, 0); }
  static Transform Month() { return Transform(TransformKind::kMonth, 0); }
  static Transform Day() { return Transform(TransformKind::kDay, 0); }
  static Transform Hour() { return Transform(TransformKind::kHour, 0); }
  static Transform Void() { return Transform(TransformKind::kVoid, 0); }

  // "identity", "bucket[16]", "truncate[4]", "year", "month", "day", "hour", "void". An unknown
  // name parses to kUnknown (readers must tolerate them); a malformed bucket/truncate is an error.
  static Result<Transform> Parse(std::string_view text);

  TransformKind kind() const { return kind_; }
  // N of bucket[N], W of truncate[W]; 0 otherwise.
  int32_t param() const { return param_; }
  std::string ToString() const;

  // Whether the transform applies to a source column of `type`.
  bool CanTransform(const Type& source) const;
  // The type of the transform's values (day → date; year/month/hour/bucket → int; identity,
  // truncate and void keep the source type).
  Result<Type> ResultType(const Type& source) const;
  // The partition value of `value` (null maps to null; void maps everything to null).
  Result<Literal> Apply(const Literal& value) const;

  // Whether values of this transform keep the order of their source values (for pruning).
  bool PreservesOrder() const;

  // The default partition field name Java gives (`ts_day`, `id_bucket`, `name_trunc`, `x_null`;
  // identity keeps the source name).
  std::string DefaultFieldName(std::string_view source_name) const;

  // The value as Java's Transform.toHumanString prints it for a value of the transform's result
  // type (`result` from ResultType): "2026-01-01" (day), "2026-01-01-05" (hour), "2026-01"
  // (month), "2026" (year), identity values in their ISO/plain form, binary as base64, null as
  // "null".
  std::string ToHumanString(const Literal& result) const;
  // The inverse of ToHumanString for a value of `result_type`.
  Result<Literal> ParseHumanString(const Type& result_type, std::string_view text) const;

  friend bool operator==(const Transform& a, const Transform& b) {
    return a.kind_ == b.kind_ && a.param_ == b.param_ && a.unknown_name_ == b.unknown_name_;
  }

 private:
  Transform(TransformKind kind, int32_t param) : kind_(kind), param_(param) {}

  TransformKind kind_ = TransformKind::kIdentity;
  int32_t param_ = 0;
  std::string unknown_name_;
};

// Iceberg's 32-bit bucket hash of a non-null value (spec Appendix B): ints, longs, dates, times
// and timestamps as 8-byte little-endian longs; strings as UTF-8; binary and fixed as is; uuids
// as 16 big-endian bytes; decimals as minimal big-endian two's-complement unscaled bytes.
Result<int32_t> BucketHash(const Literal& value);

// URL-encoding as Java's URLEncoder (UTF-8): letters, digits and ".-*_" stay, space becomes
// '+', everything else %XX. And the decoding back.
std::string UrlEncode(std::string_view text);
Result<std::string> UrlDecode(std::string_view text);

}  // namespace floe::iceberg
