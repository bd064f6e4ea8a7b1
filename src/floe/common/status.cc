#include "floe/common/status.h"

namespace floe {

std::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kOk: return "OK";
    case ErrorKind::kInvalidArgument: return "invalid argument";
    case ErrorKind::kNotFound: return "not found";
    case ErrorKind::kAlreadyExists: return "already exists";
    case ErrorKind::kCorrupt: return "corrupt";
    case ErrorKind::kIOError: return "I/O error";
    case ErrorKind::kNotSupported: return "not supported";
    case ErrorKind::kConflict: return "conflict";
    case ErrorKind::kCommitStateUnknown: return "commit state unknown";
    case ErrorKind::kUnavailable: return "unavailable";
    case ErrorKind::kResourceExhausted: return "resource exhausted";
    case ErrorKind::kUnauthenticated: return "unauthenticated";
    case ErrorKind::kPermissionDenied: return "permission denied";
    case ErrorKind::kInternal: return "internal error";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(ErrorKindName(kind_));
  out += ": ";
  out += message_;
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string msg(context);
  msg += ": ";
  msg += message_;
  return Status(kind_, std::move(msg));
}

}  // namespace floe
