#include "files/transfer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <thread>

#include "store/parallel_for.h"

namespace lakepack::files {
namespace {

namespace fs = std::filesystem;

Status Errno(const std::string& what, const std::string& path, int err) {
  return Status::IOError(what + " " + path + ": " + std::strerror(err));
}

// A unique temp name beside `path`, hidden, so listings of the directory skip it.
std::string TempPathFor(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  fs::path p(path);
  return (p.parent_path() / ("." + p.filename().string() + ".lakepack-tmp-" +
                             std::to_string(::getpid()) + "-" + std::to_string(counter++)))
      .string();
}

// An open file that is removed unless Commit() renamed it into place.
class TempFile {
 public:
  explicit TempFile(std::string final_path)
      : final_(std::move(final_path)), tmp_(TempPathFor(final_)) {}
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(tmp_.c_str());
  }
  Status Open() {
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    return fd_ < 0 ? Errno("create", tmp_, errno) : Status::OK();
  }
  Status WriteAt(const char* data, int64_t n, int64_t offset) {
    while (n > 0) {
      ssize_t w = ::pwrite(fd_, data, static_cast<size_t>(n), offset);
      if (w < 0) {
        if (errno == EINTR) continue;
        return Errno("write", tmp_, errno);
      }
      data += w;
      n -= w;
      offset += w;
    }
    return Status::OK();
  }
  // Closes, checks the size, renames into place.
  Status Commit(int64_t expected_size) {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return Errno("stat", tmp_, errno);
    if (st.st_size != expected_size) {
      return Status::IOError(final_ + ": wrote " + std::to_string(st.st_size) +
                             " bytes, expected " + std::to_string(expected_size));
    }
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return Errno("close", tmp_, errno);
    if (::rename(tmp_.c_str(), final_.c_str()) != 0) return Errno("rename", final_, errno);
    committed_ = true;
    return Status::OK();
  }

 private:
  std::string final_, tmp_;
  int fd_ = -1;
  bool committed_ = false;
};

// Local file → local file: the kernel copies (copy_file_range / sendfile).
Status CopyLocalFile(const std::string& src, const std::string& dst, int64_t* bytes) {
  std::error_code ec;
  const auto size = fs::file_size(src, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) {
      return Status::NotFound(src + ": no such file");
    }
    return Status::IOError("stat " + src + ": " + ec.message());
  }
  const std::string tmp = TempPathFor(dst);
  fs::copy_file(src, tmp, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    ::unlink(tmp.c_str());
    return Status::IOError("copy " + src + " to " + dst + ": " + ec.message());
  }
  const auto got = fs::file_size(tmp, ec);
  if (ec || got != size) {
    ::unlink(tmp.c_str());
    return Status::IOError(dst + ": copied " + std::to_string(ec ? 0 : got) + " bytes of " + src +
                           ", expected " + std::to_string(size));
  }
  if (::rename(tmp.c_str(), dst.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Errno("rename", dst, err);
  }
  *bytes = static_cast<int64_t>(size);
  return Status::OK();
}

}  // namespace

bool IsTransient(const Status& status) { return status.IsUnavailable(); }

Status WithRetries(int max_attempts, int* attempts, const std::function<Status()>& attempt) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  for (int a = 1;; ++a) {
    *attempts = a;
    Status st = attempt();
    if (st.ok() || !IsTransient(st) || a >= max_attempts) return st;
    // 20 ms doubling, jittered: the S3 client already waited through its own retries.
    const int base = 20 << std::min(a - 1, 6);
    std::this_thread::sleep_for(
        std::chrono::milliseconds(base / 2 + static_cast<int>(rng() % (base / 2 + 1))));
  }
}

Status FetchToFile(ObjectStore& store, const std::string& key, const std::string& path,
                   ByteBudget* budget, int64_t* bytes) {
  if (store.is_local()) return CopyLocalFile(store.LocalPath(key), path, bytes);
  const std::string uri = store.Uri(key);
  // First (and for small objects only) request: one byte more than kSmallObject tells
  // whether there is more.
  auto hold = std::make_unique<BudgetHold>(budget, kSmallObject + 1);
  std::unique_ptr<char[]> first(new char[kSmallObject + 1]);
  LP_ASSIGN_OR_RETURN(int64_t n, store.ReadRange(key, 0, kSmallObject + 1, first.get()));
  TempFile file(path);
  LP_RETURN_NOT_OK(file.Open());
  LP_RETURN_NOT_OK(file.WriteAt(first.get(), n, 0));
  if (n <= kSmallObject) {
    LP_RETURN_NOT_OK(file.Commit(n));
    *bytes = n;
    return Status::OK();
  }
  // Released before the ranges take theirs: a row never holds budget while waiting for more
  // (which, with every row doing so, could wait forever).
  first.reset();
  hold.reset();
  LP_ASSIGN_OR_RETURN(ObjectInfo info, store.Head(key));
  if (info.size < n) {
    return Status::Unavailable(uri + " shrank while being read (" + std::to_string(info.size) +
                               " bytes after " + std::to_string(n) + " were read)");
  }
  const int64_t total = info.size;
  const int64_t chunks = (total - n + kRangeChunk - 1) / kRangeChunk;
  LP_RETURN_NOT_OK(ParallelFor(0, chunks, kRangesInFlight, [&](int64_t c) -> Status {
    const int64_t begin = n + c * kRangeChunk, len = std::min(kRangeChunk, total - begin);
    BudgetHold h(budget, len);
    std::unique_ptr<char[]> buf(new char[len]);
    LP_ASSIGN_OR_RETURN(int64_t got, store.ReadRange(key, begin, len, buf.get()));
    if (got != len) {
      return Status::Unavailable(uri + ": range at offset " + std::to_string(begin) + " gave " +
                                 std::to_string(got) + " bytes, expected " + std::to_string(len) +
                                 " (the object changed while being read?)");
    }
    return file.WriteAt(buf.get(), len, begin);
  }));
  LP_RETURN_NOT_OK(file.Commit(total));
  *bytes = total;
  return Status::OK();
}

Result<std::string> FetchToMemory(ObjectStore& store, const std::string& key) {
  return store.Get(key);
}

Result<ObjectInfo> PutFile(ObjectStore& src_store, const std::string& src_key, ObjectStore& dst,
                           const std::string& key, ByteBudget* budget) {
  const std::string src_uri = src_store.Uri(src_key);
  if (src_store.is_local() && dst.is_local()) {
    const std::string dst_path = dst.LocalPath(key);
    std::error_code ec;
    fs::create_directories(fs::path(dst_path).parent_path(), ec);
    if (ec) return Status::IOError("mkdir for " + dst_path + ": " + ec.message());
    int64_t n = 0;
    LP_RETURN_NOT_OK(CopyLocalFile(src_store.LocalPath(src_key), dst_path, &n));
    ObjectInfo info;
    info.key = key;
    info.size = n;
    return info;
  }
  if (&src_store == &dst && !dst.is_local()) return dst.Copy(src_key, key);
  LP_ASSIGN_OR_RETURN(ObjectInfo src, src_store.Head(src_key));
  ObjectInfo out;
  if (src.size <= kSinglePutLimit) {
    BudgetHold hold(budget, src.size);
    LP_ASSIGN_OR_RETURN(std::string data, src_store.Get(src_key));
    if (static_cast<int64_t>(data.size()) != src.size) {
      return Status::Unavailable(src_uri + ": read " + std::to_string(data.size()) +
                                 " bytes, expected " + std::to_string(src.size));
    }
    // The S3 PUT carries Content-MD5: the server rejects a body that does not match.
    LP_ASSIGN_OR_RETURN(out, dst.Put(key, data));
  } else {
    BudgetHold hold(budget, kRangeChunk * kRangesInFlight);
    WriterOptions wo;
    wo.part_size = kRangeChunk;
    wo.max_parallel_parts = kRangesInFlight;
    LP_RETURN_NOT_OK(CopyObject(src_store, src_key, dst, key, wo));
    LP_ASSIGN_OR_RETURN(out, dst.Head(key));
  }
  if (out.size != src.size) {
    return Status::IOError(dst.Uri(key) + ": stored " + std::to_string(out.size) +
                           " bytes, expected " + std::to_string(src.size) + " from " + src_uri);
  }
  return out;
}

}  // namespace lakepack::files
