#include "store/s3/http.h"

#include <cstdlib>

#include <curl/curl.h>
#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cstring>

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

size_t WriteHeader(char* ptr, size_t size, size_t nitems, void* userdata) {
  auto* resp = static_cast<HttpResponse*>(userdata);
  std::string_view line(ptr, size * nitems);
  if (line.rfind("HTTP/", 0) == 0) {
    resp->headers.clear();  // a new status line (after 100 Continue, say) starts afresh
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

TransportFailure Classify(CURLcode code) {
  switch (code) {
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
    case CURLE_SSL_CONNECT_ERROR:
      return TransportFailure::kReset;
    default:
      return TransportFailure::kOther;
  }
}

std::once_flag g_curl_init;

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return "";
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
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* CurlTransport::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
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
  idle_.push_back(handle);
}

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
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  DownloadState download{curl, &resp, request.partial_sink, request.partial_sink_capacity};
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &download);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &resp);

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
    resp.failure = Classify(rc);
    resp.error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    resp.headers.clear();
    resp.body.clear();
    resp.sink_bytes = 0;
    // A broken connection is not worth keeping; a fresh handle reconnects.
    curl_easy_cleanup(curl);
    return resp;
  }
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  resp.status = static_cast<int>(code);
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
