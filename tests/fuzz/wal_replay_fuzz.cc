// libFuzzer target: a write-ahead log segment from untrusted bytes (a disk error, a torn write, a
// reused segment's older records). Replay must never crash and never fail on the bytes alone: it
// hands out records with consecutive LSNs from the segment's first, cuts the segment after the
// last of them, and a second open replays exactly the same records, with nothing left to cut;
// the log then goes on from the next LSN.
//
// The input is the segment file whole (the seeds in corpus/wal_replay start with the magic
// "FLOEWAL1" and hold valid records). Each input gets a folder of its own under one scratch
// folder made at the first input.

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "floe/common/clock.h"
#include "floe/common/logger.h"
#include "floe/ingest/wal.h"
#include "fuzz_check.h"

namespace {

using floe::fuzz::Check;
using floe::ingest::Wal;
using floe::ingest::WalEntry;
using floe::ingest::WalOptions;
using floe::ingest::WalRecord;

struct Record {
  uint64_t lsn;
  int64_t received_at;
  std::string table, id, json;
  bool operator==(const Record&) const = default;
};

const std::string& Scratch() {
  static const std::string dir = [] {
    std::string templ = (std::filesystem::temp_directory_path() / "floe-wal-fuzz-XXXXXX").string();
    Check(::mkdtemp(templ.data()) != nullptr);
    return templ;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string dir = Scratch() + "/wal";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string segment = dir + "/wal-00000000000000000001.log";
  std::ofstream(segment, std::ios::binary)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));

  floe::SystemClock clock;
  bool torn = false;
  floe::Logger logger(&clock, floe::LogLevel::kDebug, [&](std::string_view line) {
    if (line.find("wal.torn_tail") != std::string_view::npos) torn = true;
  });
  WalOptions options;
  options.dir = dir;
  options.durability = floe::ingest::Durability::kNone;
  options.max_record_bytes = 1 << 20;

  auto open = [&](std::vector<Record>* out) {
    out->clear();
    return Wal::Open(options, &logger, [&](const WalRecord& r) {
      out->push_back({r.lsn, r.entry.received_at_micros, std::string(r.entry.table),
                      std::string(r.entry.event_id), std::string(r.entry.json)});
      return floe::Status::OK();
    });
  };

  std::vector<Record> first;
  {
    auto wal = open(&first);
    Check(wal.ok());
    for (size_t i = 0; i < first.size(); ++i) Check(first[i].lsn == i + 1);
    Check((*wal)->next_lsn() == first.size() + 1);
    // What replay kept is what is left of the file.
    Check(std::filesystem::file_size(segment) == static_cast<uintmax_t>(
                                                     (*wal)->segments().front().size_bytes));
    const std::string json = "{\"after\":true}";
    std::vector<WalEntry> one = {{7, "t.t", "id", json}};
    auto lsn = (*wal)->Write(one);
    Check(lsn.ok() && *lsn == first.size() + 1);
  }

  // Reopened: the same records, then the one written after, and no tail left to cut.
  torn = false;
  std::vector<Record> second;
  {
    auto wal = open(&second);
    Check(wal.ok());
    Check(!torn);
    Check(second.size() == first.size() + 1);
    for (size_t i = 0; i < first.size(); ++i) Check(second[i] == first[i]);
    Check(second.back().lsn == first.size() + 1 && second.back().json == "{\"after\":true}");
  }
  return 0;
}
