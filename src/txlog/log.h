// log.h: a log of numbered records on an object store — lakepack's one way to commit.
//
// Record G is the object PREFIX + STEM + <12-digit G> + ".json", written once with put-if-absent:
// of writers racing for the same G exactly one wins, the others get AlreadyExists.  A folded state
// (folded.h) may be saved as the checkpoint PREFIX + "checkpoint-" + <12-digit G> + ".json": the
// state after applying records 0..G, so a reader loads it and the records after G, not the whole
// history.  Pack's intents ("intent-") and commits ("commit-"), lake's and sorted's logs and
// every claim (claims.h) are such logs.
//
// Lost answers.  A put whose answer is lost (a timeout or dropped response after the server did
// the work; then the store's own retry meets its own object and reports AlreadyExists) must not
// make a writer believe it lost when it won, or the reverse.  So Append writes a token unique to
// the call into the record — a first member "txlog_writer":"<token>" when the record is a JSON
// object — and settles any answer but a plain success by reading record G back: it is ours
// exactly when its bytes are the ones this call wrote.  Non-object records are compared by their
// bytes alone, so they must be unique (e.g. name their writer).  Read() returns the stored bytes,
// token member included (JSON readers ignore a member they do not know).
//
// Latest() costs one LIST (more only past 1000 newer records): it lists the keys after the
// highest G this Log has seen.  Records are never rewritten; they are deleted only by
// PruneBefore (older than a checkpoint) — or by a writer taking back its own latest record (pack
// does on cancel), which must then use a fresh Log (this one would still believe in it).
//
// Thread-safety: a Log may be used from many threads at once; other processes may write the same
// log at the same time (the store arbitrates).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lakepack/status.h"
#include "lakepack/store.h"

namespace lakepack::txlog {

// Digits of a record number: 10^12 records is beyond any log's life, and zero padding makes
// listing order numeric order.
constexpr int kRecordDigits = 12;

struct LogOptions {
  std::string prefix;  // ends with '/' (or is "": the store's root)
  std::string stem = "log-";
  // Append: how often an unclear answer (an error other than AlreadyExists) is settled by reading
  // the record back and, when it is absent, putting it again.
  int max_unclear_attempts = 8;

  Status Validate() const;
};

class Log {
 public:
  static Result<std::unique_ptr<Log>> Open(std::shared_ptr<ObjectStore> store, LogOptions options);

  // The highest record number, -1 when the log is empty.  One LIST from the last known G.
  Result<int64_t> Latest();
  // Record `g` as stored; NotFound when absent.
  Result<std::string> Read(int64_t g);
  // Writes record `g` unless it exists.  OK: this call's record is record g.  AlreadyExists:
  // another writer's is (the message names the object).  Any other error: the store failed
  // max_unclear_attempts times in a row and this call cannot tell (rare; treat as a crash).
  // REQUIRES: g >= 0.
  Status Append(int64_t g, std::string_view record);
  // Records first_g..Latest() that exist, in order.  REQUIRES: first_g >= 0.
  Result<std::vector<std::pair<int64_t, std::string>>> ReadFrom(int64_t first_g);

  // Saves the folded state after applying records 0..g (overwriting an equal one).
  Status WriteCheckpoint(int64_t g, std::string_view folded_state);
  // The checkpoint of the highest G, if any, as (G, state).
  Result<std::optional<std::pair<int64_t, std::string>>> LatestCheckpoint();
  // Deletes the records older than g and the checkpoints older than g's, keeping checkpoint g and
  // record g (so that Latest() of a fresh Log still finds the end).  REQUIRES: checkpoint g
  // exists, and no writer is still appending at or below g (records are re-creatable once gone:
  // prune only what is far older than any lease).
  Status PruneBefore(int64_t g);

  // Tells the Log that record g is known to exist (e.g. from a checkpoint), so Latest() lists
  // from there.
  void NoteExists(int64_t g);

  // Object keys (for messages and tests).
  std::string RecordKey(int64_t g) const;
  std::string CheckpointKey(int64_t g) const;
  ObjectStore& store() { return *store_; }
  const LogOptions& options() const { return options_; }

  Log(std::shared_ptr<ObjectStore> store, LogOptions options)  // use Open()
      : store_(std::move(store)), options_(std::move(options)) {}

 private:
  // Record numbers of the keys under `key_prefix` after `after` (every page).
  Result<std::vector<int64_t>> ListNumbers(const std::string& key_prefix, int64_t after);

  const std::shared_ptr<ObjectStore> store_;
  const LogOptions options_;
  std::atomic<int64_t> known_latest_{-1};
};

// Writes `record` at `key` with put-if-absent and the lost-answer settling of Log::Append (a
// writer token in the record, any unclear answer settled by reading it back).  OK: this call's
// record is there; AlreadyExists: another writer's is.  For single objects written once, such as
// a claim's done marker.
Status PutOnce(ObjectStore& store, const std::string& key, std::string_view record,
               int max_unclear_attempts = 8);

// "000000000007": a record number as it appears in keys.  REQUIRES: 0 <= g < 10^12.
std::string PaddedNumber(int64_t g);
// The number of `name` (a base name) if it is STEM + 12 digits + ".json"; else -1.
int64_t ParseRecordName(std::string_view name, std::string_view stem);

}  // namespace lakepack::txlog
