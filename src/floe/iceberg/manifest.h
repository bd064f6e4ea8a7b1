#pragma once

// Manifest files (spec "Manifests"; FORMAT_NOTES §3, §4): Avro container files of
// `manifest_entry` records for one partition spec and one content type.
//
// Writing the manifest of an append (entries ADDED, sequence numbers left to inheritance):
//
//   ManifestWriterOptions options;
//   options.snapshot_id = new_snapshot_id;
//   FLOE_ASSIGN_OR_RETURN(auto writer, ManifestWriter::Make(out.get(), schema, spec, random,
//                                                           options));
//   for (const DataFile& f : files) FLOE_RETURN_IF_ERROR(writer->Add(f));
//   FLOE_ASSIGN_OR_RETURN(ManifestFile manifest, writer->Close());  // for the manifest list
//
// Reading one listed in a manifest list (ids and sequence numbers inherited from `manifest`):
//
//   FLOE_ASSIGN_OR_RETURN(auto reader, ManifestReader::Open(file.get(), &manifest));
//   ManifestEntry entry;
//   while (true) {
//     FLOE_ASSIGN_OR_RETURN(bool more, reader->Next(&entry));
//     if (!more) break;
//     if (entry.is_live()) ...
//   }

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "floe/avro/container.h"
#include "floe/avro/schema.h"
#include "floe/avro/value.h"
#include "floe/common/result.h"
#include "floe/iceberg/data_file.h"
#include "floe/iceberg/manifest_entry_decoder.h"
#include "floe/iceberg/partition_spec.h"
#include "floe/iceberg/types.h"
#include "floe/io/file.h"

namespace floe::iceberg {

// The v2 `manifest_entry` Avro schema as Java writes it, for a partition struct type (from
// PartitionSpec::PartitionType).
Result<avro::Schema> ManifestEntryAvroSchema(const Type& partition_type);

// The Avro schema (JSON) of an Iceberg primitive type, as Java maps it (spec Appendix A). Named
// types already in `defined` are referred to by name; new ones are added to it.
Result<avro::Json> AvroTypeJson(const Type& type, std::vector<std::string>* defined);
// A partition or bound value as an Avro datum of AvroTypeJson(value.type()), and back.
Result<avro::Value> LiteralToAvro(const Literal& value);
Result<Literal> LiteralFromAvro(const Type& type, const avro::Value& value);

struct ManifestWriterOptions {
  // Only 2 is written (floe's tables are v2).
  int format_version = 2;
  ManifestContent content = ManifestContent::kData;
  // The snapshot the manifest is written for: ADDED and DELETED entries get it, and it becomes
  // the ManifestFile's added_snapshot_id. Unset: ADDED entries leave it to inheritance.
  std::optional<int64_t> snapshot_id;
  // Recorded as the ManifestFile's manifest_path; default: the output stream's location.
  std::string manifest_path;
  avro::ContainerCodec codec = avro::ContainerCodec::kDeflate;
  int compression_level = 0;
};

class ManifestWriter {
 public:
  // Writes the header to `out` (not owned; must outlive the writer). Fails when the spec does not
  // fit the schema.
  static Result<std::unique_ptr<ManifestWriter>> Make(OutputStream* out, const Schema& schema,
                                                      const PartitionSpec& spec,
                                                      const avro::RandomSource& random,
                                                      ManifestWriterOptions options = {});

  // A new file: status ADDED, sequence numbers inherited from the commit.
  Status Add(const DataFile& file);
  // A new file whose data belongs to an older sequence number (compaction output).
  Status AddWithDataSequenceNumber(const DataFile& file, int64_t data_sequence_number);
  // A live file carried over from another manifest, with its original ids.
  Status Existing(const DataFile& file, int64_t snapshot_id, int64_t data_sequence_number,
                  int64_t file_sequence_number);
  // A file removed by this manifest's snapshot (requires options.snapshot_id).
  Status Delete(const DataFile& file, int64_t data_sequence_number, int64_t file_sequence_number);
  // Any entry. Checks the writer rules: EXISTING and DELETED entries carry both sequence numbers
  // and a snapshot id; the file's partition has one value per spec field; its content fits the
  // manifest's content.
  Status Append(const ManifestEntry& entry);

  // Finishes the file and closes `out`. The ManifestFile has the counts, partition summaries and
  // length; its sequence_number is kUnassignedSequenceNumber (set by the manifest list writer),
  // as is min_sequence_number when no live entry has an explicit data sequence number.
  Result<ManifestFile> Close();

  int64_t entries_written() const { return entries_written_; }

 private:
  ManifestWriter() = default;
  Status UpdateSummaries(const DataFile& file);

  OutputStream* out_ = nullptr;
  ManifestWriterOptions options_;
  PartitionSpec spec_;
  Type partition_type_;
  avro::Schema avro_schema_;
  std::unique_ptr<avro::ContainerWriter> writer_;
  ManifestFile result_;
  std::vector<std::optional<Literal>> lower_;
  std::vector<std::optional<Literal>> upper_;
  std::optional<int64_t> min_data_sequence_number_;
  int64_t entries_written_ = 0;
  bool closed_ = false;
};

struct ManifestReaderOptions {
  // The table schema and spec the manifest was written with; unset: parsed from the file's
  // "schema" and "partition-spec" header keys.
  std::optional<Schema> schema;
  std::optional<PartitionSpec> spec;
  // The columns whose metrics entries keep (the others' are skipped unread).
  ColumnStatsSelection column_stats;
  avro::ReaderOptions avro;  // limits (a reader_schema is ignored: entries are read by field id)
};

class ManifestReader {
 public:
  // Reads the header of `file` (not owned; must outlive the reader). With `manifest` (its record
  // in the manifest list), entries get inherited snapshot ids and sequence numbers; v1 manifests
  // get sequence number 0 either way.
  static Result<std::unique_ptr<ManifestReader>> Open(RandomAccessFile* file,
                                                      const ManifestFile* manifest = nullptr,
                                                      ManifestReaderOptions options = {});

  int format_version() const { return format_version_; }
  ManifestContent content() const { return content_; }
  const Schema& schema() const { return schema_; }
  const PartitionSpec& spec() const { return spec_; }
  const Type& partition_type() const { return partition_type_; }

  // The next entry: true, or false at the end of the file.
  Result<bool> Next(ManifestEntry* out);
  // Every remaining entry.
  Result<std::vector<ManifestEntry>> ReadAll();

 private:
  ManifestReader() = default;
  void Inherit(ManifestEntry* entry) const;

  RandomAccessFile* file_ = nullptr;
  std::unique_ptr<avro::ContainerReader> reader_;
  std::unique_ptr<ManifestEntryDecoder> decoder_;
  std::optional<ManifestFile> manifest_;
  int format_version_ = 1;
  ManifestContent content_ = ManifestContent::kData;
  Schema schema_;
  PartitionSpec spec_;
  Type partition_type_;
  int64_t entry_index_ = 0;
};

}  // namespace floe::iceberg
