// prng.h: the small, fast pseudo-random number generator behind the fake-data generator.
//
// SplitMix64: one 64-bit word of state, a handful of arithmetic operations per draw, and good
// enough statistics for fake data (not for cryptography).  Streams are keyed by
// (seed, batch index, column), so any batch can be generated alone, in any order, on any thread,
// and always comes out the same.
//
// Thread-safety: an Rng is a value; use one per thread (they are cheap to create).
#pragma once

#include <cstdint>

namespace lakepack::gen {

// The SplitMix64 finaliser: a bijective mix of 64 bits.
inline uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// The golden-ratio increment of SplitMix64 (odd, so the state walks a full 2^64 cycle).
constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

class Rng {
 public:
  explicit Rng(uint64_t state) : state_(state) {}
  // The stream for one column of one batch.
  static Rng ForStream(uint64_t seed, int64_t batch_index, uint32_t stream) {
    uint64_t s = Mix64(seed + kGolden);
    s = Mix64(s ^ (static_cast<uint64_t>(batch_index) * kGolden));
    return Rng(Mix64(s + (static_cast<uint64_t>(stream) + 1) * 0xd1b54a32d192ed03ULL));
  }

  uint64_t Next() {
    state_ += kGolden;
    return Mix64(state_);
  }
  // Uniform in [0, n) by Lemire's multiply-shift (bias < n / 2^64, negligible here).
  // REQUIRES: n > 0.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  // Uniform in [lo, hi].  REQUIRES: lo <= hi.
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  // True with probability threshold / 2^64 (see ThresholdFor).
  bool Chance(uint64_t threshold) { return Next() < threshold; }
  // The Chance() threshold for probability p in [0, 1].
  static uint64_t ThresholdFor(double p) {
    if (p <= 0) return 0;
    if (p >= 1) return ~0ULL;
    return static_cast<uint64_t>(p * 18446744073709551616.0);  // p * 2^64
  }

 private:
  uint64_t state_;
};

}  // namespace lakepack::gen
