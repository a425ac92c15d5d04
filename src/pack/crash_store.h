// crash_store.h: a test hook that kills the process at its K-th store operation, so tests can
// prove the pack job's crash safety at every step (as kill -9 would, but deterministically).
//
// With LAKEPACK_PACK_CRASH_AT=K in the environment, MaybeWrapForCrashTest returns a decorator
// that counts every call on the store and on its writers (Head, Get, GetRange, Put, List, Delete,
// Copy, OpenWriter, Write, Finish) and sends itself SIGKILL just before the K-th one (1-based).
// Without the variable it returns the store unchanged.  Never set it in production.
//
// Thread-safety: the counter is atomic; the decorator is as thread-safe as the wrapped store.
#pragma once

#include <memory>

#include "lakepack/store.h"

namespace lakepack::pack {

std::shared_ptr<ObjectStore> MaybeWrapForCrashTest(std::shared_ptr<ObjectStore> store);

}  // namespace lakepack::pack
