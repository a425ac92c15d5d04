// lost_answer_store.h: a test decorator that loses the store's answers — the failure that makes
// put-if-absent hard to use on a network.
//
// A Put (and a writer's Finish) may be:
//   - applied, with its answer lost: the caller gets IOError, or, as S3 clients report it when
//     their retry meets the object the first try created, AlreadyExists (half of the losses each);
//   - refused before it is applied: IOError, nothing written.
// A Get may fail (IOError) before it reads anything, and calls may be delayed at random (to
// widen race windows).  Every outcome is drawn from a seeded
// generator, so a failing run can be replayed with its seed.
//
// Thread-safety: as the inner store's (the generator and counters are guarded).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>

#include "store/forwarding_store.h"

namespace lakepack::testing {

struct LostAnswerOptions {
  double lost_rate = 0.2;      // puts applied whose answer is lost
  double refused_rate = 0.05;  // puts refused before they are applied
  double get_fail_rate = 0.0;  // gets that fail before reading
  // Each Get, Put and List first sleeps a random 0..max_delay_us: on a store that answers in
  // microseconds (memory) racing writers would otherwise never overlap.
  int64_t max_delay_us = 0;
  uint64_t seed = 1;
};

class LostAnswerStore final : public ForwardingStore {
 public:
  LostAnswerStore(std::shared_ptr<ObjectStore> inner, LostAnswerOptions options);

  Result<std::string> Get(const std::string& key) override;
  Result<ObjectInfo> Put(const std::string& key, std::string_view data,
                         const PutOptions& options = {}) override;
  Result<ListPage> List(const std::string& prefix, const ListOptions& options = {}) override;
  Result<std::unique_ptr<ObjectWriter>> OpenWriter(const std::string& key,
                                                   const WriterOptions& options = {}) override;
  bool is_local() const override { return false; }  // readers go through Get

  const LostAnswerOptions& options() const { return options_; }
  int64_t lost() const { return lost_; }        // answers lost after the put was applied
  int64_t refused() const { return refused_; }  // puts refused before being applied

  // Draws one outcome: true with probability p.
  bool Draw(double p);
  // The answer a caller gets for an applied put whose answer is lost.
  Status LostAnswer(const std::string& key, bool if_absent);
  Status Refused(const std::string& key);
  void Delay();

 private:
  const LostAnswerOptions options_;
  std::mutex mu_;
  std::mt19937_64 rng_;  // guarded by mu_
  std::atomic<int64_t> lost_{0}, refused_{0};
};

}  // namespace lakepack::testing
