#pragma once

// Decodes manifest entries from their Avro encoding straight into ManifestEntry, without
// generic Avro values: planning reads every entry of every manifest, and building a value tree
// per entry (one allocation per metric) cost more than everything else.
//
// The writer's `manifest_entry` schema is resolved once, the way the generic reader resolves it
// against ManifestEntryAvroSchema: fields by Iceberg field id (by name when the writer gave
// none), unknown fields skipped, fields the writer lacks left at their defaults (content 0,
// optional fields unset, maps empty), int read as long, string and bytes as each other,
// optional (`["null", T]`) or plain types alike. Partition values are matched by partition
// field id and converted by LiteralFromAvro.
//
//   FLOE_ASSIGN_OR_RETURN(auto decoder, ManifestEntryDecoder::Make(container->writer_schema(),
//                                                                 partition_type));
//   ManifestEntry entry;
//   decoder->set_output(&entry);
//   FLOE_ASSIGN_OR_RETURN(bool more, container->Next(decoder.get()));

#include <cstdint>
#include <memory>
#include <vector>

#include "floe/avro/binary.h"
#include "floe/avro/container.h"
#include "floe/avro/schema.h"
#include "floe/common/result.h"
#include "floe/iceberg/data_file.h"
#include "floe/iceberg/types.h"

namespace floe::iceberg {

// The columns whose metrics (sizes, value/null/NaN counts, bounds) a reader keeps; the others
// are skipped without being decoded. A scan needs the bounds of the columns its filter names
// only; listing files needs none.
class ColumnStatsSelection {
 public:
  // Every column (the default).
  ColumnStatsSelection() = default;
  static ColumnStatsSelection All() { return {}; }
  static ColumnStatsSelection None() { return Only({}); }
  static ColumnStatsSelection Only(std::vector<int32_t> field_ids);

  bool all() const { return all_; }
  bool none() const { return !all_ && field_ids_.empty(); }
  bool Keeps(int32_t field_id) const;

 private:
  bool all_ = true;
  std::vector<int32_t> field_ids_;  // sorted
};

class ManifestEntryDecoder final : public avro::RecordDecoder {
 public:
  // Plans decoding records written as `writer` (a manifest_entry schema) for a manifest whose
  // partition struct is `partition_type`. Fails (kInvalidArgument) when a field floe reads has
  // a type it cannot be read as, or a required field is missing.
  static Result<std::unique_ptr<ManifestEntryDecoder>> Make(
      const avro::Schema& writer, const Type& partition_type,
      ColumnStatsSelection stats = ColumnStatsSelection::All());
  ~ManifestEntryDecoder() override;

  // The entry Decode() fills (every field is set: those the writer lacks to their defaults).
  void set_output(ManifestEntry* out) { out_ = out; }
  Status Decode(avro::BinaryReader* in) override;

  struct Step;

 private:
  ManifestEntryDecoder() = default;
  Status DecodeDataFile(avro::BinaryReader* in, DataFile* f);
  Status DecodePartition(const Step& step, avro::BinaryReader* in, std::vector<Literal>* out);

  avro::Schema writer_;  // keeps the nodes the steps point to alive
  Type partition_type_;
  ColumnStatsSelection stats_;
  std::vector<Step> entry_steps_;
  std::vector<Step> data_file_steps_;
  ManifestEntry* out_ = nullptr;
};

}  // namespace floe::iceberg
