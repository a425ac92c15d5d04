// The HTTP transport on its own: the framing check of every answer (pure, and through
// CurlTransport against a raw keep-alive server on 127.0.0.1), and fork safety of the handle pool.
#include "store/s3/http.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <thread>

namespace lakepack::s3 {
namespace {

HttpRequest Get(std::string range = "") {
  HttpRequest r;
  r.method = "GET";
  r.url = "http://127.0.0.1/b/k";
  if (!range.empty()) r.headers.emplace_back("Range", range);
  return r;
}

HttpResponse Answer(int status, std::string body, HeaderList headers) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST(CheckResponseFraming, AcceptsConsistentAnswers) {
  EXPECT_EQ(CheckResponseFraming(Get(), Answer(200, "abc", {{"content-length", "3"}}), 200), "");
  EXPECT_EQ(CheckResponseFraming(Get(), Answer(200, "abc", {}), 200), "");  // chunked
  EXPECT_EQ(
      CheckResponseFraming(
          Get("bytes=0-3"),
          Answer(206, "abcd", {{"content-length", "4"}, {"content-range", "bytes 0-3/10"}}), 206),
      "");
  // The range runs past the end: the object's last byte ends it.
  EXPECT_EQ(
      CheckResponseFraming(
          Get("bytes=8-8388607"),
          Answer(206, "ij", {{"content-length", "2"}, {"content-range", "bytes 8-9/10"}}), 206),
      "");
  EXPECT_EQ(CheckResponseFraming(Get("bytes=8-"),
                                 Answer(206, "ij", {{"content-range", "bytes 8-9/10"}}), 206),
            "");
  // A server may ignore the range and send it all.
  EXPECT_EQ(CheckResponseFraming(Get("bytes=0-3"),
                                 Answer(200, "abcdefghij", {{"content-length", "10"}}), 200),
            "");
  // HEAD: Content-Length is the object's, with no body.
  HttpRequest head = Get();
  head.method = "HEAD";
  EXPECT_EQ(CheckResponseFraming(head, Answer(200, "", {{"content-length", "10"}}), 200), "");
  // A partial sink counts as the body.
  HttpResponse sunk = Answer(206, "", {{"content-length", "4"}, {"content-range", "bytes 4-7/10"}});
  sunk.sink_bytes = 4;
  EXPECT_EQ(CheckResponseFraming(Get("bytes=4-7"), sunk, 206), "");
}

TEST(CheckResponseFraming, RejectsAnswersThatAreNotThisRequests) {
  // Another request's range (the fork mix-up, or a confused connection).
  EXPECT_NE(
      CheckResponseFraming(
          Get("bytes=0-3"),
          Answer(206, "efgh", {{"content-length", "4"}, {"content-range", "bytes 4-7/10"}}), 206),
      "");
  EXPECT_NE(
      CheckResponseFraming(
          Get("bytes=0-8388607"),
          Answer(206, "abcd", {{"content-length", "4"}, {"content-range", "bytes 0-3/10"}}), 206),
      "");
  // Fewer or more bytes than the range says.
  EXPECT_NE(CheckResponseFraming(Get("bytes=0-3"),
                                 Answer(206, "abc", {{"content-range", "bytes 0-3/10"}}), 206),
            "");
  // Body length is not Content-Length.
  EXPECT_NE(CheckResponseFraming(Get(), Answer(200, "abcd", {{"content-length", "3"}}), 200), "");
  EXPECT_NE(CheckResponseFraming(Get(), Answer(200, "abc", {{"content-length", "x3"}}), 200), "");
  // 206 to a request without a Range; a malformed or missing Content-Range.
  EXPECT_NE(CheckResponseFraming(Get(), Answer(206, "ab", {{"content-range", "bytes 0-1/2"}}), 206),
            "");
  EXPECT_NE(CheckResponseFraming(Get("bytes=0-1"), Answer(206, "ab", {}), 206), "");
  EXPECT_NE(CheckResponseFraming(Get("bytes=0-1"),
                                 Answer(206, "ab", {{"content-range", "bytes 1-0/2"}}), 206),
            "");
  EXPECT_NE(CheckResponseFraming(Get("bytes=0-1"),
                                 Answer(206, "ab", {{"content-range", "bytes 0-5/2"}}), 206),
            "");
  // The status line disagrees, or was malformed.
  EXPECT_NE(CheckResponseFraming(Get(), Answer(200, "", {}), 206), "");
  EXPECT_NE(CheckResponseFraming(Get(), Answer(200, "", {}), 0), "");
}

// A keep-alive HTTP/1.1 server on 127.0.0.1 that answers each request with answer(conn, request
// head) — conn numbers the accepted connections from 0.  Runs until destroyed.
class RawServer {
 public:
  explicit RawServer(std::function<std::string(int conn, const std::string& head)> answer)
      : answer_(std::move(answer)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] {
      for (int conn = 0;; ++conn) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0 || stop_) {
          if (c >= 0) ::close(c);
          return;
        }
        ++accepted_;
        std::thread([this, c, conn] { Serve(c, conn); }).detach();
      }
    });
  }
  ~RawServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    acceptor_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/b/k"; }
  int accepted() const { return accepted_; }

 private:
  void Serve(int c, int conn) {
    std::string buf;
    char tmp[4096];
    while (true) {
      size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::read(c, tmp, sizeof tmp);
        if (n <= 0) {
          ::close(c);
          return;
        }
        buf.append(tmp, static_cast<size_t>(n));
      }
      std::string head = buf.substr(0, end + 4);
      buf.erase(0, end + 4);
      const std::string out = answer_(conn, head);
      if (::write(c, out.data(), out.size()) != static_cast<ssize_t>(out.size())) break;
    }
    ::close(c);
  }

  std::function<std::string(int, const std::string&)> answer_;
  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
};

std::string Partial(const std::string& range, const std::string& body) {
  return "HTTP/1.1 206 Partial Content\r\nContent-Range: " + range +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(CurlTransport, AnswerForAnotherRangeIsAResetNotData) {
  std::atomic<int> served{0};
  RawServer server([&](int, const std::string&) {
    // First the answer to some other request (bytes 4-7), then the right one.
    return served++ == 0 ? Partial("bytes 4-7/10", "efgh") : Partial("bytes 0-3/10", "abcd");
  });
  auto t = CurlTransport::Make().ValueOrDie();
  HttpRequest req = Get("bytes=0-3");
  req.url = server.url();
  auto r = t->Send(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 0);
  EXPECT_EQ(r->failure, TransportFailure::kReset);
  EXPECT_NE(r->error.find("does not match the request"), std::string::npos) << r->error;
  EXPECT_TRUE(r->body.empty());
  // The suspect connection was dropped; the retry goes on a new one.
  r = t->Send(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body, "abcd");
  EXPECT_EQ(server.accepted(), 2);
}

// After fork() the child opens its own connection; the parent's pooled connection is left
// working (the child closed only its copy of the socket).
TEST(CurlTransport, ChildAfterForkNeverUsesTheParentsConnection) {
  RawServer server([](int conn, const std::string&) {
    const std::string body = "conn" + std::to_string(conn);
    return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  });
  auto t = CurlTransport::Make().ValueOrDie();
  HttpRequest req = Get();
  req.url = server.url();
  auto r = t->Send(req);  // pools a keep-alive connection (conn0)
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->body, "conn0");
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto c = t->Send(req);
    const bool own = c.ok() && c->status == 200 && c->body != "conn0";
    const bool adopted = t->owner_pid() == ::getpid();
    ::_exit(own && adopted ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  r = t->Send(req);  // the parent's connection still works and is still reused
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "conn0");
  EXPECT_EQ(server.accepted(), 2);
  EXPECT_EQ(t->owner_pid(), ::getpid());
}

}  // namespace
}  // namespace lakepack::s3
