#include "floe/catalog/static_table.h"

#include <filesystem>

#include "floe/catalog/snapshot_producer.h"
#include "floe/io/location.h"

namespace floe {

namespace {

bool HasScheme(std::string_view p) {
  return p.find("://") != std::string_view::npos || p.rfind("file:", 0) == 0;
}

// "./t/" → "t"; "file://data/t" keeps its scheme (it is compared as written).
std::string Canonical(std::string_view p) {
  while (p.starts_with("./")) p.remove_prefix(2);
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  return std::string(p);
}

std::string CurrentDir() {
  std::error_code ec;
  std::filesystem::path cwd = std::filesystem::current_path(ec);
  return ec ? std::string("/") : cwd.string();
}

// A location for `path` as written: absolute locations as they are, relative ones below `base`.
Result<std::string> LocationOf(std::string_view path, const std::string& base) {
  if (path.rfind("file://", 0) == 0 && path.size() > 7 && path[7] != '/') {
    // "file://data/t" (a relative path dressed as a URI, as some writers produce).
    path.remove_prefix(7);
  } else if (HasScheme(path) || path.starts_with("/")) {
    return NormalizeLocation(path);
  }
  std::string b = base.empty() ? CurrentDir() : base;
  return LocationFromLocalPath((std::filesystem::path(b) / std::string(path)).string());
}

std::string Basename(std::string_view location) {
  size_t slash = location.rfind('/');
  return std::string(slash == std::string_view::npos ? location : location.substr(slash + 1));
}

std::string Parent(std::string_view location) {
  size_t slash = location.rfind('/');
  return std::string(slash == std::string_view::npos ? location : location.substr(0, slash));
}

bool IsMetadataFileName(std::string_view name) {
  return name.ends_with(".metadata.json") || name.ends_with(".metadata.json.gz");
}

// The metadata file a folder of metadata files names as current.
Result<std::string> PickMetadataFile(ObjectStore* store, const std::string& metadata_dir) {
  FLOE_ASSIGN_OR_RETURN(std::vector<ObjectInfo> objects, store->List(metadata_dir + "/"));
  std::vector<std::string> names;
  for (const ObjectInfo& o : objects) {
    if (Parent(o.location) == metadata_dir) names.push_back(Basename(o.location));
  }
  auto has = [&](const std::string& n) {
    for (const std::string& x : names) {
      if (x == n) return true;
    }
    return false;
  };
  if (has("version-hint.text")) {
    FLOE_ASSIGN_OR_RETURN(std::string hint, store->Get(metadata_dir + "/version-hint.text"));
    while (!hint.empty() && std::isspace(static_cast<unsigned char>(hint.back()))) hint.pop_back();
    while (!hint.empty() && std::isspace(static_cast<unsigned char>(hint.front())))
      hint.erase(0, 1);
    std::vector<std::string> candidates = {hint, "v" + hint + ".metadata.json",
                                           "v" + hint + ".gz.metadata.json",
                                           hint + ".metadata.json", hint + ".gz.metadata.json"};
    for (const std::string& c : candidates) {
      if (!hint.empty() && IsMetadataFileName(c) && has(c)) return metadata_dir + "/" + c;
    }
    // A hint naming nothing present falls through to the highest version.
  }
  std::string best;
  int64_t best_version = -1;
  for (const std::string& n : names) {
    if (!IsMetadataFileName(n)) continue;
    int64_t v = iceberg::ParseMetadataFileVersion(n).value_or(-1);
    if (v > best_version || (v == best_version && n > best)) {
      best_version = v;
      best = n;
    }
  }
  if (best.empty()) return Status::NotFound("no table metadata file in " + metadata_dir);
  return metadata_dir + "/" + best;
}

}  // namespace

iceberg::PathResolver MakeRelocatingResolver(std::string written_location, std::string table_root,
                                             std::string base_dir) {
  std::string from = Canonical(written_location);
  return [from, table_root, base_dir](std::string_view path) -> Result<std::string> {
    std::string p = Canonical(path);
    if (!from.empty() && p.size() > from.size() && p.compare(0, from.size(), from) == 0 &&
        p[from.size()] == '/') {
      return NormalizeLocation(table_root + p.substr(from.size()));
    }
    if (p == from) return table_root;
    return LocationOf(path, base_dir);
  };
}

Result<StaticTable> OpenStaticTable(ObjectStore* store, std::string_view path,
                                    const StaticTableOptions& options) {
  FLOE_ASSIGN_OR_RETURN(std::string location, LocationOf(path, options.base_dir));
  std::string metadata_file;
  if (IsMetadataFileName(Basename(location))) {
    metadata_file = location;
  } else {
    // A folder: the table's (with metadata/ inside) or the metadata folder itself.
    FLOE_ASSIGN_OR_RETURN(std::vector<ObjectInfo> inside, store->List(location + "/metadata/"));
    std::string dir = inside.empty() ? location : location + "/metadata";
    auto picked = PickMetadataFile(store, dir);
    if (!picked.ok()) {
      return Status::NotFound("no table metadata under " + std::string(path) +
                              " (looked for metadata/version-hint.text and *.metadata.json)");
    }
    metadata_file = *picked;
  }
  StaticTable table;
  FLOE_ASSIGN_OR_RETURN(table.metadata, ReadTableMetadata(store, metadata_file));
  table.metadata_location = metadata_file;
  std::string dir = Parent(metadata_file);
  table.table_root = Basename(dir) == "metadata" ? Parent(dir) : dir;
  std::string base = options.base_dir.empty() ? CurrentDir() : options.base_dir;
  table.resolver = MakeRelocatingResolver(table.metadata.location, table.table_root, base);
  return table;
}

}  // namespace floe
