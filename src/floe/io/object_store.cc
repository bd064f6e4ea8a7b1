#include "floe/io/object_store.h"

namespace floe {

Result<std::string> ObjectStore::Get(const std::string& location) {
  FLOE_ASSIGN_OR_RETURN(auto file, OpenRead(location));
  return ReadWholeFile(file.get());
}

Result<std::string> ObjectStore::GetRange(const std::string& location, int64_t offset,
                                          int64_t length) {
  FLOE_ASSIGN_OR_RETURN(auto file, OpenRead(location));
  FLOE_ASSIGN_OR_RETURN(int64_t size, file->Size());
  // Checked before allocating so a bad range never turns into a huge allocation.
  if (offset < 0 || length < 0 || offset > size || length > size - offset) {
    return Status::Corrupt(location + ": range of " + std::to_string(length) + " bytes at offset " +
                           std::to_string(offset) + " is beyond the end of the " +
                           std::to_string(size) + "-byte object");
  }
  std::string out(static_cast<size_t>(length), '\0');
  FLOE_RETURN_IF_ERROR(file->ReadAt(offset, length, reinterpret_cast<uint8_t*>(out.data())));
  return out;
}

Status ObjectStore::Put(const std::string& location, std::string_view data) {
  FLOE_ASSIGN_OR_RETURN(auto out, Create(location));
  Status st = out->Append(AsBytes(data));
  if (!st.ok()) {
    out->Abort();
    return st;
  }
  return out->Close();
}

Result<std::vector<ObjectInfo>> ObjectStore::List(const std::string& prefix) {
  std::vector<ObjectInfo> all;
  std::string token;
  do {
    FLOE_ASSIGN_OR_RETURN(ObjectListPage page, ListPage(prefix, token, 1000));
    for (auto& info : page.objects) all.push_back(std::move(info));
    token = std::move(page.next_page_token);
  } while (!token.empty());
  return all;
}

Status ObjectStore::DeleteMany(const std::vector<std::string>& locations) {
  Status first;
  for (const auto& location : locations) {
    Status st = Delete(location);
    if (!st.ok() && st.kind() != ErrorKind::kNotFound && first.ok()) first = st;
  }
  return first;
}

}  // namespace floe
