#pragma once

// Rewrites one FileGroup: verifies every input (footer, schema, row count against the manifest),
// streams the good ones row group by row group into new Parquet files named
// `compacted-<uuid>.parquet` in the partition's data folder, rolling at the target size. When the
// table has a sort order the inputs are sorted runs and are k-way merged by its leading identity
// fields; otherwise they are concatenated. Memory: the decoded row groups in flight, one output
// batch and the writer's buffered pages, each sized from CompactionOptions::memory_limit_bytes.
//
//   GroupRewriter rewriter(store, metadata, options, [&] { return table->NewUuid(); });
//   FLOE_ASSIGN_OR_RETURN(GroupRewrite done, rewriter.Rewrite(group));

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "floe/common/cpu_time.h"
#include "floe/common/result.h"
#include "floe/iceberg/data_file.h"
#include "floe/iceberg/table_metadata.h"
#include "floe/io/object_store.h"
#include "floe/maintenance/compaction_options.h"
#include "floe/maintenance/compaction_plan.h"
#include "floe/util/uuid.h"

namespace floe::maintenance {

// An input left out of its group.
struct InputProblem {
  std::string path;
  std::string reason;
  bool corrupt = true;  // quarantine it (false: readable but not usable here, e.g. its schema)
};

struct GroupRewrite {
  std::vector<iceberg::DataFile> outputs;
  std::vector<std::string> inputs_used;  // paths rewritten into the outputs
  std::vector<InputProblem> excluded;
  int64_t rows_in = 0;  // of inputs_used
  int64_t rows_out = 0;
  int64_t bytes_in = 0;
  int64_t bytes_out = 0;
  // Of the inputs' pages copied into the outputs as stored, not compressed again (columns with
  // large pages, e.g. event payloads; they are still decoded, for statistics and as a check).
  int64_t bytes_copied = 0;
  int64_t peak_memory_bytes = 0;  // decoded batches + output batch + writer buffers, at most
  bool sorted = false;            // every output is one sorted run
  std::string skipped_reason;     // set when too few usable inputs were left to rewrite
};

class GroupRewriter {
 public:
  using UuidSource = std::function<Uuid()>;
  // None is owned; all must outlive the rewriter.
  GroupRewriter(ObjectStore* store, const iceberg::TableMetadata& metadata,
                const CompactionOptions& options, UuidSource uuids);

  // A corrupt input found while verifying is left out and listed in `excluded`. A decode error
  // in the middle of the rewrite fails it with kCorrupt and `failed_input()` naming the file;
  // outputs written so far are deleted either way. `min_inputs`: when fewer usable inputs remain,
  // nothing is written and `skipped_reason` says why.
  Result<GroupRewrite> Rewrite(const FileGroup& group, size_t min_inputs = 2);

  // The CPU time of the threads a Rewrite starts (decoding ahead, the reader's and the writer's
  // column threads) is added to `tally` from now on; the calling thread's own is the caller's.
  void set_cpu_tally(CpuTally* tally) { cpu_tally_ = tally; }

  // The input whose data broke the last Rewrite (empty when the failure was elsewhere).
  const std::string& failed_input() const { return failed_input_; }

 private:
  ObjectStore* store_;
  const iceberg::TableMetadata& metadata_;
  CompactionOptions options_;
  UuidSource uuids_;
  std::string failed_input_;
  CpuTally* cpu_tally_ = nullptr;
};

// The folder a partition's new data files go to: `write.data.path` or `<location>/data`, plus the
// partition path.
std::string PartitionDataFolder(const iceberg::TableMetadata& metadata,
                                const std::string& partition_path);

}  // namespace floe::maintenance
