#pragma once

// Manifest lists (spec "Manifest Lists"; FORMAT_NOTES §2): one Avro file of `manifest_file`
// records per snapshot (attempt).
//
//   ManifestListWriterOptions options{snapshot_id, parent_id, sequence_number};
//   FLOE_ASSIGN_OR_RETURN(auto writer, ManifestListWriter::Make(out.get(), random, options));
//   FLOE_RETURN_IF_ERROR(writer->Add(new_manifest));     // sequence number assigned here
//   for (const ManifestFile& m : parent_manifests) FLOE_RETURN_IF_ERROR(writer->Add(m));
//   FLOE_RETURN_IF_ERROR(writer->Close());
//
//   FLOE_ASSIGN_OR_RETURN(auto reader, ManifestListReader::Open(file.get()));
//   FLOE_ASSIGN_OR_RETURN(std::vector<ManifestFile> manifests, reader->ReadAll());

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "floe/avro/container.h"
#include "floe/avro/schema.h"
#include "floe/common/result.h"
#include "floe/iceberg/data_file.h"
#include "floe/io/file.h"

namespace floe::iceberg {

// The v2 `manifest_file` Avro schema as Java writes it (no v3 first_row_id). With
// `for_reading`, the fields v1 lists lack or leave null are optional.
Result<avro::Schema> ManifestFileAvroSchema(bool for_reading = false);

struct ManifestListWriterOptions {
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_snapshot_id;
  int64_t sequence_number = 0;
  int format_version = 2;  // only 2 is written
  avro::ContainerCodec codec = avro::ContainerCodec::kDeflate;
  int compression_level = 0;
};

class ManifestListWriter {
 public:
  // Writes the header (snapshot-id, parent-snapshot-id, sequence-number, format-version) to
  // `out` (not owned; must outlive the writer).
  static Result<std::unique_ptr<ManifestListWriter>> Make(OutputStream* out,
                                                          const avro::RandomSource& random,
                                                          ManifestListWriterOptions options);

  // One manifest. A manifest written for this snapshot (sequence_number unassigned) gets the
  // snapshot's sequence number, and its min_sequence_number too when unassigned; its
  // added_snapshot_id must then be this snapshot's (or unset, -1: it gets it). v2 counts must be
  // known.
  Status Add(const ManifestFile& manifest);
  Status Close();

  int64_t manifests_written() const { return written_; }

 private:
  ManifestListWriter() = default;
  OutputStream* out_ = nullptr;
  ManifestListWriterOptions options_;
  avro::Schema schema_;
  std::unique_ptr<avro::ContainerWriter> writer_;
  int64_t written_ = 0;
};

class ManifestListReader {
 public:
  // Reads the header of `file` (not owned; must outlive the reader).
  static Result<std::unique_ptr<ManifestListReader>> Open(RandomAccessFile* file,
                                                          avro::ReaderOptions options = {});

  // From the "format-version" header key; 1 when absent and the file has no sequence numbers.
  int format_version() const { return format_version_; }
  std::optional<int64_t> snapshot_id() const { return snapshot_id_; }
  std::optional<int64_t> parent_snapshot_id() const { return parent_snapshot_id_; }
  std::optional<int64_t> sequence_number() const { return sequence_number_; }

  // The next record: true, or false at the end. v1 records get sequence numbers 0 and content
  // data; counts a v1 list left null stay unset.
  Result<bool> Next(ManifestFile* out);
  Result<std::vector<ManifestFile>> ReadAll();

 private:
  ManifestListReader() = default;
  RandomAccessFile* file_ = nullptr;
  std::unique_ptr<avro::ContainerReader> reader_;
  int format_version_ = 1;
  std::optional<int64_t> snapshot_id_;
  std::optional<int64_t> parent_snapshot_id_;
  std::optional<int64_t> sequence_number_;
  int64_t index_ = 0;
};

}  // namespace floe::iceberg
