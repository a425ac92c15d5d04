// folded.h: a state folded from a Log — the latest checkpoint plus the records after it — kept
// current by reading only what is new, and committed to with optimistic retry.
//
// Loading costs O(checkpoint + tail), not O(history): every `checkpoint_every` records, the writer
// that commits record G with G % checkpoint_every == 0 also saves the state after G as checkpoint G
// (log.h).  A crash between the record and its checkpoint only makes the next load read a longer
// tail; the next multiple gets its checkpoint.
//
// State must provide:
//   State()                                                   the state of an empty log
//   static Result<State> FromCheckpoint(std::string_view);    the inverse of Checkpoint()
//   Status Apply(int64_t g, std::string_view record);         fold record g in; records arrive
//                                                             in order, each once
//   std::string Checkpoint() const;                           the state as text
// An error from Apply (a malformed record) stops the load or refresh; the state is then
// unspecified and the FoldedLog should be dropped.
//
// Thread-safety: one thread at a time per FoldedLog (it holds its state); many FoldedLogs in many
// processes may commit to one log at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "lakepack/status.h"
#include "txlog/commit.h"
#include "txlog/log.h"

namespace lakepack::txlog {

struct FoldedOptions {
  // Records per checkpoint: 100 keeps a load to one checkpoint and at most 99 small GETs, while
  // the checkpoints (each a whole state) stay a hundredth of the records in number.
  int64_t checkpoint_every = 100;
  CommitOptions commit;

  Status Validate() const {
    if (checkpoint_every < 1) {
      return Status::InvalidArgument("txlog: checkpoint_every must be at least 1");
    }
    return commit.Validate();
  }
};

template <class State>
class FoldedLog {
 public:
  // Loads the latest checkpoint (if any) and every record after it.
  static Result<std::unique_ptr<FoldedLog>> Load(std::shared_ptr<Log> log,
                                                 FoldedOptions options = {}) {
    LP_RETURN_NOT_OK(options.Validate());
    std::unique_ptr<FoldedLog> f(new FoldedLog(std::move(log), std::move(options)));
    LP_ASSIGN_OR_RETURN(auto checkpoint, f->log_->LatestCheckpoint());
    if (checkpoint) {
      LP_ASSIGN_OR_RETURN(f->state_, State::FromCheckpoint(checkpoint->second));
      f->generation_ = checkpoint->first;
      f->loaded_from_checkpoint_ = checkpoint->first;
      f->log_->NoteExists(checkpoint->first);
    }
    LP_RETURN_NOT_OK(f->Refresh());
    return f;
  }

  // Applies the records written since the last load or refresh (one LIST, then one GET each).
  Status Refresh() {
    LP_ASSIGN_OR_RETURN(auto records, log_->ReadFrom(generation_ + 1));
    for (auto& [g, text] : records) {
      if (g != generation_ + 1) {
        return Status::InvalidData("txlog: record " + std::to_string(generation_ + 1) + " of " +
                                   log_->store().Uri(log_->RecordKey(generation_ + 1)) +
                                   " is missing (the next is " + std::to_string(g) + ")");
      }
      LP_RETURN_NOT_OK(state_.Apply(g, text));
      generation_ = g;
    }
    return Status::OK();
  }

  // Commits the record `make(state, latest)` builds from the state at the latest record: refreshes,
  // builds, appends latest+1; on a conflict refreshes and rebuilds.  Applies the record to the
  // state and writes the checkpoint when its number is a multiple of checkpoint_every.  Returns
  // the record number.  `make` errors are returned as they are.
  Result<int64_t> Commit(
      const std::function<Result<std::string>(const State& state, int64_t latest)>& make) {
    for (int attempt = 1;; ++attempt) {
      LP_RETURN_NOT_OK(Refresh());
      LP_ASSIGN_OR_RETURN(std::string record, make(state_, generation_));
      const int64_t g = generation_ + 1;
      Status st = log_->Append(g, record);
      if (st.ok()) {
        LP_RETURN_NOT_OK(state_.Apply(g, record));
        generation_ = g;
        if (g % options_.checkpoint_every == 0) {
          // Best effort: a missing checkpoint costs a later load a longer tail, nothing else.
          (void)log_->WriteCheckpoint(g, state_.Checkpoint());
        }
        return g;
      }
      if (!st.IsAlreadyExists()) return st;
      if (attempt >= options_.commit.max_attempts) {
        return Status::Unavailable("txlog: gave up committing to " +
                                   log_->store().Uri(log_->RecordKey(g)) + " after " +
                                   std::to_string(attempt) + " conflicts in a row");
      }
      BackoffBeforeRetry(options_.commit, attempt);
    }
  }

  const State& state() const { return state_; }
  // The last record folded in (-1: none).
  int64_t generation() const { return generation_; }
  // The checkpoint the load started from (-1: none), for tests and reports.
  int64_t loaded_from_checkpoint() const { return loaded_from_checkpoint_; }
  Log& log() { return *log_; }

 private:
  FoldedLog(std::shared_ptr<Log> log, FoldedOptions options)
      : log_(std::move(log)), options_(std::move(options)) {}

  std::shared_ptr<Log> log_;
  const FoldedOptions options_;
  State state_;
  int64_t generation_ = -1;
  int64_t loaded_from_checkpoint_ = -1;
};

}  // namespace lakepack::txlog
