// libFuzzer target: an Avro object container file from untrusted bytes. Reading must fail
// cleanly or succeed; what is read must survive a schema and a value round trip.

#include <cstdint>
#include <cstdlib>
#include <string>

#include "floe/avro/binary.h"
#include "floe/avro/container.h"
#include "floe/avro/datum_reader.h"
#include "fuzz_check.h"

namespace {

using floe::fuzz::Check;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace floe::avro;
  floe::MemoryRandomAccessFile file("memory:fuzz.avro",
                                    std::string(reinterpret_cast<const char*>(data), size));
  ReaderOptions options;
  options.max_header_bytes = 1 << 20;
  options.max_block_bytes = 1 << 20;
  options.max_decompressed_block_bytes = 4 << 20;
  options.max_block_records = 1 << 16;
  auto reader = ContainerReader::Open(&file, options);
  if (!reader.ok()) return 0;
  const Schema& schema = (*reader)->writer_schema();

  // A schema written back parses to the same text.
  std::string text = schema.ToString();
  auto again = Schema::Parse(text);
  Check(again.ok());
  Check(again->ToString() == text);

  auto datum_reader = DatumReader::Make(schema);
  Check(datum_reader.ok());
  Value value;
  for (int i = 0; i < 100000; ++i) {
    auto more = (*reader)->Next(&value);
    if (!more.ok() || !*more) break;
    // What was read encodes, and decodes to the same value.
    floe::Buffer encoded;
    Check(EncodeValue(schema.root(), value, &encoded).ok());
    BinaryReader in(encoded.view());
    auto decoded = datum_reader->Read(&in);
    Check(decoded.ok());
    Check(in.at_end());
    Check(*decoded == value);
  }
  return 0;
}
