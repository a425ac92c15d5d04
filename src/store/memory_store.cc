// memory_store.cc: see memory_store.h.
#include "store/memory_store.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace lakepack {
namespace {

// FNV-1a, 64 bits: an ETag that depends on the bytes only.
std::string ContentTag(std::string_view data) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx-%zu", static_cast<unsigned long long>(h), data.size());
  return buf;
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status ValidateKey(const std::string& key) {
  if (key.empty() || key.front() == '/') {
    return Status::InvalidArgument("not an object key: '" + key + "'");
  }
  return Status::OK();
}

// Buffers the object; Finish() puts it whole, so nothing is visible before.
class MemoryWriter final : public ObjectWriter {
 public:
  MemoryWriter(MemoryStore* store, std::string key, PutOptions put)
      : store_(store), key_(std::move(key)), put_(std::move(put)) {}
  Status Write(const void* data, size_t size) override {
    if (done_) return Status::Internal("write to a finished or aborted writer for " + key_);
    data_.append(static_cast<const char*>(data), size);
    return Status::OK();
  }
  Result<ObjectInfo> Finish() override {
    if (done_) return Status::Internal("Finish on a finished or aborted writer for " + key_);
    done_ = true;
    auto info = store_->Put(key_, data_, put_);
    std::string().swap(data_);
    return info;
  }
  Status Abort() override {
    done_ = true;
    std::string().swap(data_);
    return Status::OK();
  }
  int64_t bytes_written() const override { return static_cast<int64_t>(data_.size()); }

 private:
  MemoryStore* store_;  // outlives the writer (the caller holds the store)
  const std::string key_;
  const PutOptions put_;
  std::string data_;
  bool done_ = false;
};

}  // namespace

std::shared_ptr<MemoryStore> MemoryStore::Make(std::string name) {
  static std::atomic<int64_t> counter{0};
  if (name.empty()) name = "store-" + std::to_string(counter++);
  return std::make_shared<MemoryStore>(PrivateTag{}, std::move(name));
}

ObjectInfo MemoryStore::InfoOf(const std::string& key, const Object& o) const {
  ObjectInfo info;
  info.key = key;
  info.size = static_cast<int64_t>(o.data->size());
  info.etag = o.etag;
  info.mtime_ns = o.mtime_ns;
  return info;
}

Result<MemoryStore::Object> MemoryStore::Find(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return Status::NotFound(Uri(key) + " does not exist");
  return it->second;
}

size_t MemoryStore::object_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return objects_.size();
}

Result<ObjectInfo> MemoryStore::Head(const std::string& key) {
  LP_ASSIGN_OR_RETURN(Object o, Find(key));
  return InfoOf(key, o);
}

Result<std::string> MemoryStore::Get(const std::string& key) {
  LP_ASSIGN_OR_RETURN(Object o, Find(key));
  return *o.data;
}

Result<std::string> MemoryStore::GetRange(const std::string& key, int64_t offset, int64_t length) {
  if (offset < 0 || length < 0) return Status::InvalidArgument("negative range for " + Uri(key));
  LP_ASSIGN_OR_RETURN(Object o, Find(key));
  const int64_t size = static_cast<int64_t>(o.data->size());
  if (offset >= size) return std::string();
  return o.data->substr(static_cast<size_t>(offset),
                        static_cast<size_t>(std::min(length, size - offset)));
}

Result<ObjectInfo> MemoryStore::Put(const std::string& key, std::string_view data,
                                    const PutOptions& options) {
  LP_RETURN_NOT_OK(ValidateKey(key));
  Object o;
  o.data = std::make_shared<const std::string>(data);
  o.etag = ContentTag(data);
  o.mtime_ns = NowNs();
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = objects_.try_emplace(key, o);
  if (!inserted) {
    if (options.if_absent) return Status::AlreadyExists(Uri(key) + " already exists");
    it->second = o;
  }
  return InfoOf(key, o);
}

Result<ListPage> MemoryStore::List(const std::string& prefix, const ListOptions& options) {
  const std::string& after =
      options.continuation.empty() ? options.start_after : options.continuation;
  const int max_keys = std::max(1, options.max_keys);
  ListPage page;
  std::string last;  // the last name (key or rolled-up prefix) put on the page
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.lower_bound(std::max(prefix, after));
  int count = 0;
  for (; it != objects_.end(); ++it) {
    const std::string& key = it->first;
    if (key.compare(0, prefix.size(), prefix) != 0) break;
    std::string rolled;
    if (!options.delimiter.empty()) {
      size_t d = key.find(options.delimiter, prefix.size());
      if (d != std::string::npos) rolled = key.substr(0, d + options.delimiter.size());
    }
    const std::string& name = rolled.empty() ? key : rolled;
    // A name is at most its key, so keys before `after` never get here; a prefix may repeat.
    if ((!after.empty() && name <= after) || (!rolled.empty() && name == last)) continue;
    if (count == max_keys) {
      page.next_continuation = last;
      break;
    }
    last = name;
    ++count;
    if (rolled.empty()) {
      page.objects.push_back(InfoOf(key, it->second));
    } else {
      page.common_prefixes.push_back(std::move(rolled));
    }
  }
  return page;
}

Status MemoryStore::Delete(const std::vector<std::string>& keys) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& k : keys) objects_.erase(k);
  return Status::OK();
}

Result<ObjectInfo> MemoryStore::Copy(const std::string& src_key, const std::string& dst_key) {
  LP_RETURN_NOT_OK(ValidateKey(dst_key));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(src_key);
  if (it == objects_.end()) return Status::NotFound(Uri(src_key) + " does not exist");
  Object o = it->second;
  o.mtime_ns = NowNs();
  objects_[dst_key] = o;
  return InfoOf(dst_key, o);
}

Result<std::unique_ptr<ObjectWriter>> MemoryStore::OpenWriter(const std::string& key,
                                                              const WriterOptions& options) {
  LP_RETURN_NOT_OK(ValidateKey(key));
  return std::unique_ptr<ObjectWriter>(new MemoryWriter(this, key, options.put));
}

}  // namespace lakepack
