// s3_client.h: signed S3 requests against one bucket, with retries and error mapping.
//
// Call() signs each attempt afresh (SigV4, credentials from the provider), sends it through the
// HttpTransport and retries transient failures: HTTP 500/502/503/504, SlowDown, RequestTimeout,
// InternalError, timeouts and connection resets (including an answer that does not match its
// request, see http.h), with exponential backoff and full jitter, at most
// StoreOptions::max_retries times and never longer than kMaxRetryTime in all (but a stalled
// transfer is retried at least kMinTimeoutRetries times).  A refused
// connection is retried only twice and a host that does not resolve not at all, so an unreachable
// endpoint fails in seconds with Unavailable naming it.  A TLS failure (an untrusted certificate,
// a wrong host name) is never retried: IOError naming the endpoint, with a hint.
//
// Bodies are signed (x-amz-content-sha256: their SHA-256) over http:// and sent as
// UNSIGNED-PAYLOAD over https://, unless the request brings its own hash (S3Request::body_sha256).
//
// Errors come back as Status: NoSuchKey → NotFound naming s3://bucket/key; NoSuchBucket →
// NotFound naming the bucket; 403, AccessDenied, SignatureDoesNotMatch, InvalidAccessKeyId →
// PermissionDenied with the code and a hint; 412 → AlreadyExists; retries exhausted →
// Unavailable saying how many attempts were made.
//
// Because a retried request may have been carried out by an attempt whose answer was lost,
// CallInfo::maybe_applied tells the caller to check non-idempotent outcomes (a conditional PUT
// answered 412, a CompleteMultipartUpload answered NoSuchUpload) before believing them.
//
// Thread-safety: an S3Client is safe to use from many threads at once.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

#include "lakepack/status.h"
#include "lakepack/store.h"
#include "store/s3/credentials.h"
#include "store/s3/http.h"
#include "store/s3/sigv4.h"

namespace lakepack::s3 {

// The retry budget in time: after this long, a call gives up even with retries left.
constexpr std::chrono::seconds kMaxRetryTime{30};
// A timed-out attempt (a stalled connection: CurlOptions::low_speed_time_s without progress) is
// retried at least this many times even past kMaxRetryTime: the stall alone can use up the time
// budget, and it says little about the next attempt, which goes on a fresh connection.
constexpr int kMinTimeoutRetries = 2;
// Retries of a refused connection: enough to ride out a server restart's blip, few enough that
// a wrong endpoint fails fast.
constexpr int kMaxConnectRetries = 2;

struct S3Request {
  std::string method;
  std::string key;        // "" for bucket-level requests (list, batch delete)
  HeaderList query;       // decoded
  HeaderList headers;     // signed and sent
  std::string_view body;  // REQUIRES: valid until Call() returns
  // GET of a range: where a 206 body goes (see HttpRequest::partial_sink).
  char* partial_sink = nullptr;
  size_t partial_sink_capacity = 0;
  std::string body_sha256;  // hex; "" → computed by Call()
  // CompleteMultipartUpload and CopyObject may answer 200 with an <Error> body; when set, such a
  // body is treated as that error (and retried if transient).
  bool error_in_ok_body = false;
  // Names the object in error messages when `key` is not the interesting one (copy source).
  std::string describe;
};

inline S3Request NewRequest(std::string method, std::string key) {
  S3Request r;
  r.method = std::move(method);
  r.key = std::move(key);
  return r;
}

struct CallInfo {
  std::string error_code;  // the S3 error code of the final answer ("" if none)
  int http_status = 0;     // of the final answer
  int attempts = 0;
  // An earlier attempt may have been carried out although its answer was lost.
  bool maybe_applied = false;
};

// The delay before retry number `retry` (0-based): uniform in [0, min(cap, base * 2^retry)].
std::chrono::milliseconds BackoffDelay(int retry, std::mt19937_64& rng);

class S3Client {
 public:
  // `transport` defaults to a CurlTransport, wrapped in a FaultInjectingTransport when
  // `fault_rate` (a test hook, store/test_hooks.h; or LAKEPACK_FAULT_RATE) is above 0.
  static Result<std::unique_ptr<S3Client>> Make(const std::string& bucket,
                                                const StoreOptions& options,
                                                std::shared_ptr<HttpTransport> transport = {},
                                                double fault_rate = 0.0);

  // Sends `request` with retries; returns the 2xx (or 304) response, or the mapped error.
  Result<HttpResponse> Call(const S3Request& request, CallInfo* info = nullptr);

  // HEAD of one object.
  Result<ObjectInfo> HeadObject(const std::string& key);
  // A single PUT (Content-MD5, signed payload, If-None-Match: * for if_absent).  A 412 after a
  // lost answer is checked with a HEAD: if the object now has our MD5, the PUT was ours.
  Result<ObjectInfo> PutObject(const std::string& key, std::string_view data,
                               const PutOptions& options);

  std::string Uri(std::string_view key) const;  // "s3://bucket/key"
  // Replaces kMaxRetryTime, so a test can reach the time budget without waiting 30 s.
  void set_max_retry_time_for_testing(std::chrono::milliseconds t) { max_retry_time_ = t; }
  const std::string& bucket() const { return bucket_; }
  const std::string& endpoint() const { return endpoint_; }
  const S3Config& config() const { return config_; }
  // Requests and body bytes of every Call() so far (each attempt counted).
  StoreStats stats() const;

 private:
  S3Client() = default;
  Status MapError(const S3Request& request, const HttpResponse& resp, const std::string& code,
                  const std::string& message) const;

  std::string bucket_;
  S3Config config_;
  std::string endpoint_;     // scheme://host[:port][/base], what URLs start with
  std::string host_;         // the Host header value
  std::string path_prefix_;  // "/bucket" (path style) or "" (virtual-hosted)
  std::string origin_;       // scheme://host[:port]
  bool https_ = false;
  int max_retries_ = 8;
  std::chrono::milliseconds max_retry_time_ = kMaxRetryTime;
  std::shared_ptr<HttpTransport> transport_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;  // backoff jitter; guarded by rng_mu_
  std::atomic<int64_t> requests_{0}, retries_{0}, bytes_sent_{0}, bytes_received_{0};
};

}  // namespace lakepack::s3
