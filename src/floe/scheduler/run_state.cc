#include "floe/scheduler/run_state.h"

#include <nlohmann/json.hpp>

namespace floe::scheduler {

namespace {

using Json = nlohmann::ordered_json;
using Key = std::pair<std::string, std::string>;

constexpr int kFormatVersion = 1;
// A state holds a few records per table; a bigger object is not ours.
constexpr int64_t kMaxStateBytes = 64 << 20;

Json ToJson(const JobRunRecord& r) {
  return Json{{"table", r.table},
              {"job", r.job},
              {"schedule_from_micros", r.schedule_from_micros},
              {"last_started_micros", r.last_started_micros},
              {"last_finished_micros", r.last_finished_micros},
              {"last_result", r.last_result},
              {"last_message", r.last_message},
              {"last_over_budget", r.last_over_budget}};
}

}  // namespace

Result<std::vector<JobRunRecord>> MemoryRunStateStore::Load() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<JobRunRecord> out;
  for (const auto& [key, record] : records_) out.push_back(record);
  return out;
}

Status MemoryRunStateStore::Save(const JobRunRecord& record) {
  std::lock_guard<std::mutex> lock(mu_);
  records_[Key(record.table, record.job)] = record;
  return Status::OK();
}

Status ObjectRunStateStore::LoadLocked() {
  if (loaded_) return Status::OK();
  Result<ObjectInfo> info = store_->Stat(location_);
  if (!info.ok() && info.status().kind() == ErrorKind::kNotFound) {
    loaded_ = true;
    return Status::OK();
  }
  FLOE_RETURN_IF_ERROR(info);
  if (info->size_bytes > kMaxStateBytes) {
    return Status::Corrupt("scheduler state " + location_ + " is " +
                           std::to_string(info->size_bytes) + " bytes, more than the limit of " +
                           std::to_string(kMaxStateBytes));
  }
  FLOE_ASSIGN_OR_RETURN(std::string text, store_->Get(location_));
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  auto bad = [&](const std::string& what) {
    return Status::Corrupt("scheduler state " + location_ + ": " + what);
  };
  if (doc.is_discarded() || !doc.is_object()) return bad("not a JSON object");
  if (!doc.contains("version") || doc["version"] != kFormatVersion) {
    return bad("unknown version (expected " + std::to_string(kFormatVersion) + ")");
  }
  if (!doc.contains("jobs") || !doc["jobs"].is_array()) return bad("no \"jobs\" array");
  std::map<Key, JobRunRecord> records;
  for (const Json& j : doc["jobs"]) {
    JobRunRecord r;
    auto str = [&](const char* name, std::string* out) {
      if (!j.contains(name) || !j[name].is_string()) return false;
      *out = j[name].get<std::string>();
      return true;
    };
    auto num = [&](const char* name, int64_t* out) {
      if (!j.contains(name) || !j[name].is_number_integer()) return false;
      *out = j[name].get<int64_t>();
      return true;
    };
    if (!j.is_object() || !str("table", &r.table) || !str("job", &r.job) ||
        !num("schedule_from_micros", &r.schedule_from_micros) ||
        !num("last_started_micros", &r.last_started_micros) ||
        !num("last_finished_micros", &r.last_finished_micros) ||
        !str("last_result", &r.last_result) || !str("last_message", &r.last_message) ||
        !j.contains("last_over_budget") || !j["last_over_budget"].is_boolean()) {
      return bad("a job record lacks a field or has a field of the wrong type");
    }
    r.last_over_budget = j["last_over_budget"].get<bool>();
    records[Key(r.table, r.job)] = std::move(r);
  }
  records_ = std::move(records);
  loaded_ = true;
  return Status::OK();
}

Result<std::vector<JobRunRecord>> ObjectRunStateStore::Load() {
  std::lock_guard<std::mutex> lock(mu_);
  loaded_ = false;
  FLOE_RETURN_IF_ERROR(LoadLocked());
  std::vector<JobRunRecord> out;
  for (const auto& [key, record] : records_) out.push_back(record);
  return out;
}

Status ObjectRunStateStore::Save(const JobRunRecord& record) {
  std::lock_guard<std::mutex> lock(mu_);
  FLOE_RETURN_IF_ERROR(LoadLocked());
  records_[Key(record.table, record.job)] = record;
  Json jobs = Json::array();
  for (const auto& [key, r] : records_) jobs.push_back(ToJson(r));
  Json doc{{"version", kFormatVersion}, {"jobs", std::move(jobs)}};
  return store_->Put(location_, doc.dump(2) + "\n");
}

}  // namespace floe::scheduler
