#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace floe {

// What went wrong, coarse enough for callers to branch on (retry, 404, 409, ...).
enum class ErrorKind {
  kOk = 0,
  kInvalidArgument,    // the caller's input is malformed or out of range
  kNotFound,           // a file, table, key or column does not exist
  kAlreadyExists,      // create of something that exists
  kCorrupt,            // stored data is unreadable or inconsistent
  kIOError,            // the storage or the network failed
  kNotSupported,       // a valid feature floe does not implement
  kConflict,           // a compare-and-swap lost; reload and retry
  kCommitStateUnknown, // a commit may or may not have landed: never clean up after it
  kUnavailable,        // temporarily unable; retry later
  kResourceExhausted,  // a limit (memory, size, count) was reached
  kUnauthenticated,    // missing or wrong credentials
  kPermissionDenied,   // credentials valid but not allowed
  kInternal,           // a bug in floe
};

std::string_view ErrorKindName(ErrorKind kind);

// The outcome of an operation: ok, or an error kind with a message that says what was wrong and
// where. Cheap to copy when ok.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorKind kind, std::string message) : kind_(kind), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {ErrorKind::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {ErrorKind::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {ErrorKind::kAlreadyExists, std::move(msg)}; }
  static Status Corrupt(std::string msg) { return {ErrorKind::kCorrupt, std::move(msg)}; }
  static Status IOError(std::string msg) { return {ErrorKind::kIOError, std::move(msg)}; }
  static Status NotSupported(std::string msg) { return {ErrorKind::kNotSupported, std::move(msg)}; }
  static Status Conflict(std::string msg) { return {ErrorKind::kConflict, std::move(msg)}; }
  static Status CommitStateUnknown(std::string msg) { return {ErrorKind::kCommitStateUnknown, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {ErrorKind::kUnavailable, std::move(msg)}; }
  static Status ResourceExhausted(std::string msg) { return {ErrorKind::kResourceExhausted, std::move(msg)}; }
  static Status Unauthenticated(std::string msg) { return {ErrorKind::kUnauthenticated, std::move(msg)}; }
  static Status PermissionDenied(std::string msg) { return {ErrorKind::kPermissionDenied, std::move(msg)}; }
  static Status Internal(std::string msg) { return {ErrorKind::kInternal, std::move(msg)}; }

  bool ok() const { return kind_ == ErrorKind::kOk; }
  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }

  // "<kind>: <message>", or "OK".
  std::string ToString() const;

  // The same error with "<context>: " in front of the message; ok stays ok.
  Status WithContext(std::string_view context) const;

 private:
  ErrorKind kind_ = ErrorKind::kOk;
  std::string message_;
};

}  // namespace floe
