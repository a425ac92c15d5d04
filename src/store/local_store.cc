#include "store/local_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>
#include <utility>

#include "store/local_listing.h"

namespace fs = std::filesystem;

namespace lakepack {
namespace {

constexpr std::string_view kTempMarker = ".lakepack-tmp-";

Status ErrnoStatus(const std::string& what, const std::string& path, int err) {
  std::string msg = what + " " + path + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return Status::NotFound(msg);
    case EEXIST:
      return Status::AlreadyExists(msg);
    case EACCES:
    case EPERM:
      return Status::PermissionDenied(msg);
    default:
      return Status::IOError(msg);
  }
}

std::string RandomHex() {
  thread_local std::mt19937_64 rng(std::random_device{}() ^
                                   std::hash<std::thread::id>{}(std::this_thread::get_id()));
  char buf[17];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

Status ValidateKey(const std::string& key) {
  if (key.empty() || key.back() == '/') {
    return Status::InvalidArgument("not an object key: '" + key + "'");
  }
  // Refuse keys that would escape the root or alias another key.
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string::npos) end = key.size();
    std::string_view part(key.data() + start, end - start);
    if (part.empty() || part == "." || part == "..") {
      return Status::InvalidArgument("object key has an empty, '.' or '..' segment: '" + key + "'");
    }
    start = end + 1;
  }
  return Status::OK();
}

// A listing prefix: "" (everything), a directory ("a/b/") or a key prefix ("a/b/c"); no segment
// may be "." or "..", nor empty but a trailing one, so a listing never leaves the root
// (issue 13, WR-7: list("../") listed the root's parent).
Status ValidatePrefix(const std::string& prefix) {
  size_t start = 0;
  while (start < prefix.size()) {
    size_t end = prefix.find('/', start);
    if (end == std::string::npos) end = prefix.size();
    std::string_view part(prefix.data() + start, end - start);
    if ((part.empty() && end < prefix.size()) || part == "." || part == "..") {
      return Status::InvalidArgument("listing prefix has an empty, '.' or '..' segment: '" +
                                     prefix + "'");
    }
    start = end + 1;
  }
  return Status::OK();
}

// Moves a finished temp file to its final name; link(2) when the name must not exist yet.
Status Commit(const std::string& tmp, const std::string& final_path, bool if_absent,
              const std::string& uri) {
  if (if_absent) {
    if (::link(tmp.c_str(), final_path.c_str()) != 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      if (err == EEXIST) return Status::AlreadyExists(uri + " already exists");
      return ErrnoStatus("link", final_path, err);
    }
    ::unlink(tmp.c_str());
    return Status::OK();
  }
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoStatus("rename", final_path, err);
  }
  return Status::OK();
}

class LocalWriter final : public ObjectWriter {
 public:
  LocalWriter(std::string key, std::string final_path, std::string tmp_path, int fd, bool if_absent,
              std::string uri, bool direct_io)
      : key_(std::move(key)),
        final_path_(std::move(final_path)),
        tmp_path_(std::move(tmp_path)),
        fd_(fd),
        if_absent_(if_absent),
        uri_(std::move(uri)) {
    if (direct_io) {
      int flags = ::fcntl(fd_, F_GETFL);
      // File systems without O_DIRECT (tmpfs) refuse it here; such writes stay buffered.
      direct_ = flags >= 0 && ::fcntl(fd_, F_SETFL, flags | O_DIRECT) == 0;
    }
  }
  ~LocalWriter() override { (void)Abort(); }

  Status Write(const void* data, size_t size) override {
    if (fd_ < 0) return Status::Internal("write to a finished or aborted writer for " + uri_);
    if (direct_ && (reinterpret_cast<uintptr_t>(data) % kDirectIoAlignment != 0 ||
                    size % kDirectIoAlignment != 0)) {
      StopDirect();
    }
    const char* p = static_cast<const char*>(data);
    size_t left = size;
    while (left > 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EINVAL && direct_) {  // the device wants a larger alignment
          StopDirect();
          continue;
        }
        return ErrnoStatus("write", tmp_path_, errno);
      }
      p += n;
      left -= static_cast<size_t>(n);
      if (direct_ && n % static_cast<ssize_t>(kDirectIoAlignment) != 0) StopDirect();
    }
    bytes_ += static_cast<int64_t>(size);
    return Status::OK();
  }

  Result<ObjectInfo> Finish() override {
    if (fd_ < 0) return Status::Internal("Finish on a finished or aborted writer for " + uri_);
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) {
      int err = errno;
      ::unlink(tmp_path_.c_str());
      return ErrnoStatus("close", tmp_path_, err);
    }
    LP_RETURN_NOT_OK(Commit(tmp_path_, final_path_, if_absent_, uri_));
    struct stat st;
    if (::stat(final_path_.c_str(), &st) != 0) return ErrnoStatus("stat", final_path_, errno);
    return LocalObjectInfo(key_, st);
  }

  Status Abort() override {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
      ::unlink(tmp_path_.c_str());
    }
    return Status::OK();
  }

  int64_t bytes_written() const override { return bytes_; }

 private:
  // O_DIRECT needs the memory, the length and the file offset aligned to the device's logical
  // block size; 4 KiB covers the common ones (512 B and 4 KiB).
  static constexpr size_t kDirectIoAlignment = 4096;

  // Back to buffered writes for the rest of the file (the offset may now be unaligned).
  void StopDirect() {
    int flags = ::fcntl(fd_, F_GETFL);
    if (flags >= 0) ::fcntl(fd_, F_SETFL, flags & ~O_DIRECT);
    direct_ = false;
  }

  std::string key_, final_path_, tmp_path_;
  int fd_;
  bool direct_ = false;  // Invariant: every byte so far was written in aligned whole blocks
  bool if_absent_;
  std::string uri_;
  int64_t bytes_ = 0;
};

}  // namespace

Result<std::shared_ptr<LocalStore>> LocalStore::Make(std::string root) {
  if (root.empty() || root[0] != '/') {
    return Status::InvalidArgument("local store root must be an absolute path: '" + root + "'");
  }
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return std::make_shared<LocalStore>(PrivateTag{}, std::move(root));
}

bool LocalStore::IsTempName(std::string_view filename) {
  return filename.find(kTempMarker) != std::string_view::npos;
}

std::string LocalStore::root_uri() const { return "file://" + (root_ == "/" ? "" : root_); }

std::string LocalStore::LocalPath(const std::string& key) const {
  return root_ == "/" ? "/" + key : root_ + "/" + key;
}

Result<ObjectInfo> LocalStore::Head(const std::string& key) {
  LP_RETURN_NOT_OK(ValidateKey(key));
  std::string path = LocalPath(key);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::NotFound(path + " does not exist");
    return ErrnoStatus("stat", path, errno);
  }
  if (!S_ISREG(st.st_mode)) return Status::NotFound(path + " is not a file");
  return LocalObjectInfo(key, st);
}

Result<std::string> LocalStore::Get(const std::string& key) { return GetRange(key, 0, INT64_MAX); }

namespace {

// An open regular file, closed on scope exit.
class ReadFile {
 public:
  static Result<ReadFile> Open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT || errno == ENOTDIR) return Status::NotFound(path + " does not exist");
      return ErrnoStatus("open", path, errno);
    }
    ReadFile f(fd);
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      return Status::NotFound(path + " is not a file");
    }
    f.size_ = st.st_size;
    return f;
  }
  ReadFile(ReadFile&& o) noexcept : fd_(std::exchange(o.fd_, -1)), size_(o.size_) {}
  ~ReadFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  int64_t size() const { return size_; }
  // Reads exactly `n` bytes at `offset` (REQUIRES: within the file as stat'ed).
  Status ReadExactly(char* out, int64_t n, int64_t offset, const std::string& path) {
    int64_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, out + done, static_cast<size_t>(n - done), offset + done);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return ErrnoStatus("read", path, r < 0 ? errno : EIO);
      done += r;
    }
    return Status::OK();
  }

 private:
  explicit ReadFile(int fd) : fd_(fd) {}
  int fd_;
  int64_t size_ = 0;
};

}  // namespace

Result<std::string> LocalStore::GetRange(const std::string& key, int64_t offset, int64_t length) {
  LP_RETURN_NOT_OK(ValidateKey(key));
  if (offset < 0 || length < 0) return Status::InvalidArgument("negative range for " + key);
  std::string path = LocalPath(key);
  LP_ASSIGN_OR_RETURN(ReadFile file, ReadFile::Open(path));
  int64_t n = offset >= file.size() ? 0 : std::min<int64_t>(length, file.size() - offset);
  std::string out(static_cast<size_t>(n), '\0');
  LP_RETURN_NOT_OK(file.ReadExactly(out.data(), n, offset, path));
  return out;
}

Result<int64_t> LocalStore::ReadRange(const std::string& key, int64_t offset, int64_t length,
                                      char* out) {
  LP_RETURN_NOT_OK(ValidateKey(key));
  if (offset < 0 || length < 0) return Status::InvalidArgument("negative range for " + key);
  std::string path = LocalPath(key);
  LP_ASSIGN_OR_RETURN(ReadFile file, ReadFile::Open(path));
  int64_t n = offset >= file.size() ? 0 : std::min<int64_t>(length, file.size() - offset);
  LP_RETURN_NOT_OK(file.ReadExactly(out, n, offset, path));
  return n;
}

Result<ObjectInfo> LocalStore::Put(const std::string& key, std::string_view data,
                                   const PutOptions& options) {
  WriterOptions wo;
  wo.put = options;
  LP_ASSIGN_OR_RETURN(auto writer, OpenWriter(key, wo));
  LP_RETURN_NOT_OK(writer->Write(data.data(), data.size()));
  return writer->Finish();
}

Result<ListPage> LocalStore::List(const std::string& prefix, const ListOptions& options) {
  LP_RETURN_NOT_OK(ValidatePrefix(prefix));
  return ListLocalPage(root_, prefix, options, &LocalStore::IsTempName);
}

Status LocalStore::AbortIncompleteWrites(const std::string& key) {
  LP_RETURN_NOT_OK(ValidateKey(key));
  const std::filesystem::path p(LocalPath(key));
  const std::string temp_prefix = "." + p.filename().string() + std::string(kTempMarker);
  std::error_code ec;
  std::filesystem::directory_iterator it(p.parent_path(), ec);
  if (ec) return Status::OK();  // no directory: no temp file either
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(temp_prefix, 0) != 0) continue;
    if (::unlink(entry.path().c_str()) != 0 && errno != ENOENT) {
      return ErrnoStatus("delete", entry.path().string(), errno);
    }
  }
  return Status::OK();
}

Status LocalStore::Delete(const std::vector<std::string>& keys) {
  for (const auto& key : keys) {
    LP_RETURN_NOT_OK(ValidateKey(key));
    std::string path = LocalPath(key);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT && errno != ENOTDIR) {
      return ErrnoStatus("delete", path, errno);
    }
  }
  return Status::OK();
}

Result<ObjectInfo> LocalStore::Copy(const std::string& src_key, const std::string& dst_key) {
  LP_RETURN_NOT_OK(Head(src_key).status());
  LP_ASSIGN_OR_RETURN(auto writer, OpenWriter(dst_key, WriterOptions{}));
  std::string src = LocalPath(src_key);
  int fd = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", src, errno);
  std::string buf(1 << 20, '\0');
  while (true) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus("read", src, err);
    }
    if (n == 0) break;
    Status st = writer->Write(buf.data(), static_cast<size_t>(n));
    if (!st.ok()) {
      ::close(fd);
      return st;
    }
  }
  ::close(fd);
  return writer->Finish();
}

Result<std::unique_ptr<ObjectWriter>> LocalStore::OpenWriter(const std::string& key,
                                                             const WriterOptions& options) {
  LP_RETURN_NOT_OK(ValidateKey(key));
  std::string path = LocalPath(key);
  fs::path p(path);
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  if (ec)
    return Status::IOError("cannot create directory " + p.parent_path().string() + ": " +
                           ec.message());
  std::string tmp =
      (p.parent_path() / ("." + p.filename().string() + std::string(kTempMarker) + RandomHex()))
          .string();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("create", tmp, errno);
  return std::unique_ptr<ObjectWriter>(std::make_unique<LocalWriter>(
      key, path, tmp, fd, options.put.if_absent, Uri(key), options.direct_io));
}

}  // namespace lakepack
