#include "floe/server/router.h"

#include <set>

namespace floe::server {
namespace {

bool IsCapture(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// Splits "/a/b/c" into {"a","b","c"}; "/" gives {}. A trailing slash makes an empty last segment.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/') return out;
  path.remove_prefix(1);
  if (path.empty()) return out;
  while (true) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// A route shape matches when every literal equals and every capture is non-empty. Literal
// positions are returned as a mask so the most specific route can win.
bool ShapeMatches(const Route& route, const std::vector<std::string_view>& parts,
                  std::vector<bool>* literal_mask) {
  if (route.segments.size() != parts.size()) return false;
  literal_mask->assign(parts.size(), false);
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& seg = route.segments[i];
    if (IsCapture(seg)) {
      if (parts[i].empty()) return false;
    } else {
      if (seg != parts[i]) return false;
      (*literal_mask)[i] = true;
    }
  }
  return true;
}

}  // namespace

Status Router::Add(std::string method, std::string_view pattern, Handler handler,
                   Dispatch dispatch) {
  if (pattern.empty() || pattern.front() != '/')
    return Status::InvalidArgument("route pattern '" + std::string(pattern) +
                                   "' must start with '/'");
  Route route;
  route.method = std::move(method);
  route.pattern = std::string(pattern);
  route.handler = std::move(handler);
  route.dispatch = dispatch;
  std::set<std::string_view> names;
  for (std::string_view part : SplitPath(pattern)) {
    if (part.empty())
      return Status::InvalidArgument("route pattern '" + route.pattern + "' has an empty segment");
    bool brace =
        part.find('{') != std::string_view::npos || part.find('}') != std::string_view::npos;
    if (brace && (!IsCapture(part) || part.size() == 2 ||
                  part.substr(1, part.size() - 2).find_first_of("{}") != std::string_view::npos))
      return Status::InvalidArgument("route pattern '" + route.pattern +
                                     "' has a malformed capture '" + std::string(part) + "'");
    route.segments.emplace_back(part);
  }
  for (const std::string& seg : route.segments) {
    if (IsCapture(seg) && !names.insert(seg).second)
      return Status::InvalidArgument("route pattern '" + route.pattern + "' repeats capture " +
                                     seg);
  }
  for (const Route& existing : routes_) {
    if (existing.method != route.method || existing.segments.size() != route.segments.size())
      continue;
    bool same = true;
    for (size_t i = 0; i < route.segments.size() && same; ++i) {
      bool a = IsCapture(existing.segments[i]), b = IsCapture(route.segments[i]);
      same = (a && b) || (!a && !b && existing.segments[i] == route.segments[i]);
    }
    if (same)
      return Status::InvalidArgument("route " + route.method + " " + route.pattern +
                                     " duplicates " + existing.method + " " + existing.pattern);
  }
  routes_.push_back(std::move(route));
  return Status::OK();
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match match;
  std::vector<std::string_view> parts = SplitPath(path);
  if (path.empty() || path.front() != '/') return match;
  std::vector<bool> mask, best_mask;
  std::set<std::string> allowed;
  for (const Route& route : routes_) {
    if (!ShapeMatches(route, parts, &mask)) continue;
    allowed.insert(route.method);
    if (route.method != method) continue;
    if (match.route == nullptr || mask > best_mask) {
      match.route = &route;
      best_mask = mask;
    }
  }
  if (match.route == nullptr) {
    if (allowed.empty()) return match;
    match.status = 405;
    for (const std::string& m : allowed) match.allow += (match.allow.empty() ? "" : ", ") + m;
    return match;
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& seg = match.route->segments[i];
    if (!IsCapture(seg)) continue;
    std::string decoded;
    if (!PercentDecode(parts[i], &decoded)) {
      match.route = nullptr;
      match.status = 400;
      return match;
    }
    match.params.emplace(seg.substr(1, seg.size() - 2), std::move(decoded));
  }
  match.status = 200;
  return match;
}

}  // namespace floe::server
