#include "floe/server/auth.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace floe::server {
namespace {

constexpr char kChallenge[] = "Bearer realm=\"floe\"";
constexpr char kInvalidChallenge[] = "Bearer realm=\"floe\", error=\"invalid_token\"";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

HttpResponse Unauthorized(const Status& status, bool credential_sent) {
  HttpResponse response = ErrorResponse(401, status.message());
  response.AddHeader("WWW-Authenticate", credential_sent ? kInvalidChallenge : kChallenge);
  return response;
}

Status ErrnoError(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

bool ConstantTimeEquals(std::string_view secret, std::string_view presented) {
  if (secret.empty()) return false;
  // Every byte of `presented` is compared against the secret repeated, with no early exit.
  unsigned diff = secret.size() != presented.size() ? 1u : 0u;
  for (size_t i = 0; i < presented.size(); ++i)
    diff |= static_cast<unsigned char>(presented[i]) ^
            static_cast<unsigned char>(secret[i % secret.size()]);
  return diff == 0;
}

std::string_view BearerToken(const HttpRequest& request) {
  std::string_view value = Trim(request.Header("authorization"));
  if (value.size() < 7) return {};
  std::string scheme(value.substr(0, 7));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "bearer ") return {};
  return Trim(value.substr(7));
}

Status Authenticator::CheckAdmin(const HttpRequest& request) const {
  std::string_view token = BearerToken(request);
  if (token.empty())
    return Status::Unauthenticated("admin route: send Authorization: Bearer <ADMIN_TOKEN>");
  if (!ConstantTimeEquals(config_.admin_token, token))
    return Status::Unauthenticated("admin route: wrong admin token");
  return Status::OK();
}

Status Authenticator::CheckIngest(const HttpRequest& request) const {
  if (config_.api_keys.empty()) return Status::OK();
  std::string_view key = Trim(request.Header("x-api-key"));
  if (key.empty()) key = BearerToken(request);
  if (key.empty())
    return Status::Unauthenticated(
        "ingest route: send X-API-Key: <key> or Authorization: Bearer <key>");
  bool found = false;
  // Every key is compared, so the time does not tell which key (if any) was close.
  for (const std::string& candidate : config_.api_keys)
    found = ConstantTimeEquals(candidate, key) || found;
  if (!found) return Status::Unauthenticated("ingest route: wrong API key");
  return Status::OK();
}

Handler RequireAdmin(const Authenticator* auth, Handler handler) {
  return [auth, handler = std::move(handler)](const HttpRequest& request) {
    Status status = auth->CheckAdmin(request);
    if (!status.ok()) return Unauthorized(status, !BearerToken(request).empty());
    return handler(request);
  };
}

Handler RequireApiKey(const Authenticator* auth, Handler handler) {
  return [auth, handler = std::move(handler)](const HttpRequest& request) {
    Status status = auth->CheckIngest(request);
    if (!status.ok())
      return Unauthorized(status, request.HasHeader("x-api-key") || !BearerToken(request).empty());
    return handler(request);
  };
}

std::vector<std::string> ParseApiKeys(std::string_view text) {
  std::vector<std::string> keys;
  while (true) {
    size_t comma = text.find(',');
    std::string_view item = Trim(text.substr(0, comma));
    if (!item.empty()) keys.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return keys;
}

Result<std::string> CreateAdminTokenFile(const std::string& state_dir) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) return Status::IOError("cannot create state folder " + state_dir + ": " + ec.message());
  unsigned char random[32];
  size_t filled = 0;
  while (filled < sizeof(random)) {
    ssize_t n = ::getrandom(random + filled, sizeof(random) - filled, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IOError(std::string("getrandom: ") + std::strerror(errno));
    filled += static_cast<size_t>(n);
  }
  static const char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : random) {
    token.push_back(kHex[b >> 4]);
    token.push_back(kHex[b & 15]);
  }
  std::string path = state_dir + "/admin-token";
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError("cannot create", tmp);
  std::string content = token + "\n";
  bool ok = ::fchmod(fd, 0600) == 0 &&
            ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
            ::fsync(fd) == 0;
  Status status = ok ? Status::OK() : ErrnoError("cannot write", tmp);
  ::close(fd);
  if (status.ok() && ::rename(tmp.c_str(), path.c_str()) != 0)
    status = ErrnoError("cannot rename " + tmp + " to", path);
  if (!status.ok()) {
    ::unlink(tmp.c_str());
    return status;
  }
  return token;
}

}  // namespace floe::server
