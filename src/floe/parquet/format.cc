#include "floe/parquet/format.h"

#include <algorithm>
#include <type_traits>

namespace floe::parquet::format {

namespace {

using H = ThriftFieldHeader;
using R = ThriftReader;
using W = ThriftWriter;

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};

template <typename T>
constexpr ThriftType WireType() {
  if constexpr (std::is_same_v<T, bool>) {
    return ThriftType::kBoolTrue;
  } else if constexpr (std::is_same_v<T, int8_t>) {
    return ThriftType::kI8;
  } else if constexpr (std::is_same_v<T, int16_t>) {
    return ThriftType::kI16;
  } else if constexpr (std::is_same_v<T, int32_t> || std::is_enum_v<T>) {
    return ThriftType::kI32;
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return ThriftType::kI64;
  } else if constexpr (std::is_same_v<T, std::string>) {
    return ThriftType::kBinary;
  } else if constexpr (IsVector<T>::value) {
    return ThriftType::kList;
  } else {
    return ThriftType::kStruct;
  }
}

// ---- reading ----

template <typename T>
Status ReadValue(R* r, std::string_view name, T* out) {
  if constexpr (std::is_same_v<T, bool>) {
    return r->ReadBoolElement(out);
  } else if constexpr (std::is_same_v<T, int8_t>) {
    return r->ReadI8(out);
  } else if constexpr (std::is_same_v<T, int16_t>) {
    return r->ReadI16(out);
  } else if constexpr (std::is_same_v<T, int32_t>) {
    return r->ReadI32(out);
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return r->ReadI64(out);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return r->ReadBinary(out);
  } else if constexpr (std::is_same_v<T, PhysicalType>) {
    int32_t v;
    FLOE_RETURN_IF_ERROR(r->ReadI32(&v));
    if (v < 0 || v > static_cast<int32_t>(PhysicalType::kFixedLenByteArray)) {
      return r->Error(std::string(name) + ": unknown physical type " + std::to_string(v));
    }
    *out = static_cast<PhysicalType>(v);
    return Status::OK();
  } else if constexpr (std::is_enum_v<T>) {
    int32_t v;
    FLOE_RETURN_IF_ERROR(r->ReadI32(&v));
    *out = static_cast<T>(v);
    return Status::OK();
  } else if constexpr (IsVector<T>::value) {
    using E = typename T::value_type;
    ThriftListHeader lh;
    FLOE_RETURN_IF_ERROR(r->ReadListHeader(&lh));
    FLOE_RETURN_IF_ERROR(r->ExpectListOf(lh, WireType<E>(), name));
    out->clear();
    // The size is bounded by the bytes left; the reservation is bounded further because an
    // element struct is much larger in memory than its smallest encoding.
    out->reserve(static_cast<size_t>(std::min<int64_t>(lh.size, 4096)));
    for (int64_t i = 0; i < lh.size; ++i) {
      E e{};
      FLOE_RETURN_IF_ERROR(ReadValue(r, name, &e));
      out->push_back(std::move(e));
    }
    return Status::OK();
  } else {
    return out->Deserialize(r);
  }
}

template <typename T>
Status ReadField(R* r, const H& h, std::string_view name, T* out) {
  if constexpr (IsOptional<T>::value) {
    typename T::value_type v{};
    FLOE_RETURN_IF_ERROR(ReadField(r, h, name, &v));
    *out = std::move(v);
    return Status::OK();
  } else {
    FLOE_RETURN_IF_ERROR(r->ExpectType(h, WireType<T>(), name));
    if constexpr (std::is_same_v<T, bool>) {
      *out = R::BoolFieldValue(h);
      return Status::OK();
    } else {
      return ReadValue(r, name, out);
    }
  }
}

// Reads the fields of one struct, calling `on_field(header)` for each; `on_field` reads the
// value or skips it. Records which field ids (< 64) were seen.
template <typename F>
Status ReadStruct(R* r, uint64_t* seen, F&& on_field) {
  FLOE_RETURN_IF_ERROR(r->StructBegin());
  while (true) {
    H h;
    FLOE_RETURN_IF_ERROR(r->ReadFieldHeader(&h));
    if (h.type == ThriftType::kStop) break;
    FLOE_RETURN_IF_ERROR(on_field(h));
    if (h.id >= 0 && h.id < 64) *seen |= uint64_t{1} << h.id;
  }
  r->StructEnd();
  return Status::OK();
}

Status Require(R* r, uint64_t seen, int id, std::string_view strct, std::string_view field) {
  if (seen & (uint64_t{1} << id)) return Status::OK();
  return r->Error(std::string(strct) + ": required field " + std::string(field) + " (" +
                  std::to_string(id) + ") missing");
}

// ---- writing ----

template <typename T>
void WriteValue(W* w, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    w->WriteBool(v);
  } else if constexpr (std::is_same_v<T, int32_t>) {
    w->WriteI32(v);
  } else if constexpr (std::is_same_v<T, int64_t>) {
    w->WriteI64(v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    w->WriteBinary(v);
  } else if constexpr (std::is_enum_v<T>) {
    w->WriteI32(static_cast<int32_t>(v));
  } else {
    v.Serialize(w);
  }
}

template <typename T>
void WriteField(W* w, int16_t id, const T& v) {
  if constexpr (IsOptional<T>::value) {
    if (v.has_value()) WriteField(w, id, *v);
  } else if constexpr (std::is_same_v<T, bool>) {
    w->WriteBoolField(id, v);
  } else if constexpr (std::is_same_v<T, int8_t>) {
    w->WriteI8Field(id, v);
  } else if constexpr (std::is_same_v<T, int16_t>) {
    w->WriteI16Field(id, v);
  } else if constexpr (std::is_same_v<T, int32_t>) {
    w->WriteI32Field(id, v);
  } else if constexpr (std::is_same_v<T, int64_t>) {
    w->WriteI64Field(id, v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    w->WriteBinaryField(id, v);
  } else if constexpr (std::is_enum_v<T>) {
    w->WriteI32Field(id, static_cast<int32_t>(v));
  } else if constexpr (IsVector<T>::value) {
    w->WriteListField(id, WireType<typename T::value_type>(), v.size());
    for (const auto& e : v) WriteValue(w, e);
  } else {
    w->WriteStructFieldHeader(id);
    v.Serialize(w);
  }
}

void WriteEmptyStructField(W* w, int16_t id) {
  w->WriteStructFieldHeader(id);
  w->StructBegin();
  w->StructEnd();
}

}  // namespace

// ---- LogicalType ----

LogicalType LogicalType::Decimal(int32_t scale, int32_t precision) {
  LogicalType t = Of(Kind::kDecimal);
  t.scale = scale;
  t.precision = precision;
  return t;
}

LogicalType LogicalType::Time(bool utc, TimeUnit unit) {
  LogicalType t = Of(Kind::kTime);
  t.is_adjusted_to_utc = utc;
  t.unit = unit;
  return t;
}

LogicalType LogicalType::Timestamp(bool utc, TimeUnit unit) {
  LogicalType t = Of(Kind::kTimestamp);
  t.is_adjusted_to_utc = utc;
  t.unit = unit;
  return t;
}

LogicalType LogicalType::Integer(int8_t bit_width, bool is_signed) {
  LogicalType t = Of(Kind::kInteger);
  t.bit_width = bit_width;
  t.is_signed = is_signed;
  return t;
}

void LogicalType::Serialize(W* w) const {
  w->StructBegin();
  auto id = static_cast<int16_t>(kind);
  switch (kind) {
    case Kind::kDecimal:
      w->WriteStructFieldHeader(id);
      w->StructBegin();
      w->WriteI32Field(1, scale);
      w->WriteI32Field(2, precision);
      w->StructEnd();
      break;
    case Kind::kTime:
    case Kind::kTimestamp:
      w->WriteStructFieldHeader(id);
      w->StructBegin();
      w->WriteBoolField(1, is_adjusted_to_utc);
      w->WriteStructFieldHeader(2);
      w->StructBegin();
      WriteEmptyStructField(w, unit == TimeUnit::kMillis ? 1 : unit == TimeUnit::kMicros ? 2 : 3);
      w->StructEnd();
      w->StructEnd();
      break;
    case Kind::kInteger:
      w->WriteStructFieldHeader(id);
      w->StructBegin();
      w->WriteI8Field(1, bit_width);
      w->WriteBoolField(2, is_signed);
      w->StructEnd();
      break;
    default: WriteEmptyStructField(w, id); break;
  }
  w->StructEnd();
}

namespace {

Status ReadTimeUnit(R* r, TimeUnit* unit) {
  int16_t which = 0;
  uint64_t seen = 0;
  FLOE_RETURN_IF_ERROR(ReadStruct(r, &seen, [&](const H& h) -> Status {
    if (which != 0) return r->Error("TimeUnit union has more than one field set");
    which = h.id;
    FLOE_RETURN_IF_ERROR(r->ExpectType(h, ThriftType::kStruct, "TimeUnit"));
    return r->Skip(h.type);
  }));
  switch (which) {
    case 1: *unit = TimeUnit::kMillis; return Status::OK();
    case 2: *unit = TimeUnit::kMicros; return Status::OK();
    case 3: *unit = TimeUnit::kNanos; return Status::OK();
    default: return r->Error("TimeUnit union has unknown field " + std::to_string(which));
  }
}

}  // namespace

Status LogicalType::Deserialize(R* r) {
  int16_t which = 0;
  uint64_t seen = 0;
  FLOE_RETURN_IF_ERROR(ReadStruct(r, &seen, [&](const H& h) -> Status {
    if (which != 0) return r->Error("LogicalType union has more than one field set");
    which = h.id;
    FLOE_RETURN_IF_ERROR(r->ExpectType(h, ThriftType::kStruct, "LogicalType"));
    kind = static_cast<Kind>(h.id);
    uint64_t inner = 0;
    switch (kind) {
      case Kind::kDecimal:
        FLOE_RETURN_IF_ERROR(ReadStruct(r, &inner, [&](const H& f) -> Status {
          if (f.id == 1) return ReadField(r, f, "DecimalType.scale", &scale);
          if (f.id == 2) return ReadField(r, f, "DecimalType.precision", &precision);
          return r->Skip(f.type);
        }));
        FLOE_RETURN_IF_ERROR(Require(r, inner, 1, "DecimalType", "scale"));
        return Require(r, inner, 2, "DecimalType", "precision");
      case Kind::kTime:
      case Kind::kTimestamp:
        FLOE_RETURN_IF_ERROR(ReadStruct(r, &inner, [&](const H& f) -> Status {
          if (f.id == 1) return ReadField(r, f, "isAdjustedToUTC", &is_adjusted_to_utc);
          if (f.id == 2) {
            FLOE_RETURN_IF_ERROR(r->ExpectType(f, ThriftType::kStruct, "unit"));
            return ReadTimeUnit(r, &unit);
          }
          return r->Skip(f.type);
        }));
        FLOE_RETURN_IF_ERROR(Require(r, inner, 1, "TimeType", "isAdjustedToUTC"));
        return Require(r, inner, 2, "TimeType", "unit");
      case Kind::kInteger:
        FLOE_RETURN_IF_ERROR(ReadStruct(r, &inner, [&](const H& f) -> Status {
          if (f.id == 1) return ReadField(r, f, "IntType.bitWidth", &bit_width);
          if (f.id == 2) return ReadField(r, f, "IntType.isSigned", &is_signed);
          return r->Skip(f.type);
        }));
        FLOE_RETURN_IF_ERROR(Require(r, inner, 1, "IntType", "bitWidth"));
        return Require(r, inner, 2, "IntType", "isSigned");
      default: return r->Skip(h.type);
    }
  }));
  if (which == 0) return r->Error("LogicalType union has no field set");
  return Status::OK();
}

// ---- SchemaElement ----

void SchemaElement::Serialize(W* w) const {
  w->StructBegin();
  WriteField(w, 1, type);
  WriteField(w, 2, type_length);
  WriteField(w, 3, repetition_type);
  WriteField(w, 4, name);
  WriteField(w, 5, num_children);
  WriteField(w, 6, converted_type);
  WriteField(w, 7, scale);
  WriteField(w, 8, precision);
  WriteField(w, 9, field_id);
  WriteField(w, 10, logical_type);
  w->StructEnd();
}

Status SchemaElement::Deserialize(R* r) {
  uint64_t seen = 0;
  FLOE_RETURN_IF_ERROR(ReadStruct(r, &seen, [&](const H& h) -> Status {
    switch (h.id) {
      case 1: return ReadField(r, h, "SchemaElement.type", &type);
      case 2: return ReadField(r, h, "SchemaElement.type_length", &type_length);
      case 3: return ReadField(r, h, "SchemaElement.repetition_type", &repetition_type);
      case 4: return ReadField(r, h, "SchemaElement.name", &name);
      case 5: return ReadField(r, h, "SchemaElement.num_children", &num_children);
      case 6: return ReadField(r, h, "SchemaElement.converted_type", &converted_type);
      case 7: return ReadField(r, h, "SchemaElement.scale", &scale);
      case 8: return ReadField(r, h, "SchemaElement.precision", &precision);
      case 9: return ReadField(r, h, "SchemaElement.field_id", &field_id);
      case 10: return ReadField(r, h, "SchemaElement.logicalType", &logical_type);
      default: return r->Skip(h.type);
    }
  }));
  return Require(r, seen, 4, "SchemaElement", "name");
}

// ---- Statistics ----

void Statistics::Serialize(W* w) const {
  w->StructBegin();
  WriteField(w, 1, max);
  WriteField(w, 2, min);
  WriteField(w, 3, null_count);
  WriteField(w, 4, distinct_count);
  WriteField(w, 5, max_value);
  WriteField(w, 6, min_value);
  WriteField(w, 7, is_max_value_exact);
  WriteField(w, 8, is_min_value_exact);
  WriteField(w, 9, nan_count);
  w->StructEnd();
}

Status Statistics::Deserialize(R* r) {
  uint64_t seen = 0;
  return ReadStruct(r, &seen, [&](const H& h) -> Status {
    switch (h.id) {
      case 1: return ReadField(r, h, "Statistics.max", &max);
      case 2: return ReadField(r, h, "Statistics.min", &min);
      case 3: return ReadField(r, h, "Statistics.null_count", &null_count);
      case 4: return ReadField(r, h, "Statistics.distinct_count", &distinct_count);
      case 5: return ReadField(r, h, "Statistics.max_value", &max_value);
      case 6: return ReadField(r, h, "Statistics.min_value", &min_value);
      case 7: return ReadField(r, h, "Statistics.is_max_value_exact", &is_max_value_exact);
      case 8: return ReadField(r, h, "Statistics.is_min_value_exact", &is_min_value_exact);
      case 9: return ReadField(r, h, "Statistics.nan_count", &nan_count);
      default: return r->Skip(h.type);
    }
  });
}

// ---- KeyValue ----

void KeyValue::Serialize(W* w) const {
  w->StructBegin();
  WriteField(w, 1, key);
  WriteField(w, 2, value);
  w->StructEnd();
}

Status KeyValue::Deserialize(R* r) {
  uint64_t seen = 0;
  FLOE_RETURN_IF_ERROR(ReadStruct(r, &seen, [&](const H& h) -> Status {
    switch (h.id) {
      case 1: return ReadField(r, h, "KeyValue.key", &key);
      case 2: return ReadField(r, h, "KeyValue.value", &value);
      default: return r->Skip(h.type);
    }
  }));
  return Require(r, seen, 1, "KeyValue", "key");
}

// ---- PageEncodingStats ----

void PageEncodingStats::Serialize(W* w) const {
  w->StructBegin();
  WriteField(w, 1, page_type);
  WriteField(w, 2, encoding);
  WriteField(w, 3, count);
  w->StructEnd();
}

Status PageEncodingStats::Deserialize(R* r) {
  uint64_t seen = 0;
  FLOE_RETURN_IF_ERROR(ReadStruct(r, &seen, [&](const H& h) -> Status {
    switch (h.id) {
      case 1: return ReadField(r, h, "PageEncodingStats.page_type", &page_type);
      case 2: return ReadField(r, h, "PageEncodingStats.encoding", &encoding);
      case 3: return ReadField(r, h, "PageEncodingStats.count", &count);
      default: return r->Skip(h.type);
    }
  }));
  FLOE_RETURN_IF_ERROR(Require(r, seen, 1, "PageEncodingStats", "page_type"));
  FLOE_RETURN_IF_ERROR(Require(r, seen, 2, "PageEncodingStats", "encoding"));
  return Require(r, seen, 3, "PageEncodingStats", "count");
}

// ---- SortingColumn ----

void SortingColumn::Serialize(W* w) const {
  w->StructBegin();
  WriteField(w, 1, column_idx);
  WriteField(w, 2, descending);
  WriteField(w, 3, nulls_first);
  w->StructEnd();
}

Status SortingColumn::Deserialize(R* r) {
  uint64_t seen = 0;
  FLOE_RETURN_IF_ERROR(ReadStruct(r, &seen, [&](const H& h) -> Status {
    switch (h.id) {
      case 1: return ReadField(r, h, "SortingColumn.column_idx", &column_idx);
      case 2: return ReadField(r, h, "SortingColumn.descending", &descending);
      case 3: return ReadField(r, h, "SortingColumn.nulls_first", &nulls_first);
      default: return r->Skip(h.type);
    }
  }));
  FLOE_RETURN_IF_ERROR(Require(r, seen, 1, "SortingColumn", "column_idx"));
  FLOE_RETURN_IF_ERROR(Require(r, seen, 2, "SortingColumn", "descending"));
  return Require(r, seen, 3, "SortingColumn", "nulls_first");
}

// ---- ColumnOrder ----

void ColumnOrder::Serialize(W* w) const {
  w->StructBegin();
  WriteEmptyStructField(w, kind);
  w->StructEnd();
}

Status ColumnOrder::Deserialize(R* r) {
  int16_t which = 0;
  uint64_t seen = 0;
  FLOE_RETURN_IF_ERROR(ReadStruct(r, &seen, [&](const H& h) -> Status {
    if (which != 0) return r->Error("ColumnOrder union has more than one field set");
    which = h.id;
    FLOE_RETURN_IF_ERROR(r->ExpectType(h, ThriftType::kStruct, "ColumnOrder"));
    return r->Skip(h.type);
  }));
  if (which == 0) return r->Error("ColumnOrder union has no field set");
  kind = which;
  return Status::OK();
}

// ---- ColumnMetaData ----

void ColumnMetaData::Serialize(W* w) const {
  w->StructBegin();
  WriteField(w, 1, type);
  WriteField(w, 2, encodings);
  WriteField(w, 3, path_in_schema);
  WriteField(w, 4, codec);
  WriteField(w, 5, num_values);
  WriteField(w, 6, total_uncompressed_size);
  WriteField(w, 7, total_compressed_size);
  WriteField(w, 8, key_value_metadata);
  WriteField(w, 9, data_page_offset);
  WriteField(w, 10, index_page_offset);
  WriteField(w, 11, dictionary_page_offset);
  WriteField(w, 12, statistics);
  WriteField(w, 13, encoding_stats);
  WriteField(w, 14, bloom_filter_offset);
  WriteField(w, 15, bloom_filter_length);
  w->StructEnd();
}

Status ColumnMetaData::Deserialize(R* r) {
  uint64_t seen = 0;
  FLOE_RETURN_IF_ERROR(ReadStruct(r, &seen, [&](const H& h) -> Status {
    switch (h.id) {
      case 1: return ReadField(r, h, "ColumnMetaData.type", &type);
      case 2: return ReadField(r, h, "ColumnMetaData.encodings", &encodings);
      case 3: return ReadField(r, h, "ColumnMetaData.path_in_schema", &path_in_schema);
      case 4: return ReadField(r, h, "ColumnMetaData.codec", &codec);
      case 5: return ReadField(r, h, "ColumnMetaData.num_values", &num_values);
      case 6:
        return ReadField(r, h, "ColumnMetaData.total_uncompressed_size", &total_uncompressed_size);
      case 7:
        return ReadField(r, h, "ColumnMetaData.total_compressed_size", &total_compressed_size);
      case 8: return ReadField(r, h, "ColumnMetaData.key_value_metadata", &key_value_metadata);
      case 9: return ReadField(r, h, "ColumnMetaData.data_page_offset", &data_page_offset);
      case 10: return ReadField(r, h, "ColumnMetaData.index_page_offset", &index_page_offset);
      case 11:
        return ReadField(r, h, "ColumnMetaData.dictionary_page_offset", &dictionary_page_offset);
      case 12: return ReadField(r, h, "ColumnMetaData.statistics", &statistics);
      case 13: return ReadField(r, h, "ColumnMetaData.encoding_stats", &encoding_stats);
      case 14: return ReadField(r, h, "ColumnMetaData.bloom_filter_offset", &bloom_filter_offset);
      case 15: return ReadField(r, h, "ColumnMetaData.bloom_filter_length", &bloom_filter_length);
      default: return r->Skip(h.type);
    }
  }));
  static constexpr std::pair<int, const char*> kRequired[] = {{1, "type"},
                                                              {2, "encodings"},
                                                              {3, "path_in_schema"},
                                                              {4, "codec"},
                                                              {5, "num_values"},
                                                              {6, "total_uncompressed_size"},
                                                              {7, "total_compressed_size"},
                                                              {9, "data_page_offset"}};
  for (const auto& [id, name] : kRequired) {
    FLOE_RETURN_IF_ERROR(Require(r, seen, id, "ColumnMetaData", name));
  }
  return Status::OK();
}

// ---- ColumnChunk ----

void ColumnChunk::Serialize(W* w) const {
  w->StructBegin();
  WriteField(w, 1, file_path);
  WriteField(w, 2, file_offset);
  WriteField(w, 3, meta_data);
  WriteField(w, 4, offset_index_offset);
  WriteField(w, 5, offset_index_length);
  WriteField(w, 6, column_index_offset);
  WriteField(w, 7, column_index_length);
  w->StructEnd();
}

Status ColumnChunk::Deserialize(R* r) {
  uint64_t seen = 0;
  FLOE_RETURN_IF_ERROR(ReadStruct(r, &seen, [&](const H& h) -> Status {
    switch (h.id) {
      case 1: return ReadField(r, h, "ColumnChunk.file_path", &file_path);
      case 2: return ReadField(r, h, "ColumnChunk.file_offset", &file_offset);
      case 3: return ReadField(r, h, "ColumnChunk.meta_data", &meta_data);
      case 4: return ReadField(r, h, "ColumnChunk.offset_index_offset", &offset_index_offset);
      case 5: return ReadField(r, h, "ColumnChunk.offset_index_length", &offset_index_length);
      case 6: return ReadField(r, h, "ColumnChunk.column_index_offset", &column_index_offset);
      case 7: return ReadField(r, h, "ColumnChunk.column_index_length", &column_index_length);
      default: return r->Skip(h.type);
    }
  }));
  // file_offset is required by the IDL but some writers omit it; nothing relies on it.
  return Status::OK();
}

// ---- RowGroup ----

void RowGroup::Serialize(W* w) const {
  w->StructBegin();
  WriteField(w, 1, columns);
  WriteField(w, 2, total_byte_size);
  WriteField(w, 3, num_rows);
  WriteField(w, 4, sorting_columns);
  WriteField(w, 5, file_offset);
  WriteField(w, 6, total_compressed_size);
  WriteField(w, 7, ordinal);
  w->StructEnd();
}

Status RowGroup::Deserialize(R* r) {
  uint64_t seen = 0;
  FLOE_RETURN_IF_ERROR(ReadStruct(r, &seen, [&](const H& h) -> Status {
    switch (h.id) {
      case 1: return ReadField(r, h, "RowGroup.columns", &columns);
      case 2: return ReadField(r, h, "RowGroup.total_byte_size", &total_byte_size);
      case 3: return ReadField(r, h, "RowGroup.num_rows", &num_rows);
      case 4: return ReadField(r, h, "RowGroup.sorting_columns", &sorting_columns);
      case 5: return ReadField(r, h, "RowGroup.file_offset", &file_offset);
      case 6: return ReadField(r, h, "RowGroup.total_compressed_size", &total_compressed_size);
      case 7: return ReadField(r, h, "RowGroup.ordinal", &ordinal);
      default: return r->Skip(h.type);
    }
  }));
  FLOE_RETURN_IF_ERROR(Require(r, seen, 1, "RowGroup", "columns"));
  FLOE_RETURN_IF_ERROR(Require(r, seen, 2, "RowGroup", "total_byte_size"));
  return Require(r, seen, 3, "RowGroup", "num_rows");
}

// ---- FileMetaData ----

void FileMetaData::Serialize(W* w) const {
  w->StructBegin();
  WriteField(w, 1, version);
  WriteField(w, 2, schema);
  WriteField(w, 3, num_rows);
  WriteField(w, 4, row_groups);
  WriteField(w, 5, key_value_metadata);
  WriteField(w, 6, created_by);
  WriteField(w, 7, column_orders);
  w->StructEnd();
}

Status FileMetaData::Deserialize(R* r) {
  uint64_t seen = 0;
  FLOE_RETURN_IF_ERROR(ReadStruct(r, &seen, [&](const H& h) -> Status {
    switch (h.id) {
      case 1: return ReadField(r, h, "FileMetaData.version", &version);
      case 2: return ReadField(r, h, "FileMetaData.schema", &schema);
      case 3: return ReadField(r, h, "FileMetaData.num_rows", &num_rows);
      case 4: return ReadField(r, h, "FileMetaData.row_groups", &row_groups);
      case 5: return ReadField(r, h, "FileMetaData.key_value_metadata", &key_value_metadata);
      case 6: return ReadField(r, h, "FileMetaData.created_by", &created_by);
      case 7: return ReadField(r, h, "FileMetaData.column_orders", &column_orders);
      default: return r->Skip(h.type);
    }
  }));
  FLOE_RETURN_IF_ERROR(Require(r, seen, 1, "FileMetaData", "version"));
  FLOE_RETURN_IF_ERROR(Require(r, seen, 2, "FileMetaData", "schema"));
  FLOE_RETURN_IF_ERROR(Require(r, seen, 3, "FileMetaData", "num_rows"));
  return Require(r, seen, 4, "FileMetaData", "row_groups");
}

// ---- page headers ----

void DataPageHeader::Serialize(W* w) const {
  w->StructBegin();
  WriteField(w, 1, num_values);
  WriteField(w, 2, encoding);
  WriteField(w, 3, definition_level_encoding);
  WriteField(w, 4, repetition_level_encoding);
  WriteField(w, 5, statistics);
  w->StructEnd();
}

Status DataPageHeader::Deserialize(R* r) {
  uint64_t seen = 0;
  FLOE_RETURN_IF_ERROR(ReadStruct(r, &seen, [&](const H& h) -> Status {
    switch (h.id) {
      case 1: return ReadField(r, h, "DataPageHeader.num_values", &num_values);
      case 2: return ReadField(r, h, "DataPageHeader.encoding", &encoding);
      case 3:
        return ReadField(r, h, "DataPageHeader.definition_level_encoding",
                         &definition_level_encoding);
      case 4:
        return ReadField(r, h, "DataPageHeader.repetition_level_encoding",
                         &repetition_level_encoding);
      case 5: return ReadField(r, h, "DataPageHeader.statistics", &statistics);
      default: return r->Skip(h.type);
    }
  }));
  FLOE_RETURN_IF_ERROR(Require(r, seen, 1, "DataPageHeader", "num_values"));
  FLOE_RETURN_IF_ERROR(Require(r, seen, 2, "DataPageHeader", "encoding"));
  FLOE_RETURN_IF_ERROR(Require(r, seen, 3, "DataPageHeader", "definition_level_encoding"));
  return Require(r, seen, 4, "DataPageHeader", "repetition_level_encoding");
}

void DataPageHeaderV2::Serialize(W* w) const {
  w->StructBegin();
  WriteField(w, 1, num_values);
  WriteField(w, 2, num_nulls);
  WriteField(w, 3, num_rows);
  WriteField(w, 4, encoding);
  WriteField(w, 5, definition_levels_byte_length);
  WriteField(w, 6, repetition_levels_byte_length);
  WriteField(w, 7, is_compressed);
  WriteField(w, 8, statistics);
  w->StructEnd();
}

Status DataPageHeaderV2::Deserialize(R* r) {
  uint64_t seen = 0;
  FLOE_RETURN_IF_ERROR(ReadStruct(r, &seen, [&](const H& h) -> Status {
    switch (h.id) {
      case 1: return ReadField(r, h, "DataPageHeaderV2.num_values", &num_values);
      case 2: return ReadField(r, h, "DataPageHeaderV2.num_nulls", &num_nulls);
      case 3: return ReadField(r, h, "DataPageHeaderV2.num_rows", &num_rows);
      case 4: return ReadField(r, h, "DataPageHeaderV2.encoding", &encoding);
      case 5:
        return ReadField(r, h, "DataPageHeaderV2.definition_levels_byte_length",
                         &definition_levels_byte_length);
      case 6:
        return ReadField(r, h, "DataPageHeaderV2.repetition_levels_byte_length",
                         &repetition_levels_byte_length);
      case 7: return ReadField(r, h, "DataPageHeaderV2.is_compressed", &is_compressed);
      case 8: return ReadField(r, h, "DataPageHeaderV2.statistics", &statistics);
      default: return r->Skip(h.type);
    }
  }));
  static constexpr std::pair<int, const char*> kRequired[] = {{1, "num_values"},
                                                              {2, "num_nulls"},
                                                              {3, "num_rows"},
                                                              {4, "encoding"},
                                                              {5, "definition_levels_byte_length"},
                                                              {6, "repetition_levels_byte_length"}};
  for (const auto& [id, name] : kRequired) {
    FLOE_RETURN_IF_ERROR(Require(r, seen, id, "DataPageHeaderV2", name));
  }
  return Status::OK();
}

void DictionaryPageHeader::Serialize(W* w) const {
  w->StructBegin();
  WriteField(w, 1, num_values);
  WriteField(w, 2, encoding);
  WriteField(w, 3, is_sorted);
  w->StructEnd();
}

Status DictionaryPageHeader::Deserialize(R* r) {
  uint64_t seen = 0;
  FLOE_RETURN_IF_ERROR(ReadStruct(r, &seen, [&](const H& h) -> Status {
    switch (h.id) {
      case 1: return ReadField(r, h, "DictionaryPageHeader.num_values", &num_values);
      case 2: return ReadField(r, h, "DictionaryPageHeader.encoding", &encoding);
      case 3: return ReadField(r, h, "DictionaryPageHeader.is_sorted", &is_sorted);
      default: return r->Skip(h.type);
    }
  }));
  FLOE_RETURN_IF_ERROR(Require(r, seen, 1, "DictionaryPageHeader", "num_values"));
  return Require(r, seen, 2, "DictionaryPageHeader", "encoding");
}

void PageHeader::Serialize(W* w) const {
  w->StructBegin();
  WriteField(w, 1, type);
  WriteField(w, 2, uncompressed_page_size);
  WriteField(w, 3, compressed_page_size);
  WriteField(w, 4, crc);
  WriteField(w, 5, data_page_header);
  WriteField(w, 7, dictionary_page_header);
  WriteField(w, 8, data_page_header_v2);
  w->StructEnd();
}

Status PageHeader::Deserialize(R* r) {
  uint64_t seen = 0;
  FLOE_RETURN_IF_ERROR(ReadStruct(r, &seen, [&](const H& h) -> Status {
    switch (h.id) {
      case 1: return ReadField(r, h, "PageHeader.type", &type);
      case 2: return ReadField(r, h, "PageHeader.uncompressed_page_size", &uncompressed_page_size);
      case 3: return ReadField(r, h, "PageHeader.compressed_page_size", &compressed_page_size);
      case 4: return ReadField(r, h, "PageHeader.crc", &crc);
      case 5: return ReadField(r, h, "PageHeader.data_page_header", &data_page_header);
      case 7: return ReadField(r, h, "PageHeader.dictionary_page_header", &dictionary_page_header);
      case 8: return ReadField(r, h, "PageHeader.data_page_header_v2", &data_page_header_v2);
      default: return r->Skip(h.type);
    }
  }));
  FLOE_RETURN_IF_ERROR(Require(r, seen, 1, "PageHeader", "type"));
  FLOE_RETURN_IF_ERROR(Require(r, seen, 2, "PageHeader", "uncompressed_page_size"));
  return Require(r, seen, 3, "PageHeader", "compressed_page_size");
}

// ---- Parse entry points ----

#define FLOE_DEFINE_PARSE(T)                              \
  Result<T> T::Parse(ByteView data, size_t* bytes_read) { \
    return ParseStruct<T>(data, bytes_read, 0, #T);       \
  }
FLOE_DEFINE_PARSE(SchemaElement)
FLOE_DEFINE_PARSE(Statistics)
FLOE_DEFINE_PARSE(KeyValue)
FLOE_DEFINE_PARSE(PageEncodingStats)
FLOE_DEFINE_PARSE(SortingColumn)
FLOE_DEFINE_PARSE(ColumnOrder)
FLOE_DEFINE_PARSE(ColumnMetaData)
FLOE_DEFINE_PARSE(ColumnChunk)
FLOE_DEFINE_PARSE(RowGroup)
FLOE_DEFINE_PARSE(FileMetaData)
FLOE_DEFINE_PARSE(DataPageHeader)
FLOE_DEFINE_PARSE(DataPageHeaderV2)
FLOE_DEFINE_PARSE(DictionaryPageHeader)
#undef FLOE_DEFINE_PARSE

Result<PageHeader> PageHeader::Parse(ByteView data, size_t* bytes_read, int64_t base_offset) {
  return ParseStruct<PageHeader>(data, bytes_read, base_offset, "page header");
}

std::string PhysicalTypeName(PhysicalType type) {
  switch (type) {
    case PhysicalType::kBoolean: return "BOOLEAN";
    case PhysicalType::kInt32: return "INT32";
    case PhysicalType::kInt64: return "INT64";
    case PhysicalType::kInt96: return "INT96";
    case PhysicalType::kFloat: return "FLOAT";
    case PhysicalType::kDouble: return "DOUBLE";
    case PhysicalType::kByteArray: return "BYTE_ARRAY";
    case PhysicalType::kFixedLenByteArray: return "FIXED_LEN_BYTE_ARRAY";
  }
  return std::to_string(static_cast<int>(type));
}

std::string EncodingName(Encoding encoding) {
  switch (encoding) {
    case Encoding::kPlain: return "PLAIN";
    case Encoding::kPlainDictionary: return "PLAIN_DICTIONARY";
    case Encoding::kRle: return "RLE";
    case Encoding::kBitPacked: return "BIT_PACKED";
    case Encoding::kDeltaBinaryPacked: return "DELTA_BINARY_PACKED";
    case Encoding::kDeltaLengthByteArray: return "DELTA_LENGTH_BYTE_ARRAY";
    case Encoding::kDeltaByteArray: return "DELTA_BYTE_ARRAY";
    case Encoding::kRleDictionary: return "RLE_DICTIONARY";
    case Encoding::kByteStreamSplit: return "BYTE_STREAM_SPLIT";
  }
  return std::to_string(static_cast<int32_t>(encoding));
}

std::string CodecName(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::kUncompressed: return "UNCOMPRESSED";
    case CompressionCodec::kSnappy: return "SNAPPY";
    case CompressionCodec::kGzip: return "GZIP";
    case CompressionCodec::kLzo: return "LZO";
    case CompressionCodec::kBrotli: return "BROTLI";
    case CompressionCodec::kLz4: return "LZ4";
    case CompressionCodec::kZstd: return "ZSTD";
    case CompressionCodec::kLz4Raw: return "LZ4_RAW";
  }
  return std::to_string(static_cast<int32_t>(codec));
}

}  // namespace floe::parquet::format
