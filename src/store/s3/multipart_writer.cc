#include "store/s3/multipart_writer.h"

#include <algorithm>
#include <cstring>

#include "store/s3/crypto.h"
#include "store/s3/xml.h"

namespace lakepack::s3 {

int64_t PartSizeFor(int64_t first_part_size, int part_number) {
  int64_t size = std::clamp(first_part_size, kMinPartSize, kMaxPartSize);
  int doublings = (std::max(part_number, 1) - 1) / kPartsPerSizeStep;
  for (int i = 0; i < doublings && size < kMaxPartSize; ++i) size *= 2;
  return std::min(size, kMaxPartSize);
}

int64_t MaxObjectSize(int64_t first_part_size) {
  int64_t total = 0;
  for (int step = 0; step < kMaxParts / kPartsPerSizeStep; ++step) {
    total += kPartsPerSizeStep * PartSizeFor(first_part_size, step * kPartsPerSizeStep + 1);
  }
  return total;
}

MultipartWriter::MultipartWriter(std::shared_ptr<S3Client> client, std::string key,
                                 WriterOptions options)
    : client_(std::move(client)),
      key_(std::move(key)),
      options_(std::move(options)),
      first_part_size_(std::clamp(options_.part_size, kMinPartSize, kMaxPartSize)),
      max_parallel_(std::max(1, options_.max_parallel_parts)) {}

MultipartWriter::~MultipartWriter() {
  if (!finished_ && !aborted_) (void)Abort();
  JoinAll();
}

Status MultipartWriter::FirstError() {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

Status MultipartWriter::Write(const void* data, size_t size) {
  if (finished_ || aborted_) {
    return Status::InvalidArgument("Write to " + client_->Uri(key_) + " after Finish/Abort");
  }
  LP_RETURN_NOT_OK(FirstError());
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const int64_t part_size = PartSizeFor(first_part_size_, next_part_);
    size_t n = std::min(size, static_cast<size_t>(part_size) - buffer_.size());
    if (buffer_.capacity() < buffer_.size() + n) {
      // Grow geometrically up to the part size, so small objects stay small.
      buffer_.reserve(std::min(static_cast<size_t>(part_size),
                               std::max(buffer_.size() + n, 2 * buffer_.capacity())));
    }
    buffer_.append(p, n);
    p += n;
    size -= n;
    bytes_written_ += static_cast<int64_t>(n);
    if (static_cast<int64_t>(buffer_.size()) == part_size && size > 0) {
      // Only a part known not to be the last is sent here; Finish() sends the last one.
      LP_RETURN_NOT_OK(StartPart());
    }
  }
  return Status::OK();
}

Status MultipartWriter::CreateUpload() {
  S3Request req;
  req.method = "POST";
  req.key = key_;
  req.query = {{"uploads", ""}};
  if (!options_.put.content_type.empty()) {
    req.headers.emplace_back("Content-Type", options_.put.content_type);
  }
  LP_ASSIGN_OR_RETURN(HttpResponse resp, client_->Call(req));
  LP_ASSIGN_OR_RETURN(upload_id_, ParseInitiateMultipartUpload(resp.body));
  return Status::OK();
}

Status MultipartWriter::StartPart() {
  if (next_part_ > kMaxParts) {
    return Status::InvalidArgument(client_->Uri(key_) + " is too large for a multipart upload: " +
                                   std::to_string(bytes_written_) + " bytes exceed " +
                                   std::to_string(MaxObjectSize(first_part_size_)) +
                                   " (raise WriterOptions::part_size)");
  }
  if (upload_id_.empty()) LP_RETURN_NOT_OK(CreateUpload());
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return in_flight_ < max_parallel_; });
    if (!error_.ok()) return error_;
    ++in_flight_;
  }
  std::string data = std::move(buffer_);
  buffer_ = std::string();
  {
    // A buffer of a finished part keeps its (already touched) memory for the next part.
    std::lock_guard<std::mutex> lock(mu_);
    if (!spare_buffers_.empty()) {
      buffer_ = std::move(spare_buffers_.back());
      spare_buffers_.pop_back();
    }
  }
  int part = next_part_++;
  threads_.emplace_back(&MultipartWriter::UploadPart, this, part, std::move(data));
  return Status::OK();
}

void MultipartWriter::UploadPart(int part_number, std::string data) {
  S3Request req;
  req.method = "PUT";
  req.key = key_;
  req.query = {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id_}};
  req.body = data;
  // No Content-MD5: the payload's SHA-256 is signed (S3Client::Call) and the server checks it,
  // so a second digest would only spend CPU on both ends.
  auto resp = client_->Call(req);
  std::lock_guard<std::mutex> lock(mu_);
  --in_flight_;
  data.clear();
  spare_buffers_.push_back(std::move(data));
  if (!resp.ok()) {
    if (error_.ok()) {
      error_ = resp.status().WithContext("part " + std::to_string(part_number) + " of " +
                                         client_->Uri(key_));
    }
  } else {
    std::string etag = StripQuotes(resp->Header("etag"));
    if (etag.empty() && error_.ok()) {
      error_ = Status::IOError("no ETag for part " + std::to_string(part_number) + " of " +
                               client_->Uri(key_));
    }
    etags_[part_number] = etag;
  }
  cv_.notify_all();
}

void MultipartWriter::JoinAll() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

Result<ObjectInfo> MultipartWriter::Finish() {
  if (finished_ || aborted_) {
    return Status::InvalidArgument("Finish of " + client_->Uri(key_) + " after Finish/Abort");
  }
  if (upload_id_.empty()) {
    // Never filled a part: one plain PUT.
    auto r = client_->PutObject(key_, buffer_, options_.put);
    if (r.ok()) {
      finished_ = true;
      buffer_ = std::string();
    }
    return r;
  }
  Status st = StartPart();
  JoinAll();
  if (st.ok()) st = FirstError();
  if (!st.ok()) {
    (void)Abort();
    return st;
  }
  auto r = Complete();
  if (!r.ok()) {
    (void)Abort();
    return r;
  }
  finished_ = true;
  return r;
}

Result<ObjectInfo> MultipartWriter::Complete() {
  if (options_.put.if_absent) {
    auto head = client_->HeadObject(key_);
    if (head.ok()) return Status::AlreadyExists(client_->Uri(key_) + " already exists");
    if (!head.status().IsNotFound()) return head.status();
  }
  std::vector<CompletedPart> parts;
  for (const auto& [n, etag] : etags_) parts.push_back({n, etag});
  const std::string body = BuildCompleteMultipartUpload(parts);
  S3Request req;
  req.method = "POST";
  req.key = key_;
  req.query = {{"uploadId", upload_id_}};
  req.body = body;
  req.error_in_ok_body = true;
  if (options_.put.if_absent) req.headers.emplace_back("If-None-Match", "*");
  CallInfo info;
  auto resp = client_->Call(req, &info);
  std::string etag;
  if (!resp.ok()) {
    // A completion whose answer was lost leaves the upload gone (NoSuchUpload on the retry) or,
    // with If-None-Match, the object "already there": if the object now has our size, it is ours.
    bool check = info.maybe_applied &&
                 (info.error_code == "NoSuchUpload" || resp.status().IsAlreadyExists());
    if (!check) return resp.status();
    LP_ASSIGN_OR_RETURN(ObjectInfo now, client_->HeadObject(key_));
    if (now.size != bytes_written_) return resp.status();
    upload_id_.clear();
    return now;
  }
  LP_ASSIGN_OR_RETURN(etag, ParseCompleteMultipartUpload(resp->body));
  upload_id_.clear();
  if (etag.empty()) {
    // Ceph 16 answers with an empty <ETag>; HEAD has the right one.
    return client_->HeadObject(key_);
  }
  ObjectInfo out;
  out.key = key_;
  out.size = bytes_written_;
  out.etag = etag;
  out.mtime_ns = ParseHttpDate(resp->Header("date"));
  return out;
}

Status MultipartWriter::Abort() {
  if (finished_ || aborted_) return Status::OK();
  aborted_ = true;
  JoinAll();
  buffer_ = std::string();
  if (upload_id_.empty()) return Status::OK();
  S3Request req;
  req.method = "DELETE";
  req.key = key_;
  req.query = {{"uploadId", upload_id_}};
  CallInfo info;
  auto resp = client_->Call(req, &info);
  if (!resp.ok() && info.error_code != "NoSuchUpload") return resp.status();
  upload_id_.clear();
  return Status::OK();
}

}  // namespace lakepack::s3
