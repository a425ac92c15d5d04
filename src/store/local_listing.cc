#include "store/local_listing.h"

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <list>
#include <memory>
#include <mutex>
#include <vector>

namespace lakepack {
namespace {

// A directory's snapshot is cached only once its mtime is this old.  File times tick with the
// kernel's coarse clock (1-10 ms); a second is far past any tick and any lag between a write and
// the mtime a stat() shows.
constexpr int64_t kStableMtimeNs = 1'000'000'000;
// Directories smaller than this are read and sorted in well under a millisecond: not cached.
constexpr size_t kCacheMinEntries = 1024;
// Snapshots kept: a few walks at once (pack lists its inputs and its outputs; several stores).
constexpr size_t kCacheDirs = 8;

struct Entry {
  std::string sort_name;  // the file's name, or the directory's name + "/"
  bool is_dir = false;
};
using Entries = std::shared_ptr<const std::vector<Entry>>;

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::string Join(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

class SnapshotCache {
 public:
  Entries Find(const std::string& path, int64_t mtime_ns) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = items_.begin(); it != items_.end(); ++it) {
      if (it->path == path) {
        if (it->mtime_ns != mtime_ns) {
          items_.erase(it);
          return nullptr;
        }
        items_.splice(items_.begin(), items_, it);  // most recently used first
        return items_.front().entries;
      }
    }
    return nullptr;
  }

  void Add(const std::string& path, int64_t mtime_ns, Entries entries) {
    std::lock_guard<std::mutex> lock(mu_);
    items_.remove_if([&](const Item& i) { return i.path == path; });
    items_.push_front(Item{path, mtime_ns, std::move(entries)});
    if (items_.size() > kCacheDirs) items_.pop_back();
  }

 private:
  struct Item {
    std::string path;
    int64_t mtime_ns;
    Entries entries;
  };
  std::mutex mu_;
  std::list<Item> items_;
};

SnapshotCache& Cache() {
  static SnapshotCache* cache = new SnapshotCache;  // never destroyed: used until exit
  return *cache;
}

// The directory's visible entries, sorted by sort_name; empty if it does not exist.
Result<Entries> ReadSorted(const std::string& path,
                           const std::function<bool(std::string_view)>& is_hidden) {
  struct stat dst;
  if (::stat(path.c_str(), &dst) != 0 || !S_ISDIR(dst.st_mode)) {
    return Entries(std::make_shared<const std::vector<Entry>>());
  }
  const int64_t mtime = MtimeNs(dst);
  if (Entries cached = Cache().Find(path, mtime)) return cached;

  DIR* d = ::opendir(path.c_str());
  if (!d) {
    if (errno == ENOENT || errno == ENOTDIR || errno == EACCES) {
      return Entries(std::make_shared<const std::vector<Entry>>());
    }
    return Status::IOError("listing " + path + ": " + std::strerror(errno));
  }
  auto entries = std::make_shared<std::vector<Entry>>();
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    bool is_dir = e->d_type == DT_DIR;
    bool is_file = e->d_type == DT_REG;
    if (e->d_type == DT_LNK || e->d_type == DT_UNKNOWN) {
      // A link to a file is listed (as the old walk did); a link to a directory is not followed.
      struct stat st;
      if (::stat(Join(path, name).c_str(), &st) != 0) continue;
      is_file = S_ISREG(st.st_mode);
      is_dir = e->d_type == DT_UNKNOWN && S_ISDIR(st.st_mode);
    }
    if (is_file && !is_hidden(name)) entries->push_back(Entry{std::move(name), false});
    if (is_dir) entries->push_back(Entry{name + "/", true});
  }
  ::closedir(d);
  std::sort(entries->begin(), entries->end(),
            [](const Entry& a, const Entry& b) { return a.sort_name < b.sort_name; });
  Entries result = std::move(entries);
  if (result->size() >= kCacheMinEntries && NowNs() - mtime >= kStableMtimeNs) {
    Cache().Add(path, mtime, result);
  }
  return result;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

class Walk {
 public:
  Walk(const std::string& prefix, const std::string& after, bool roll_up, int max_keys,
       const std::function<bool(std::string_view)>& is_hidden)
      : prefix_(prefix),
        after_(after),
        roll_up_(roll_up),
        max_keys_(max_keys),
        is_hidden_(is_hidden) {}

  // Lists the directory at `path`, whose keys start with `dir_key` ("" or ending in '/').
  Status Dir(const std::string& path, const std::string& dir_key) {
    LP_ASSIGN_OR_RETURN(Entries entries, ReadSorted(path, is_hidden_));
    const std::vector<Entry>& es = *entries;
    auto by_name = [](const Entry& e, const std::string& s) { return e.sort_name < s; };
    size_t i = 0;
    // Names before the prefix's last component cannot match (only the first directory of the
    // walk is above the prefix; deeper ones lie wholly inside it).
    std::string rel_prefix;
    if (prefix_.size() > dir_key.size()) {
      rel_prefix = prefix_.substr(dir_key.size());
      i = std::lower_bound(es.begin(), es.end(), rel_prefix, by_name) - es.begin();
    }
    // Skip what lies at or before the start key; a directory holding the start key is entered.
    if (!after_.empty() && StartsWith(after_, dir_key)) {
      const std::string rel_after = after_.substr(dir_key.size());
      size_t j =
          std::upper_bound(es.begin(), es.end(), rel_after,
                           [](const std::string& s, const Entry& e) { return s < e.sort_name; }) -
          es.begin();
      if (j > 0 && es[j - 1].is_dir && StartsWith(rel_after, es[j - 1].sort_name)) --j;
      i = std::max(i, j);
    }
    for (; i < es.size() && !full_; ++i) {
      const Entry& e = es[i];
      if (!StartsWith(e.sort_name, rel_prefix)) break;  // sorted: past the prefix's range
      const std::string key = dir_key + e.sort_name;
      const std::string child =
          Join(path, e.is_dir ? e.sort_name.substr(0, e.sort_name.size() - 1) : e.sort_name);
      if (!e.is_dir) {
        if (!after_.empty() && key <= after_) continue;
        struct stat st;
        if (::stat(child.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;  // gone since
        if (!Room(key)) return Status::OK();
        page_.objects.push_back(LocalObjectInfo(key, st));
        continue;
      }
      if (roll_up_) {  // one common prefix for everything below, if anything visible is there
        if (!after_.empty() && key <= after_) continue;
        LP_ASSIGN_OR_RETURN(bool any, HasVisibleFile(child));
        if (!any) continue;
        if (!Room(key)) return Status::OK();
        page_.common_prefixes.push_back(key);
        continue;
      }
      if (!after_.empty() && key <= after_ && !StartsWith(after_, key)) continue;
      LP_RETURN_NOT_OK(Dir(child, key));
    }
    return Status::OK();
  }

  ListPage TakePage() { return std::move(page_); }

 private:
  // Whether `name` fits on the page; when the page is already full, `name` proves there is a
  // next page, which starts after the page's last name.
  bool Room(const std::string& name) {
    if (count_ == max_keys_) {
      page_.next_continuation = last_;
      full_ = true;
      return false;
    }
    ++count_;
    last_ = name;
    return true;
  }

  Result<bool> HasVisibleFile(const std::string& path) {
    LP_ASSIGN_OR_RETURN(Entries entries, ReadSorted(path, is_hidden_));
    for (const Entry& e : *entries) {
      if (!e.is_dir) return true;
    }
    for (const Entry& e : *entries) {
      LP_ASSIGN_OR_RETURN(
          bool any, HasVisibleFile(Join(path, e.sort_name.substr(0, e.sort_name.size() - 1))));
      if (any) return true;
    }
    return false;
  }

  const std::string& prefix_;
  const std::string& after_;
  const bool roll_up_;
  const int max_keys_;
  const std::function<bool(std::string_view)>& is_hidden_;
  ListPage page_;
  int count_ = 0;
  std::string last_;
  bool full_ = false;
};

// Delimiters other than "/" cut keys anywhere, not at directories: every key is walked, then
// rolled up and paged here.
Result<ListPage> ListWithOtherDelimiter(const std::string& root, const std::string& dir_key,
                                        const std::string& prefix, const ListOptions& options,
                                        const std::string& after,
                                        const std::function<bool(std::string_view)>& is_hidden) {
  Walk all(prefix, std::string(), false, INT32_MAX, is_hidden);
  LP_RETURN_NOT_OK(
      all.Dir(dir_key.empty() ? root : Join(root, dir_key.substr(0, dir_key.size() - 1)), dir_key));
  ListPage everything = all.TakePage();
  std::vector<std::string> names;  // objects and rolled-up prefixes, merged in key order
  std::vector<ObjectInfo> objects;
  for (ObjectInfo& o : everything.objects) {
    size_t d = o.key.find(options.delimiter, prefix.size());
    if (d != std::string::npos) {
      std::string p = o.key.substr(0, d + options.delimiter.size());
      if (names.empty() || names.back() != p) names.push_back(std::move(p));
    } else {
      names.push_back(o.key);
      objects.push_back(std::move(o));
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  ListPage page;
  size_t oi = 0;
  int count = 0;
  std::string last;
  for (const std::string& name : names) {
    const bool is_object = oi < objects.size() && objects[oi].key == name;
    if (after.empty() || name > after) {
      if (count == options.max_keys) {
        page.next_continuation = last;
        break;
      }
      ++count;
      last = name;
      if (is_object) {
        page.objects.push_back(objects[oi]);
      } else {
        page.common_prefixes.push_back(name);
      }
    }
    if (is_object) ++oi;
  }
  return page;
}

}  // namespace

ObjectInfo LocalObjectInfo(const std::string& key, const struct stat& st) {
  ObjectInfo info;
  info.key = key;
  info.size = st.st_size;
  info.mtime_ns = MtimeNs(st);
  char buf[64];
  snprintf(buf, sizeof buf, "%llx-%llx", static_cast<unsigned long long>(info.mtime_ns),
           static_cast<unsigned long long>(info.size));
  info.etag = buf;
  return info;
}

Result<ListPage> ListLocalPage(const std::string& root, const std::string& prefix,
                               const ListOptions& options,
                               const std::function<bool(std::string_view)>& is_hidden) {
  // The deepest directory that can hold keys with this prefix.
  const size_t slash = prefix.rfind('/');
  const std::string dir_key = slash == std::string::npos ? "" : prefix.substr(0, slash + 1);
  const std::string dir =
      dir_key.empty() ? root : Join(root, dir_key.substr(0, dir_key.size() - 1));
  const std::string& after =
      options.continuation.empty() ? options.start_after : options.continuation;
  if (!options.delimiter.empty() && options.delimiter != "/") {
    return ListWithOtherDelimiter(root, dir_key, prefix, options, after, is_hidden);
  }
  Walk walk(prefix, after, options.delimiter == "/", options.max_keys, is_hidden);
  LP_RETURN_NOT_OK(walk.Dir(dir, dir_key));
  return walk.TakePage();
}

}  // namespace lakepack
