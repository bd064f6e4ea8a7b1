#include "floe/cli/collector_settings.h"

namespace floe::cli {

Result<ingest::CollectorOptions> CollectorOptionsFromSettings(const Settings& settings) {
  ingest::CollectorOptions o;
  constexpr int64_t kGiB = int64_t{1} << 30;
  o.state_dir = settings.GetOr(kStateDirSetting, "./floe-state");
  o.node_id = settings.GetOr(kNodeIdSetting, "");
  FLOE_ASSIGN_OR_RETURN(o.buffer_time_seconds,
                        settings.Int(kBufferTimeSetting, o.buffer_time_seconds, 1, 86400));
  FLOE_ASSIGN_OR_RETURN(o.buffer_size_bytes,
                        settings.Int(kBufferSizeSetting, o.buffer_size_bytes, 1024, kGiB));
  FLOE_ASSIGN_OR_RETURN(o.buffer_count_threshold,
                        settings.Int(kBufferCountSetting, o.buffer_count_threshold, 1, 100000000));
  std::string durability = settings.GetOr(kDurabilitySetting, "fsync");
  auto parsed = ingest::ParseDurability(durability);
  if (!parsed.ok()) {
    return Status::InvalidArgument(Settings::Describe(kDurabilitySetting) + " = \"" + durability +
                                   "\" (" + settings.SourceOf(kDurabilitySetting) +
                                   "): allowed values fsync, none");
  }
  o.durability = *parsed;
  FLOE_ASSIGN_OR_RETURN(
      o.max_buffered_bytes,
      settings.Int(kMaxBufferedBytesSetting, o.max_buffered_bytes, 1 << 20, int64_t{1} << 40));
  FLOE_ASSIGN_OR_RETURN(o.max_wal_bytes, settings.Int(kMaxWalBytesSetting, o.max_wal_bytes, 1 << 20,
                                                      int64_t{1} << 40));
  FLOE_ASSIGN_OR_RETURN(o.wal_segment_bytes, settings.Int(kWalSegmentBytesSetting,
                                                          o.wal_segment_bytes, 1 << 16, 4 * kGiB));
  FLOE_ASSIGN_OR_RETURN(int64_t window_ms,
                        settings.DurationMs(kDedupWindowSetting, o.dedup_window_seconds * 1000,
                                            1000, int64_t{7} * 86400 * 1000));
  o.dedup_window_seconds = window_ms / 1000;
  FLOE_ASSIGN_OR_RETURN(o.dedup_max_ids,
                        settings.Int(kDedupMaxIdsSetting, o.dedup_max_ids, 1, int64_t{1} << 32));
  FLOE_ASSIGN_OR_RETURN(int64_t threads, settings.Int(kIngestThreadsSetting, 2, 1, 64));
  o.parquet_threads = static_cast<int>(threads);
  if (o.max_buffered_bytes < o.buffer_size_bytes) {
    return Status::InvalidArgument(Settings::Describe(kMaxBufferedBytesSetting) + " = " +
                                   std::to_string(o.max_buffered_bytes) + " is below " +
                                   Settings::Describe(kBufferSizeSetting) + " = " +
                                   std::to_string(o.buffer_size_bytes) +
                                   ": a full buffer would be refused before it could flush");
  }
  o.background_flush = true;
  return o;
}

}  // namespace floe::cli
