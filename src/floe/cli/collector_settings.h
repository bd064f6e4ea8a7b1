#pragma once

// The ingest settings `floe serve` and `floe ingest` share (docs/configuration.md, "Ingest"):
// buffer triggers under the seed's names, durability, WAL and dedup limits.

#include "floe/cli/settings.h"
#include "floe/common/result.h"
#include "floe/ingest/collector.h"

namespace floe::cli {

inline constexpr Setting kBufferTimeSetting{"buffer-time-seconds", "BUFFER_TIME_SECONDS",
                                            "ingest.buffer_time_seconds"};
inline constexpr Setting kBufferSizeSetting{"buffer-size-bytes", "BUFFER_SIZE_BYTES",
                                            "ingest.buffer_size_bytes"};
inline constexpr Setting kBufferCountSetting{"buffer-count-threshold", "BUFFER_COUNT_THRESHOLD",
                                             "ingest.buffer_count_threshold"};
inline constexpr Setting kDurabilitySetting{"durability", "FLOE_DURABILITY", "ingest.durability"};
inline constexpr Setting kMaxBufferedBytesSetting{"max-buffered-bytes", "FLOE_MAX_BUFFERED_BYTES",
                                                  "ingest.max_buffered_bytes"};
inline constexpr Setting kMaxWalBytesSetting{"max-wal-bytes", "FLOE_MAX_WAL_BYTES",
                                             "ingest.max_wal_bytes"};
inline constexpr Setting kWalSegmentBytesSetting{"wal-segment-bytes", "FLOE_WAL_SEGMENT_BYTES",
                                                 "ingest.wal_segment_bytes"};
inline constexpr Setting kDedupWindowSetting{"dedup-window", "FLOE_DEDUP_WINDOW",
                                             "ingest.dedup_window"};
inline constexpr Setting kDedupMaxIdsSetting{"dedup-max-ids", "FLOE_DEDUP_MAX_IDS",
                                             "ingest.dedup_max_ids"};
inline constexpr Setting kIngestThreadsSetting{"ingest-threads", "FLOE_INGEST_THREADS",
                                               "ingest.threads"};

// CollectorOptions from the settings (state folder and node id included), each checked against
// its range; errors name the setting and where its value came from. `background_flush` is on.
Result<ingest::CollectorOptions> CollectorOptionsFromSettings(const Settings& settings);

}  // namespace floe::cli
