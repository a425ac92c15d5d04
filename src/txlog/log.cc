// log.cc: see log.h.
#include "txlog/log.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <thread>

namespace lakepack::txlog {
namespace {

constexpr std::string_view kCheckpointStem = "checkpoint-";
constexpr std::string_view kSuffix = ".json";

// 128 random bits as hex: unique per Append call across processes and machines.
std::string NewToken() {
  thread_local std::mt19937_64 rng(
      std::random_device{}() ^
      (static_cast<uint64_t>(std::hash<std::thread::id>{}(std::this_thread::get_id())) << 1));
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

// The record with the writer's token as its first member, if it is a JSON object.
std::string WithToken(std::string_view record) {
  size_t i = 0;
  while (i < record.size() &&
         (record[i] == ' ' || record[i] == '\n' || record[i] == '\t' || record[i] == '\r')) {
    ++i;
  }
  if (i == record.size() || record[i] != '{') return std::string(record);
  std::string rest(record.substr(i + 1));
  size_t j = 0;
  while (j < rest.size() && (rest[j] == ' ' || rest[j] == '\n' || rest[j] == '\t')) ++j;
  bool empty_object = j < rest.size() && rest[j] == '}';
  return "{\"txlog_writer\":\"" + NewToken() + "\"" + (empty_object ? "" : ",") + rest;
}

}  // namespace

std::string PaddedNumber(int64_t g) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*lld", kRecordDigits, static_cast<long long>(g));
  return buf;
}

int64_t ParseRecordName(std::string_view name, std::string_view stem) {
  if (name.size() != stem.size() + kRecordDigits + kSuffix.size()) return -1;
  if (name.substr(0, stem.size()) != stem) return -1;
  if (name.substr(stem.size() + kRecordDigits) != kSuffix) return -1;
  int64_t g = 0;
  for (char c : name.substr(stem.size(), kRecordDigits)) {
    if (c < '0' || c > '9') return -1;
    g = g * 10 + (c - '0');
  }
  return g;
}

Status LogOptions::Validate() const {
  if (!prefix.empty() && prefix.back() != '/') {
    return Status::InvalidArgument("txlog: prefix '" + prefix + "' must end with '/'");
  }
  if (stem.empty() || stem.find('/') != std::string::npos || stem == kCheckpointStem) {
    return Status::InvalidArgument("txlog: bad record stem '" + stem + "'");
  }
  if (max_unclear_attempts < 1) {
    return Status::InvalidArgument("txlog: max_unclear_attempts must be at least 1");
  }
  return Status::OK();
}

Result<std::unique_ptr<Log>> Log::Open(std::shared_ptr<ObjectStore> store, LogOptions options) {
  LP_RETURN_NOT_OK(options.Validate());
  if (!store) return Status::InvalidArgument("txlog: no store");
  return std::make_unique<Log>(std::move(store), std::move(options));
}

std::string Log::RecordKey(int64_t g) const {
  return options_.prefix + options_.stem + PaddedNumber(g) + std::string(kSuffix);
}

std::string Log::CheckpointKey(int64_t g) const {
  return options_.prefix + std::string(kCheckpointStem) + PaddedNumber(g) + std::string(kSuffix);
}

void Log::NoteExists(int64_t g) {
  int64_t known = known_latest_.load();
  while (g > known && !known_latest_.compare_exchange_weak(known, g)) {
  }
}

Result<std::vector<int64_t>> Log::ListNumbers(const std::string& key_prefix, int64_t after) {
  const std::string_view stem = std::string_view(key_prefix).substr(options_.prefix.size());
  std::vector<int64_t> out;
  ListOptions lo;
  lo.delimiter = "/";
  if (after >= 0) lo.start_after = key_prefix + PaddedNumber(after) + std::string(kSuffix);
  while (true) {
    LP_ASSIGN_OR_RETURN(ListPage page, store_->List(key_prefix, lo));
    for (const auto& o : page.objects) {
      int64_t g = ParseRecordName(std::string_view(o.key).substr(options_.prefix.size()), stem);
      if (g > after) out.push_back(g);
    }
    if (page.next_continuation.empty()) break;
    lo.continuation = page.next_continuation;
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<int64_t> Log::Latest() {
  const int64_t known = known_latest_.load();
  LP_ASSIGN_OR_RETURN(auto numbers, ListNumbers(options_.prefix + options_.stem, known));
  if (!numbers.empty()) NoteExists(numbers.back());
  return known_latest_.load();
}

Result<std::string> Log::Read(int64_t g) { return store_->Get(RecordKey(g)); }

Status PutOnce(ObjectStore& store, const std::string& key, std::string_view record,
               int max_unclear_attempts) {
  const std::string stored = WithToken(record);
  Status last;
  for (int attempt = 0; attempt < max_unclear_attempts; ++attempt) {
    auto put = store.PutIfAbsent(key, stored);
    if (put.ok()) return Status::OK();
    last = put.status();
    // AlreadyExists may be our own earlier try, answered too late (the store retried after a
    // lost answer); any other error may have been applied.  The object itself tells.
    auto got = store.Get(key);
    if (got.ok()) {
      if (*got == stored) return Status::OK();
      return Status::AlreadyExists(store.Uri(key) + " already exists (another writer won)");
    }
    if (!got.status().IsNotFound()) last = got.status();
    // Absent: the put was not applied (or the object was taken back since): put again.
  }
  return Status::IOError("txlog: cannot tell whether " + store.Uri(key) + " was written after " +
                         std::to_string(max_unclear_attempts) + " tries: " + last.ToString());
}

Status Log::Append(int64_t g, std::string_view record) {
  if (g < 0) return Status::InvalidArgument("txlog: negative record number");
  Status st = PutOnce(*store_, RecordKey(g), record, options_.max_unclear_attempts);
  if (st.ok() || st.IsAlreadyExists()) NoteExists(g);
  return st;
}

Result<std::vector<std::pair<int64_t, std::string>>> Log::ReadFrom(int64_t first_g) {
  if (first_g < 0) return Status::InvalidArgument("txlog: negative record number");
  LP_ASSIGN_OR_RETURN(auto numbers, ListNumbers(options_.prefix + options_.stem, first_g - 1));
  std::vector<std::pair<int64_t, std::string>> out;
  out.reserve(numbers.size());
  for (int64_t g : numbers) {
    LP_ASSIGN_OR_RETURN(std::string text, Read(g));
    out.emplace_back(g, std::move(text));
  }
  if (!numbers.empty()) NoteExists(numbers.back());
  return out;
}

Status Log::WriteCheckpoint(int64_t g, std::string_view folded_state) {
  if (g < 0) return Status::InvalidArgument("txlog: negative checkpoint number");
  return store_->Put(CheckpointKey(g), folded_state).status();
}

Result<std::optional<std::pair<int64_t, std::string>>> Log::LatestCheckpoint() {
  LP_ASSIGN_OR_RETURN(auto numbers,
                      ListNumbers(options_.prefix + std::string(kCheckpointStem), -1));
  // Newest first; one pruned meanwhile (NotFound) falls back to the one before.
  for (auto it = numbers.rbegin(); it != numbers.rend(); ++it) {
    auto text = store_->Get(CheckpointKey(*it));
    if (text.ok()) {
      return std::optional<std::pair<int64_t, std::string>>(std::make_pair(*it, std::move(*text)));
    }
    if (!text.status().IsNotFound()) return text.status();
  }
  return std::optional<std::pair<int64_t, std::string>>();
}

Status Log::PruneBefore(int64_t g) {
  auto head = store_->Head(CheckpointKey(g));
  if (!head.ok()) {
    return head.status().IsNotFound()
               ? Status::InvalidArgument("txlog: no checkpoint " + store_->Uri(CheckpointKey(g)) +
                                         " to prune before")
               : head.status();
  }
  std::vector<std::string> doomed;
  LP_ASSIGN_OR_RETURN(auto records, ListNumbers(options_.prefix + options_.stem, -1));
  for (int64_t r : records) {
    if (r < g) doomed.push_back(RecordKey(r));
  }
  LP_ASSIGN_OR_RETURN(auto checkpoints,
                      ListNumbers(options_.prefix + std::string(kCheckpointStem), -1));
  for (int64_t c : checkpoints) {
    if (c < g) doomed.push_back(CheckpointKey(c));
  }
  if (doomed.empty()) return Status::OK();
  return store_->Delete(doomed);
}

}  // namespace lakepack::txlog
