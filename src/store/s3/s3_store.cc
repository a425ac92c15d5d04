#include "store/s3/s3_store.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <thread>

#include "store/parallel_for.h"
#include "store/s3/crypto.h"
#include "store/s3/multipart_copy.h"
#include "store/s3/multipart_writer.h"
#include "store/s3/s3_client.h"
#include "store/s3/xml.h"

namespace lakepack::s3 {
namespace {

// Get() reads objects larger than this in ranged GETs of this size, kParallelGets at once.
constexpr int64_t kGetChunk = int64_t{8} << 20;
constexpr int kParallelGets = 4;
// DeleteObjects takes at most 1000 keys per request (S3 limit).
constexpr size_t kMaxDeleteBatch = 1000;

Status CheckKey(const std::string& key) {
  if (key.empty()) return Status::InvalidArgument("empty S3 object key");
  return Status::OK();
}

// "bytes 0-9/443" → 443; -1 if absent or malformed.
int64_t TotalFromContentRange(const std::string& v) {
  size_t slash = v.rfind('/');
  if (slash == std::string::npos || slash + 1 >= v.size() || v[slash + 1] == '*') return -1;
  return std::strtoll(v.c_str() + slash + 1, nullptr, 10);
}

// A GET of bytes [offset, offset+length) of `key` (clamped so the last byte does not overflow).
// REQUIRES: offset >= 0, length > 0.
S3Request RangeRequest(const std::string& key, int64_t offset, int64_t length) {
  const int64_t last = length > INT64_MAX - offset ? INT64_MAX - 1 : offset + length - 1;
  S3Request req = NewRequest("GET", key);
  req.headers = {{"Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(last)}};
  return req;
}

class S3Store final : public ObjectStore {
 public:
  S3Store(std::shared_ptr<S3Client> client, const StoreTestHooks& hooks)
      : client_(std::move(client)),
        single_copy_limit_(hooks.multipart_copy_threshold > 0
                               ? std::min(hooks.multipart_copy_threshold, kMaxSingleCopySize)
                               : kMaxSingleCopySize),
        copy_part_size_(hooks.copy_part_size > 0 ? hooks.copy_part_size : kCopyPartSize) {}

  std::string root_uri() const override { return "s3://" + client_->bucket(); }
  StoreStats stats() const override { return client_->stats(); }

  Result<ObjectInfo> Head(const std::string& key) override {
    LP_RETURN_NOT_OK(CheckKey(key));
    return client_->HeadObject(key);
  }

  Result<std::string> Get(const std::string& key) override {
    LP_RETURN_NOT_OK(CheckKey(key));
    S3Request first = RangeRequest(key, 0, kGetChunk);
    CallInfo info;
    auto resp = client_->Call(first, &info);
    if (!resp.ok()) {
      if (info.http_status != 416) return resp.status();
      // An empty object has no byte 0: fetch it whole.
      S3Request whole = NewRequest("GET", key);
      LP_ASSIGN_OR_RETURN(HttpResponse r, client_->Call(whole));
      return std::move(r.body);
    }
    if (resp->status == 200) return std::move(resp->body);  // the server ignored the range
    const int64_t total = TotalFromContentRange(resp->Header("content-range"));
    if (total < 0) {
      return Status::IOError("GET " + client_->Uri(key) + ": bad Content-Range '" +
                             resp->Header("content-range") + "'");
    }
    if (total <= static_cast<int64_t>(resp->body.size())) return std::move(resp->body);

    // The rest in parallel ranged GETs, each pinned to the same version by If-Match.
    const std::string etag = resp->Header("etag");
    std::string out(static_cast<size_t>(total), '\0');
    std::memcpy(out.data(), resp->body.data(), resp->body.size());
    const int64_t chunks = (total + kGetChunk - 1) / kGetChunk;
    Status error = ParallelFor(1, chunks, kParallelGets, [&](int64_t c) -> Status {
      const int64_t begin = c * kGetChunk, end = std::min(total, begin + kGetChunk);
      S3Request req = RangeRequest(key, begin, end - begin);
      if (!etag.empty()) req.headers.emplace_back("If-Match", etag);
      req.partial_sink = out.data() + begin;  // straight into place
      req.partial_sink_capacity = static_cast<size_t>(end - begin);
      auto r = client_->Call(req);
      Status st = r.status();
      if (st.ok() && (r->status != 206 || static_cast<int64_t>(r->sink_bytes) != end - begin)) {
        st = Status::IOError("GET " + client_->Uri(key) + ": range at offset " +
                             std::to_string(begin) + " returned " +
                             std::to_string(r->status == 206 ? r->sink_bytes : r->body.size()) +
                             " bytes, expected " + std::to_string(end - begin));
      }
      if (st.IsAlreadyExists()) {  // 412: If-Match failed
        st = Status::Unavailable(client_->Uri(key) + " changed while being read (at offset " +
                                 std::to_string(begin) + ")");
      }
      return st;
    });
    LP_RETURN_NOT_OK(error);
    return out;
  }

  Result<std::string> GetRange(const std::string& key, int64_t offset, int64_t length) override {
    LP_RETURN_NOT_OK(CheckKey(key));
    if (offset < 0 || length < 0) {
      return Status::InvalidArgument("negative range for " + client_->Uri(key));
    }
    if (length == 0) {
      LP_RETURN_NOT_OK(client_->HeadObject(key).status());
      return std::string();
    }
    S3Request req = RangeRequest(key, offset, length);
    CallInfo info;
    auto resp = client_->Call(req, &info);
    if (!resp.ok()) {
      if (info.http_status == 416) return std::string();  // offset at or past the end
      return resp.status();
    }
    if (resp->status == 200) {  // the whole object: the server ignored the range
      if (offset >= static_cast<int64_t>(resp->body.size())) return std::string();
      return resp->body.substr(static_cast<size_t>(offset), static_cast<size_t>(length));
    }
    return std::move(resp->body);
  }

  Result<int64_t> ReadRange(const std::string& key, int64_t offset, int64_t length,
                            char* out) override {
    LP_RETURN_NOT_OK(CheckKey(key));
    if (offset < 0 || length <= 0) return ObjectStore::ReadRange(key, offset, length, out);
    S3Request req = RangeRequest(key, offset, length);
    req.partial_sink = out;
    req.partial_sink_capacity = static_cast<size_t>(length);
    CallInfo info;
    auto resp = client_->Call(req, &info);
    if (!resp.ok()) {
      if (info.http_status == 416) return 0;  // offset at or past the end
      return resp.status();
    }
    if (resp->status == 206) return static_cast<int64_t>(resp->sink_bytes);
    // 200: the server ignored the range and sent the whole object.
    if (offset >= static_cast<int64_t>(resp->body.size())) return 0;
    const size_t n =
        std::min(resp->body.size() - static_cast<size_t>(offset), static_cast<size_t>(length));
    std::memcpy(out, resp->body.data() + offset, n);
    return static_cast<int64_t>(n);
  }

  Result<ObjectInfo> Put(const std::string& key, std::string_view data,
                         const PutOptions& options) override {
    LP_RETURN_NOT_OK(CheckKey(key));
    return client_->PutObject(key, data, options);
  }

  Result<ListPage> List(const std::string& prefix, const ListOptions& options) override {
    S3Request req = NewRequest("GET", "");
    req.query = {{"list-type", "2"}, {"encoding-type", "url"}};
    if (!prefix.empty()) req.query.emplace_back("prefix", prefix);
    if (!options.delimiter.empty()) req.query.emplace_back("delimiter", options.delimiter);
    if (!options.start_after.empty()) req.query.emplace_back("start-after", options.start_after);
    if (!options.continuation.empty()) {
      req.query.emplace_back("continuation-token", options.continuation);
    }
    const int max_keys = options.max_keys > 0 ? std::min(options.max_keys, 1000) : 1000;
    req.query.emplace_back("max-keys", std::to_string(max_keys));
    req.describe = client_->Uri(prefix) + " (listing)";
    LP_ASSIGN_OR_RETURN(HttpResponse resp, client_->Call(req));
    auto parsed = ParseListObjectsV2(resp.body);
    if (!parsed.ok()) return parsed.status().WithContext("listing " + client_->Uri(prefix));
    ListPage page;
    for (auto& o : parsed->objects) {
      page.objects.push_back({std::move(o.key), o.size, std::move(o.etag), o.mtime_ns});
    }
    page.common_prefixes = std::move(parsed->common_prefixes);
    if (parsed->is_truncated) page.next_continuation = parsed->next_continuation_token;
    std::sort(page.objects.begin(), page.objects.end(),
              [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
    std::sort(page.common_prefixes.begin(), page.common_prefixes.end());
    return page;
  }

  Status Delete(const std::vector<std::string>& keys) override {
    std::vector<std::string> failures;
    for (size_t start = 0; start < keys.size(); start += kMaxDeleteBatch) {
      std::vector<std::string> batch(keys.begin() + start,
                                     keys.begin() + std::min(keys.size(), start + kMaxDeleteBatch));
      const std::string body = BuildDelete(batch);
      S3Request req = NewRequest("POST", "");
      req.query = {{"delete", ""}};
      req.body = body;
      req.headers = {{"Content-MD5", Md5Base64(body)}, {"Content-Type", "application/xml"}};
      req.describe = client_->Uri("") + " (deleting " + std::to_string(batch.size()) +
                     " keys starting with " + batch.front() + ")";
      LP_ASSIGN_OR_RETURN(HttpResponse resp, client_->Call(req));
      LP_ASSIGN_OR_RETURN(auto errors, ParseDeleteResult(resp.body));
      for (const auto& e : errors) {
        if (e.code == "NoSuchKey") continue;
        failures.push_back(client_->Uri(e.key) + " (" + e.code +
                           (e.message.empty() ? "" : ": " + e.message) + ")");
      }
    }
    if (failures.empty()) return Status::OK();
    std::string msg = "could not delete " + std::to_string(failures.size()) + " of " +
                      std::to_string(keys.size()) + " objects: ";
    for (size_t i = 0; i < failures.size() && i < 10; ++i) msg += (i ? ", " : "") + failures[i];
    if (failures.size() > 10) msg += ", ...";
    if (failures.size() > 0 && failures[0].find("AccessDenied") != std::string::npos) {
      return Status::PermissionDenied(msg);
    }
    return Status::IOError(msg);
  }

  Status AbortIncompleteWrites(const std::string& key) override {
    S3Request list = NewRequest("GET", "");
    list.query = {{"uploads", ""}, {"prefix", key}};
    LP_ASSIGN_OR_RETURN(auto resp, client_->Call(list));
    LP_ASSIGN_OR_RETURN(auto uploads, ParseListMultipartUploads(resp.body));
    for (const auto& u : uploads) {
      if (u.key != key) continue;  // another key that starts with this one
      S3Request abort = NewRequest("DELETE", key);
      abort.query = {{"uploadId", u.upload_id}};
      CallInfo info;
      auto done = client_->Call(abort, &info);
      if (!done.ok() && info.error_code != "NoSuchUpload") return done.status();
    }
    return Status::OK();
  }

  Result<ObjectInfo> Copy(const std::string& src_key, const std::string& dst_key) override {
    LP_RETURN_NOT_OK(CheckKey(src_key));
    LP_RETURN_NOT_OK(CheckKey(dst_key));
    LP_ASSIGN_OR_RETURN(ObjectInfo src, client_->HeadObject(src_key));
    if (src.size > single_copy_limit_) {
      return MultipartCopy(*client_, src_key, src, dst_key, copy_part_size_);
    }
    S3Request req = NewRequest("PUT", dst_key);
    req.headers = {
        {"x-amz-copy-source", "/" + client_->bucket() + "/" + UriEncode(src_key, false)}};
    if (!src.etag.empty()) {
      req.headers.emplace_back("x-amz-copy-source-if-match", "\"" + src.etag + "\"");
    }
    req.error_in_ok_body = true;
    req.describe = client_->Uri(dst_key) + " (copy of " + client_->Uri(src_key) + ")";
    CallInfo info;
    auto resp = client_->Call(req, &info);
    if (!resp.ok()) {
      if (info.error_code == "NoSuchKey" || resp.status().IsAlreadyExists()) {
        return Status::NotFound(client_->Uri(src_key) +
                                " does not exist (or changed) as the source of a copy to " +
                                client_->Uri(dst_key));
      }
      return resp.status();
    }
    LP_ASSIGN_OR_RETURN(CopyObjectResult r, ParseCopyObjectResult(resp->body));
    return ObjectInfo{dst_key, src.size, r.etag.empty() ? src.etag : r.etag, r.mtime_ns};
  }

  Result<std::unique_ptr<ObjectWriter>> OpenWriter(const std::string& key,
                                                   const WriterOptions& options) override {
    LP_RETURN_NOT_OK(CheckKey(key));
    return std::unique_ptr<ObjectWriter>(new MultipartWriter(client_, key, options));
  }

 private:
  std::shared_ptr<S3Client> client_;
  const int64_t single_copy_limit_;  // larger objects are copied in parts (UploadPartCopy)
  const int64_t copy_part_size_;
};

}  // namespace

Result<std::shared_ptr<ObjectStore>> MakeS3Store(const std::string& bucket,
                                                 const StoreOptions& options,
                                                 const StoreTestHooks& hooks) {
  LP_ASSIGN_OR_RETURN(std::unique_ptr<S3Client> client,
                      S3Client::Make(bucket, options, {}, hooks.fault_rate));
  return std::shared_ptr<ObjectStore>(std::make_shared<S3Store>(std::move(client), hooks));
}

}  // namespace lakepack::s3
