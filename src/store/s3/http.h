// http.h: the HTTP transport under the S3 client.
//
// HttpTransport sends one request and returns one response; it never retries (the S3 client
// does).  A request that never got an answer (connect failure, timeout, reset) is a response with
// status 0 and `failure` saying why, so the client can decide whether retrying is safe and useful.
//   - CurlTransport: libcurl, with a pool of easy handles so connections are reused.  The pool
//     belongs to one process: after fork() the child never touches the parent's handles or
//     connections (see CurlTransport), and every answer is checked against its request's framing
//     (see CheckResponseFraming) so that a mixed-up answer is a transport failure, never data;
//   - FaultInjectingTransport: a test decorator that makes a fraction of requests fail, either
//     before they are sent (a synthetic 503 SlowDown) or after the server did the work (the
//     response is dropped and reported as a connection reset).
//
// Thread-safety: both transports are safe to use from many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "lakepack/status.h"
#include "store/s3/sigv4.h"

namespace lakepack::s3 {

struct HttpRequest {
  std::string method;  // GET, HEAD, PUT, POST, DELETE
  std::string url;     // absolute, already percent-encoded
  HeaderList headers;
  // The body, streamed from the caller's memory without a copy.  REQUIRES: stays valid until
  // Send() returns.
  std::string_view body;
  // GET: a 206 Partial Content body is written here, the caller's memory, instead of to
  // HttpResponse::body (no allocation, no fresh pages).  Any other answer (an error, a 200 with
  // the whole object) still goes to HttpResponse::body.  REQUIRES: room for
  // `partial_sink_capacity` bytes, valid until Send() returns; a longer body fails the request.
  char* partial_sink = nullptr;
  size_t partial_sink_capacity = 0;
};

enum class TransportFailure {
  kNone = 0,
  kConnect,  // could not connect (refused, unreachable): the request was not received
  kResolve,  // host name did not resolve: the request was not received
  kTimeout,  // connect or transfer timed out: the server may or may not have acted
  kReset,    // connection broken mid-exchange: the server may or may not have acted
  // TLS handshake or certificate verification failed (unknown CA, wrong host name, a server that
  // does not speak TLS): the request was not sent, and sending it again changes nothing.
  kTls,
  kOther,
};

struct HttpResponse {
  int status = 0;  // 0 when there is no response (see failure)
  TransportFailure failure = TransportFailure::kNone;
  std::string error;   // the transport's description of `failure`
  HeaderList headers;  // names lower-cased
  std::string body;
  size_t sink_bytes = 0;  // bytes written to HttpRequest::partial_sink

  // The value of header `name` (lower case), or "".
  std::string Header(std::string_view name) const;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends `request`.  Transport failures are reported in the response (status 0), not as an
  // error status; an error status means the request could not even be attempted.
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

// What to check when a TLS connection fails; part of every TLS error message.
inline constexpr const char* kTlsHint =
    "hint: the server's certificate must be signed by a trusted CA and name the endpoint's host; "
    "to trust a private CA, set AWS_CA_BUNDLE or --ca-bundle to its PEM file";

struct CurlOptions {
  // Seconds to establish a TCP connection: long enough for a busy local server, short enough
  // that an unreachable endpoint fails fast.
  long connect_timeout_s = 10;
  // A transfer slower than low_speed_bytes per second for low_speed_time_s seconds is aborted
  // as a timeout (a stalled connection), whatever the object size.
  long low_speed_bytes = 1024;
  long low_speed_time_s = 30;
  // HTTPS: a PEM file of the CAs to trust instead of the system's ("" = the system's store).
  // Certificates and host names are always verified.
  std::string ca_bundle;
};

// Why `response` cannot be the answer to `request`, or "" when its framing is consistent: the
// status line's code is the one curl reports; the body length is the Content-Length; a 206
// answers a request with a Range header, and its Content-Range starts at the requested first byte,
// ends at the requested last byte (or the object's last), and counts exactly the bytes received.
// `status_line_code` is the code of the last status line seen (-1: none).  Pure; for tests too.
std::string CheckResponseFraming(const HttpRequest& request, const HttpResponse& response,
                                 int status_line_code);

// Fork safety.  Handles and their keep-alive sockets are tagged with the process that opened
// them.  After fork() (noticed by pthread_atfork and, for forks that bypass it, by a pid check on
// every request) the child abandons the parent's pooled handles without cleaning them up (a
// cleanup could send a TLS close_notify on the shared socket and so break the parent's
// connection) and closes only its own copies of the parent's sockets (close(), never shutdown():
// the parent's connections stay open).  The handles' memory is left behind once per fork.  The
// pool's mutex is held across fork() so a child never inherits it locked.
class CurlTransport final : public HttpTransport {
 public:
  static Result<std::unique_ptr<CurlTransport>> Make(const CurlOptions& options = {});
  ~CurlTransport() override;
  Result<HttpResponse> Send(const HttpRequest& request) override;

  // The process and fork generation this pool belongs to; a pool is adopted by the process that
  // next uses it.  For tests.
  int64_t owner_pid() const;

 private:
  friend struct CurlForkHooks;
  explicit CurlTransport(const CurlOptions& options);
  void* Acquire();             // a CURL* from the pool, or a new one (nullptr on failure)
  void Release(void* handle);  // back to the pool, keeping its connection alive
  void Discard(void* handle);  // a handle whose connection is suspect: cleaned up, not pooled
  // REQUIRES: mu_ held.  After a fork, forgets the parent's handles and closes this process's
  // copies of the parent's sockets.
  void AdoptLocked();

  CurlOptions options_;
  mutable std::mutex mu_;
  std::vector<void*> idle_;  // CURL* handles; guarded by mu_
  // The fds this process's handles opened (libcurl's socket callbacks record them; CLOEXEC).
  std::vector<int> sockets_;  // guarded by mu_
  int64_t pid_;               // the process that owns idle_ and sockets_; guarded by mu_
  uint64_t fork_generation_;  // of that process (see CurlForkHooks); guarded by mu_
};

class FaultInjectingTransport final : public HttpTransport {
 public:
  // REQUIRES: 0 <= rate <= 1.
  FaultInjectingTransport(std::shared_ptr<HttpTransport> inner, double rate, uint64_t seed)
      : inner_(std::move(inner)), rate_(rate), rng_(seed) {}
  Result<HttpResponse> Send(const HttpRequest& request) override;
  int64_t injected() const;

 private:
  std::shared_ptr<HttpTransport> inner_;
  double rate_;
  mutable std::mutex mu_;
  std::mt19937_64 rng_;   // guarded by mu_
  int64_t injected_ = 0;  // guarded by mu_
};

}  // namespace lakepack::s3
