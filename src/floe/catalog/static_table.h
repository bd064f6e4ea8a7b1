#pragma once

// The read-only path catalog: a table opened from its metadata file or its folder, outside any
// catalog (`floe scan --metadata FILE|DIR`), including tables copied away from where they were
// written.
//
//   FLOE_ASSIGN_OR_RETURN(StaticTable t, OpenStaticTable(store, "/data/tables/events"));
//   ScanOptions options;
//   options.resolve_path = t.resolver;
//   FLOE_ASSIGN_OR_RETURN(ScanPlan plan, PlanScan(t.metadata, store, options));
//
// Relocation: the metadata's "location" says where the table was written; every path in the
// metadata, manifest lists and manifests that starts with it is rewritten to the folder the
// table is found in now (the parent of its metadata/ folder). Paths are compared as written, so
// relative forms work too ("data/persistent/t/...", "./t", "file://data/t"). Other relative paths
// are taken relative to `base_dir`.

#include <string>
#include <string_view>

#include "floe/common/result.h"
#include "floe/iceberg/scan.h"
#include "floe/iceberg/table_metadata.h"
#include "floe/io/object_store.h"

namespace floe {

struct StaticTable {
  iceberg::TableMetadata metadata;
  std::string metadata_location;   // the file read
  std::string table_root;          // where the table is now (a location)
  iceberg::PathResolver resolver;  // written path → location to read
};

struct StaticTableOptions {
  // Relative paths (that do not start with the table's own location) are resolved against this
  // folder; empty: the current directory.
  std::string base_dir;
};

// Opens `path`: a metadata file ("*.metadata.json", gzipped or not), a table folder (with a
// metadata/ folder) or a metadata folder. In a folder, metadata/version-hint.text picks the
// version ("3" → v3.metadata.json or v3.gz.metadata.json; a file name or a name without
// ".metadata.json" also work); without a hint, the highest-numbered metadata file is read.
// kNotFound when there is no metadata; errors name the path.
Result<StaticTable> OpenStaticTable(ObjectStore* store, std::string_view path,
                                    const StaticTableOptions& options = {});

// The resolver for a table written at `written_location` (the metadata's "location") that now
// lives at `table_root`: see above.
iceberg::PathResolver MakeRelocatingResolver(std::string written_location, std::string table_root,
                                             std::string base_dir);

}  // namespace floe
