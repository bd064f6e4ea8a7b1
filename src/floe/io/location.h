#pragma once

#include <string>
#include <string_view>

#include "floe/common/result.h"

namespace floe {

// A storage location split into its parts. `path` always starts with '/' and is normalised:
// no empty or "." segments, no trailing slash (except the root "/"). ".." segments are rejected
// when parsing, so a location can never climb out of the folder it names.
struct Location {
  std::string scheme;     // lower case: "file" or "s3" ("s3a"/"s3n" are folded into "s3")
  std::string authority;  // the bucket for s3; always empty for file
  std::string path;

  // The canonical text: "file:///a/b", "s3://bucket/key".
  std::string ToString() const;
  friend bool operator==(const Location&, const Location&) = default;
};

// Parses "file:///abs", "file:/abs", "file://localhost/abs", a bare absolute path "/abs",
// "s3://bucket/key" (also s3a://, s3n://). Relative paths and ".." segments are kInvalidArgument,
// as is a file location naming another host.
Result<Location> ParseLocation(std::string_view text);

// The canonical text of a location, so two spellings of the same object compare equal
// ("file:/x/", "file:///x" and "/x" all give "file:///x").
Result<std::string> NormalizeLocation(std::string_view text);

// Like NormalizeLocation, but keeps one trailing slash when `prefix` has one: listing prefixes
// "a/b/" (inside folder b) and "a/b" (also "a/bc") differ.
Result<std::string> NormalizeLocationPrefix(std::string_view prefix);

// "file:///abs/path" for a local path; a relative path is made absolute against the current
// directory first.
Result<std::string> LocationFromLocalPath(std::string_view path);

// `base` + "/" + `relative`, with no doubled slash; `relative` must not start with '/'.
std::string JoinLocation(std::string_view base, std::string_view relative);

// True when `location` is `dir` itself or lies below it (compares whole path segments, so
// "file:///a/bc" is not under "file:///a/b"). Both must already be normalised.
bool IsLocationUnder(std::string_view location, std::string_view dir);

}  // namespace floe
