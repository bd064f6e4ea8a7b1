#pragma once

// Decoding values, with schema resolution: data written with the writer schema is read as the
// reader schema.
//
// Record fields are matched by Iceberg field id where both fields have one, else by name (or a
// reader alias). Writer fields the reader lacks are skipped; reader fields the writer lacks take
// their default, or null when optional (a union with "null"); any other missing field fails
// Make(). Promotions: int → long/float/double, long → float/double, float → double,
// string ↔ bytes. Record, enum and fixed names are not compared (Iceberg writers name nested
// records after field ids, which differ between writers); fixed sizes must agree, enum symbols are
// matched by name.

#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "floe/avro/binary.h"
#include "floe/avro/schema.h"
#include "floe/avro/value.h"
#include "floe/common/result.h"

namespace floe::avro {

class DatumReader {
 public:
  // Reads data written with `writer` as `reader`.
  static Result<DatumReader> Make(const Schema& writer, const Schema& reader, int max_depth = 64);
  // Reads data as written.
  static Result<DatumReader> Make(const Schema& schema, int max_depth = 64) {
    return Make(schema, schema, max_depth);
  }

  // Decodes one value. Records of the result reference the reader schema.
  Result<Value> Read(BinaryReader* in) const;

  struct Plan;

 private:
  DatumReader() = default;
  std::shared_ptr<const std::vector<std::unique_ptr<Plan>>> plans_;
  const Plan* root_ = nullptr;
  int max_depth_ = 64;
};

// Decodes one value of `schema` (convenience for tests; builds a DatumReader each call).
Result<Value> DecodeValue(const Schema& schema, ByteView data);

}  // namespace floe::avro
