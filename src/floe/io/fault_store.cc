#include "floe/io/fault_store.h"

namespace floe {
namespace {

std::string_view OpName(StoreOp op) {
  switch (op) {
    case StoreOp::kOpenRead: return "open";
    case StoreOp::kRead: return "read";
    case StoreOp::kCreate: return "create";
    case StoreOp::kWrite: return "write";
    case StoreOp::kPutIfAbsent: return "put-if-absent";
    case StoreOp::kStat: return "stat";
    case StoreOp::kList: return "list";
    case StoreOp::kDelete: return "delete";
  }
  return "?";
}

class FaultFile final : public RandomAccessFile {
 public:
  FaultFile(std::unique_ptr<RandomAccessFile> inner, FaultInjectingStore* store)
      : inner_(std::move(inner)), store_(store) {}
  const std::string& location() const override { return inner_->location(); }
  Result<int64_t> Size() override { return inner_->Size(); }
  Status ReadAt(int64_t offset, int64_t n, uint8_t* out) override {
    auto fault = store_->NextFault(StoreOp::kRead, location());
    if (!fault) return inner_->ReadAt(offset, n, out);
    if (*fault == FaultKind::kShortRead) {
      return Status::Corrupt(location() + ": injected short read of " + std::to_string(n) +
                             " bytes at offset " + std::to_string(offset));
    }
    if (*fault != FaultKind::kCorruptBytes) return InjectedError(StoreOp::kRead, location());
    FLOE_RETURN_IF_ERROR(inner_->ReadAt(offset, n, out));
    std::string bytes(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
    store_->DamageRead(*fault, &bytes);
    std::copy(bytes.begin(), bytes.end(), out);
    return Status::OK();
  }

 private:
  std::unique_ptr<RandomAccessFile> inner_;
  FaultInjectingStore* store_;
};

class FaultStream final : public OutputStream {
 public:
  FaultStream(std::unique_ptr<OutputStream> inner, FaultInjectingStore* store)
      : inner_(std::move(inner)), store_(store) {}
  const std::string& location() const override { return inner_->location(); }
  Status Append(ByteView data) override {
    if (store_->NextFault(StoreOp::kWrite, location())) {
      return InjectedError(StoreOp::kWrite, location());
    }
    return inner_->Append(data);
  }
  int64_t Tell() const override { return inner_->Tell(); }
  Status Close() override {
    auto fault = store_->NextFault(StoreOp::kWrite, location());
    if (!fault) return inner_->Close();
    if (*fault == FaultKind::kErrorAfterApply) {
      FLOE_RETURN_IF_ERROR(inner_->Close());
    } else {
      inner_->Abort();
    }
    return InjectedError(StoreOp::kWrite, location());
  }
  void Abort() override { inner_->Abort(); }

 private:
  std::unique_ptr<OutputStream> inner_;
  FaultInjectingStore* store_;
};

}  // namespace

Status InjectedError(StoreOp op, const std::string& location) {
  return Status::IOError("injected fault: " + std::string(OpName(op)) + " " + location);
}

FaultInjectingStore::FaultInjectingStore(ObjectStore* base, uint64_t seed)
    : base_(base), rng_(seed) {}

void FaultInjectingStore::FailNext(StoreOp op, FaultKind kind, int count) {
  std::lock_guard lock(mu_);
  rules_[static_cast<int>(op)].fail_next = count;
  rules_[static_cast<int>(op)].next_kind = kind;
}

void FaultInjectingStore::SetFailureProbability(StoreOp op, double probability, FaultKind kind) {
  std::lock_guard lock(mu_);
  rules_[static_cast<int>(op)].probability = probability;
  rules_[static_cast<int>(op)].random_kind = kind;
}

void FaultInjectingStore::SetLocationFilter(std::string substring) {
  std::lock_guard lock(mu_);
  location_filter_ = std::move(substring);
}

void FaultInjectingStore::Clear() {
  std::lock_guard lock(mu_);
  rules_ = {};
  location_filter_.clear();
}

std::optional<FaultKind> FaultInjectingStore::NextFault(StoreOp op, const std::string& location) {
  std::lock_guard lock(mu_);
  if (!location_filter_.empty() && location.find(location_filter_) == std::string::npos) {
    return std::nullopt;
  }
  Rule& rule = rules_[static_cast<int>(op)];
  std::optional<FaultKind> fault;
  if (rule.fail_next > 0) {
    --rule.fail_next;
    fault = rule.next_kind;
  } else if (rule.probability > 0 &&
             std::uniform_real_distribution<double>(0, 1)(rng_) < rule.probability) {
    fault = rule.random_kind;
  }
  if (fault) ++injected_;
  return fault;
}

bool FaultInjectingStore::DamageRead(FaultKind kind, std::string* data) {
  std::lock_guard lock(mu_);
  if (kind == FaultKind::kShortRead) {
    data->resize(data->size() / 2);
    return true;
  }
  if (kind == FaultKind::kCorruptBytes) {
    if (!data->empty()) {
      size_t pos = std::uniform_int_distribution<size_t>(0, data->size() - 1)(rng_);
      (*data)[pos] = static_cast<char>((*data)[pos] ^ (1 + rng_() % 255));
    }
    return true;
  }
  return false;
}

Result<std::unique_ptr<RandomAccessFile>> FaultInjectingStore::OpenRead(
    const std::string& location) {
  if (NextFault(StoreOp::kOpenRead, location)) return InjectedError(StoreOp::kOpenRead, location);
  FLOE_ASSIGN_OR_RETURN(auto file, base_->OpenRead(location));
  return std::unique_ptr<RandomAccessFile>(new FaultFile(std::move(file), this));
}

Result<std::string> FaultInjectingStore::Get(const std::string& location) {
  auto fault = NextFault(StoreOp::kRead, location);
  FLOE_ASSIGN_OR_RETURN(std::string data, base_->Get(location));
  if (fault && !DamageRead(*fault, &data)) return InjectedError(StoreOp::kRead, location);
  return data;
}

Result<std::string> FaultInjectingStore::GetRange(const std::string& location, int64_t offset,
                                                  int64_t length) {
  auto fault = NextFault(StoreOp::kRead, location);
  FLOE_ASSIGN_OR_RETURN(std::string data, base_->GetRange(location, offset, length));
  if (fault && !DamageRead(*fault, &data)) return InjectedError(StoreOp::kRead, location);
  return data;
}

Result<std::unique_ptr<OutputStream>> FaultInjectingStore::Create(const std::string& location) {
  if (NextFault(StoreOp::kCreate, location)) return InjectedError(StoreOp::kCreate, location);
  FLOE_ASSIGN_OR_RETURN(auto stream, base_->Create(location));
  return std::unique_ptr<OutputStream>(new FaultStream(std::move(stream), this));
}

Status FaultInjectingStore::Put(const std::string& location, std::string_view data) {
  auto fault = NextFault(StoreOp::kWrite, location);
  if (!fault) return base_->Put(location, data);
  if (*fault == FaultKind::kErrorAfterApply) FLOE_RETURN_IF_ERROR(base_->Put(location, data));
  return InjectedError(StoreOp::kWrite, location);
}

Status FaultInjectingStore::PutIfAbsent(const std::string& location, std::string_view data) {
  auto fault = NextFault(StoreOp::kPutIfAbsent, location);
  if (!fault) return base_->PutIfAbsent(location, data);
  if (*fault == FaultKind::kErrorAfterApply) {
    FLOE_RETURN_IF_ERROR(base_->PutIfAbsent(location, data));
  }
  return InjectedError(StoreOp::kPutIfAbsent, location);
}

Result<ObjectInfo> FaultInjectingStore::Stat(const std::string& location) {
  if (NextFault(StoreOp::kStat, location)) return InjectedError(StoreOp::kStat, location);
  return base_->Stat(location);
}

Result<ObjectListPage> FaultInjectingStore::ListPage(const std::string& prefix,
                                                     const std::string& page_token, int max_keys) {
  if (NextFault(StoreOp::kList, prefix)) return InjectedError(StoreOp::kList, prefix);
  return base_->ListPage(prefix, page_token, max_keys);
}

Status FaultInjectingStore::Delete(const std::string& location) {
  auto fault = NextFault(StoreOp::kDelete, location);
  if (!fault) return base_->Delete(location);
  if (*fault == FaultKind::kErrorAfterApply) FLOE_RETURN_IF_ERROR(base_->Delete(location));
  return InjectedError(StoreOp::kDelete, location);
}

}  // namespace floe
