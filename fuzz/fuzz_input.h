// fuzz_input.h: helpers for the libFuzzer targets in fuzz/: reading option bits off the front of
// an input, and failing loudly when an oracle does not hold.
//
// A target fails by abort() (libFuzzer saves the input): on a crash or sanitizer report, on an
// exception that escapes a Status-returning function (none may), or on a broken oracle.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace lakepack::fuzz {

// The input as a byte string with its first byte split off as option bits (0 when empty).
struct Input {
  uint8_t flags = 0;
  std::string_view rest;

  Input(const uint8_t* data, size_t size) {
    if (size > 0) {
      flags = data[0];
      rest = std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1);
    }
  }
  bool Bit(int i) const { return (flags >> i) & 1; }
};

// Aborts with `what` when `ok` is false.
inline void Check(bool ok, const std::string& what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz oracle failed: %s\n", what.c_str());
  std::abort();
}

}  // namespace lakepack::fuzz
