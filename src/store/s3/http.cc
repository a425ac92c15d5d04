#include "store/s3/http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <set>

namespace lakepack::s3 {
namespace {

struct UploadState {
  std::string_view body;
  size_t pos = 0;
};

size_t ReadBody(char* buffer, size_t size, size_t nitems, void* userdata) {
  auto* st = static_cast<UploadState*>(userdata);
  size_t n = std::min(size * nitems, st->body.size() - st->pos);
  std::memcpy(buffer, st->body.data() + st->pos, n);
  st->pos += n;
  return n;
}

int SeekBody(void* userdata, curl_off_t offset, int origin) {
  auto* st = static_cast<UploadState*>(userdata);
  if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > st->body.size()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  st->pos = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

struct DownloadState {
  CURL* curl;
  HttpResponse* resp;
  char* sink;
  size_t capacity;
  int use_sink = -1;  // decided at the first body bytes, once the status is known
};

size_t WriteBody(char* ptr, size_t size, size_t nmemb, void* userdata) {
  auto* st = static_cast<DownloadState*>(userdata);
  const size_t n = size * nmemb;
  if (st->use_sink < 0) {
    long code = 0;
    curl_easy_getinfo(st->curl, CURLINFO_RESPONSE_CODE, &code);
    st->use_sink = st->sink != nullptr && code == 206;
  }
  if (!st->use_sink) {
    st->resp->body.append(ptr, n);
    return n;
  }
  if (n > st->capacity - st->resp->sink_bytes) return 0;  // longer than asked: fail the transfer
  std::memcpy(st->sink + st->resp->sink_bytes, ptr, n);
  st->resp->sink_bytes += n;
  return n;
}

struct HeaderState {
  HttpResponse* resp;
  int status_line_code = -1;  // of the last status line; 0 when it was malformed
};

// "HTTP/1.1 206 Partial Content" → 206; 0 when malformed.
int StatusLineCode(std::string_view line) {
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos || line.size() < sp + 4) return 0;
  int code = 0;
  auto [end, ec] = std::from_chars(line.data() + sp + 1, line.data() + sp + 4, code);
  if (ec != std::errc() || end != line.data() + sp + 4 || code < 100 || code > 999) return 0;
  if (line.size() > sp + 4 && line[sp + 4] != ' ' && line[sp + 4] != '\r') return 0;
  return code;
}

size_t WriteHeader(char* ptr, size_t size, size_t nitems, void* userdata) {
  auto* hs = static_cast<HeaderState*>(userdata);
  HttpResponse* resp = hs->resp;
  std::string_view line(ptr, size * nitems);
  if (line.rfind("HTTP/", 0) == 0) {
    resp->headers.clear();  // a new status line (after 100 Continue, say) starts afresh
    hs->status_line_code = StatusLineCode(line);
    return size * nitems;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * nitems;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  if (name == "content-length") {
    // Size the body once: growing it by appends copies it ~log2(n) times and faults in every
    // new page again (seen as most of a 1 GiB download's system time).
    constexpr int64_t kMaxReserve = int64_t{1} << 30;
    int64_t n = std::strtoll(std::string(value).c_str(), nullptr, 10);
    if (n > 0 && n <= kMaxReserve) resp->body.reserve(static_cast<size_t>(n));
  }
  resp->headers.emplace_back(std::move(name), std::string(value));
  return size * nitems;
}

TransportFailure Classify(CURLcode code, std::string_view error) {
  switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CIPHER:
    case CURLE_USE_SSL_FAILED:
      return TransportFailure::kTls;
    case CURLE_COULDNT_CONNECT:
      return TransportFailure::kConnect;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportFailure::kResolve;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportFailure::kTimeout;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return TransportFailure::kReset;
    case CURLE_SSL_CONNECT_ERROR:
      // A handshake the peer broke off (reset, EOF) is a connection problem worth retrying; one
      // that failed on its content ("wrong version number": not a TLS server) is not.
      return error.find("reset") != std::string_view::npos ||
                     error.find("SYSCALL") != std::string_view::npos ||
                     error.find("EOF") != std::string_view::npos
                 ? TransportFailure::kReset
                 : TransportFailure::kTls;
    default:
      return TransportFailure::kOther;
  }
}

std::once_flag g_curl_init;

// A whole decimal int64 ("" or anything else: false).
bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// The Range header of `request` as [first, last] (last = -1 for "bytes=N-"); false if absent.
bool RequestedRange(const HttpRequest& request, int64_t* first, int64_t* last, bool* malformed) {
  *malformed = false;
  for (const auto& [k, v] : request.headers) {
    if (strcasecmp(k.c_str(), "range") != 0) continue;
    std::string_view r(v);
    size_t dash = r.find('-');
    if (r.rfind("bytes=", 0) != 0 || dash == std::string_view::npos ||
        !ParseInt64(r.substr(6, dash - 6), first)) {
      *malformed = true;  // suffix ranges and lists are not ours: no check
      return true;
    }
    std::string_view end = r.substr(dash + 1);
    *last = -1;
    if (!end.empty() && !ParseInt64(end, last)) *malformed = true;
    return true;
  }
  return false;
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return "";
}

std::string CheckResponseFraming(const HttpRequest& request, const HttpResponse& response,
                                 int status_line_code) {
  const int status = response.status;
  if (status_line_code != status) {
    return "status line code " + std::to_string(status_line_code) + " but status " +
           std::to_string(status);
  }
  const int64_t received = static_cast<int64_t>(response.body.size() + response.sink_bytes);
  const bool has_body = request.method != "HEAD" && status != 204 && status != 304;
  const std::string length_text = response.Header("content-length");
  if (has_body && !length_text.empty()) {
    int64_t length = 0;
    if (!ParseInt64(length_text, &length)) return "bad Content-Length '" + length_text + "'";
    if (length != received) {
      return "Content-Length " + length_text + " but " + std::to_string(received) + " body bytes";
    }
  }
  int64_t first = 0, last = -1;
  bool malformed = false;
  const bool ranged = RequestedRange(request, &first, &last, &malformed);
  if (status != 206) return "";
  if (!ranged) return "206 Partial Content for a request without a Range";
  if (malformed) return "";
  // "bytes a-b/total" or "bytes a-b/*"
  const std::string cr = response.Header("content-range");
  std::string_view v(cr);
  const size_t dash = v.find('-'), slash = v.find('/');
  int64_t a = 0, b = 0, total = -1;
  if (v.rfind("bytes ", 0) != 0 || dash == std::string_view::npos ||
      slash == std::string_view::npos || dash > slash || !ParseInt64(v.substr(6, dash - 6), &a) ||
      !ParseInt64(v.substr(dash + 1, slash - dash - 1), &b) ||
      (v.substr(slash + 1) != "*" && !ParseInt64(v.substr(slash + 1), &total)) || b < a ||
      (total >= 0 && b >= total)) {
    return "bad Content-Range '" + cr + "'";
  }
  const int64_t expected_last =
      last < 0 ? (total >= 0 ? total - 1 : b) : (total >= 0 ? std::min(last, total - 1) : last);
  if (a != first || b != expected_last) {
    return "Content-Range '" + cr + "' for the requested " +
           (last < 0 ? "bytes=" + std::to_string(first) + "-"
                     : "bytes=" + std::to_string(first) + "-" + std::to_string(last));
  }
  if (received != b - a + 1) {
    return "Content-Range '" + cr + "' but " + std::to_string(received) + " body bytes";
  }
  return "";
}

// ---- fork safety ----
//
// The atfork hooks hold every live transport's mutex across fork() (prepare → parent/child), so
// no child starts with a pool locked by a thread that does not exist in it, and count forks so a
// child's transports know their pools are the parent's.
struct CurlForkHooks {
  static std::mutex& RegistryMu() {
    static auto* mu = new std::mutex;  // leaked: atfork hooks may run during exit
    return *mu;
  }
  static std::set<CurlTransport*>& Registry() {
    static auto* live = new std::set<CurlTransport*>;
    return *live;
  }
  static std::atomic<uint64_t>& Generation() {
    static std::atomic<uint64_t> generation{0};
    return generation;
  }
  static void Install() {
    static std::once_flag once;
    std::call_once(once, [] { pthread_atfork(Prepare, Parent, Child); });
  }
  static void Prepare() {
    RegistryMu().lock();
    for (CurlTransport* t : Registry()) t->mu_.lock();
  }
  static void Parent() {
    for (CurlTransport* t : Registry()) t->mu_.unlock();
    RegistryMu().unlock();
  }
  static void Child() {
    Generation().fetch_add(1);
    Parent();
  }
  // libcurl's socket callbacks: every socket a transport's handles open is recorded (and made
  // CLOEXEC, so a credential_process child does not inherit it either).
  static curl_socket_t OpenSocket(void* self, curlsocktype purpose, curl_sockaddr* addr) {
    auto* t = static_cast<CurlTransport*>(self);
    int fd = ::socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
    if (fd < 0) return CURL_SOCKET_BAD;
    std::lock_guard<std::mutex> lock(t->mu_);
    t->AdoptLocked();
    t->sockets_.push_back(fd);
    return fd;
  }
  static int CloseSocket(void* self, curl_socket_t fd) {
    auto* t = static_cast<CurlTransport*>(self);
    {
      std::lock_guard<std::mutex> lock(t->mu_);
      auto it = std::find(t->sockets_.begin(), t->sockets_.end(), fd);
      if (it != t->sockets_.end()) t->sockets_.erase(it);
    }
    return ::close(fd);
  }
};

CurlTransport::CurlTransport(const CurlOptions& options)
    : options_(options), pid_(::getpid()), fork_generation_(CurlForkHooks::Generation().load()) {
  CurlForkHooks::Install();
  std::lock_guard<std::mutex> lock(CurlForkHooks::RegistryMu());
  CurlForkHooks::Registry().insert(this);
}

void CurlTransport::AdoptLocked() {
  const int64_t pid = ::getpid();
  const uint64_t generation = CurlForkHooks::Generation().load();
  if (pid == pid_ && generation == fork_generation_) return;
  // The parent's handles and connections: never used, never cleaned up here (see the header).
  idle_.clear();
  for (int fd : sockets_) ::close(fd);  // this process's copies only; the parent keeps its own
  sockets_.clear();
  pid_ = pid;
  fork_generation_ = generation;
}

int64_t CurlTransport::owner_pid() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pid_;
}

Result<std::unique_ptr<CurlTransport>> CurlTransport::Make(const CurlOptions& options) {
  CURLcode rc = CURLE_OK;
  std::call_once(g_curl_init, [&rc] { rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (rc != CURLE_OK) {
    return Status::Internal(std::string("curl_global_init failed: ") + curl_easy_strerror(rc));
  }
  return std::unique_ptr<CurlTransport>(new CurlTransport(options));
}

CurlTransport::~CurlTransport() {
  {
    std::lock_guard<std::mutex> lock(CurlForkHooks::RegistryMu());
    CurlForkHooks::Registry().erase(this);
  }
  std::vector<void*> own;
  {
    std::lock_guard<std::mutex> lock(mu_);
    AdoptLocked();  // in a child: the parent's handles are not ours to clean up
    own.swap(idle_);
  }
  for (void* h : own) curl_easy_cleanup(static_cast<CURL*>(h));  // closes through CloseSocket
}

void* CurlTransport::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    AdoptLocked();
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void CurlTransport::Release(void* handle) {
  std::lock_guard<std::mutex> lock(mu_);
  AdoptLocked();
  idle_.push_back(handle);
}

void CurlTransport::Discard(void* handle) { curl_easy_cleanup(static_cast<CURL*>(handle)); }

Result<HttpResponse> CurlTransport::Send(const HttpRequest& request) {
  CURL* curl = static_cast<CURL*>(Acquire());
  if (!curl) return Status::Internal("curl_easy_init failed");
  curl_easy_reset(curl);  // keeps the handle's live connections and DNS cache

  HttpResponse resp;
  UploadState upload{request.body, 0};
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);  // keys may contain "." and ".." segments
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, options_.connect_timeout_s);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, options_.low_speed_bytes);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, options_.low_speed_time_s);
  // Verification is libcurl's default; set explicitly so that no build or environment turns it
  // off.
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_bundle.empty()) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_bundle.c_str());
    curl_easy_setopt(curl, CURLOPT_CAPATH, nullptr);
  }
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  DownloadState download{curl, &resp, request.partial_sink, request.partial_sink_capacity};
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &download);
  HeaderState header_state{&resp};
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &header_state);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, CurlForkHooks::OpenSocket);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, this);
  curl_easy_setopt(curl, CURLOPT_CLOSESOCKETFUNCTION, CurlForkHooks::CloseSocket);
  curl_easy_setopt(curl, CURLOPT_CLOSESOCKETDATA, this);

  const bool has_body = request.method == "PUT" || request.method == "POST";
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (has_body) {
    // UPLOAD streams the body through ReadBody with a known Content-Length; CUSTOMREQUEST only
    // renames the method (POST for multipart calls).
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, SeekBody);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    if (request.method != "PUT") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "POST");
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  curl_slist* headers = nullptr;
  for (const auto& [k, v] : request.headers) {
    headers = curl_slist_append(headers, (k + ": " + v).c_str());
  }
  // No "Expect: 100-continue" round trip, and no Accept header nobody signed.
  headers = curl_slist_append(headers, "Expect:");
  headers = curl_slist_append(headers, "Accept:");
  if (has_body) {
    bool has_type = false;
    for (const auto& [k, v] : request.headers) {
      has_type |= (strcasecmp(k.c_str(), "content-type") == 0);
    }
    if (!has_type) headers = curl_slist_append(headers, "Content-Type:");
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    resp.status = 0;
    resp.error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    resp.failure = Classify(rc, resp.error);
    resp.headers.clear();
    resp.body.clear();
    resp.sink_bytes = 0;
    // A broken connection is not worth keeping; a fresh handle reconnects.
    Discard(curl);
    return resp;
  }
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  resp.status = static_cast<int>(code);
  const std::string mismatch = CheckResponseFraming(request, resp, header_state.status_line_code);
  if (!mismatch.empty()) {
    // Not this request's answer (or not all of it): the connection is out of step, so it is
    // dropped, and the caller sees a reset it may retry, never these bytes as data.
    HttpResponse lost;
    lost.failure = TransportFailure::kReset;
    lost.error = "the answer does not match the request (" + mismatch + ")";
    Discard(curl);
    return lost;
  }
  Release(curl);
  return resp;
}

Result<HttpResponse> FaultInjectingTransport::Send(const HttpRequest& request) {
  enum { kNone, kSlowDown, kDropResponse } fault = kNone;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    if (u(rng_) < rate_) {
      fault = u(rng_) < 0.5 ? kSlowDown : kDropResponse;
      ++injected_;
    }
  }
  if (fault == kSlowDown) {
    HttpResponse resp;
    resp.status = 503;
    resp.headers.emplace_back("content-type", "application/xml");
    resp.body =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code><Message>"
        "Please reduce your request rate. (injected by lakepack's FaultInjectingTransport)"
        "</Message></Error>";
    return resp;
  }
  LP_ASSIGN_OR_RETURN(HttpResponse resp, inner_->Send(request));
  if (fault == kDropResponse && resp.status != 0) {
    HttpResponse lost;
    lost.failure = TransportFailure::kReset;
    lost.error =
        "connection reset after the request was sent (injected by "
        "FaultInjectingTransport; the server answered " +
        std::to_string(resp.status) + ")";
    return lost;
  }
  return resp;
}

int64_t FaultInjectingTransport::injected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return injected_;
}

}  // namespace lakepack::s3
