// crash_store.h: a test hook that kills the process at its K-th store call, so that tests can
// prove a job's crash safety at every step (as kill -9 would, but deterministically).
//
// OpenStore (store.h) passes every store it opens through MaybeWrapForCrashTest, so any job —
// pack, lake's steps, sorted's commits — can be killed anywhere.  With LAKEPACK_CRASH_AT=K (or
// its older spelling LAKEPACK_PACK_CRASH_AT=K) in the environment, it returns a decorator that
// counts every call on the store and on its writers (Head, Get, GetRange, ReadRange, Put, List,
// Delete, Copy, OpenWriter, Write, Finish) — one count for the whole process, across stores — and
// sends itself SIGKILL just before the K-th one (1-based).  The decorator says it is not local, so
// readers go through its counted calls.  Without the variable it returns the store unchanged.
// Never set it in production.
//
// Thread-safety: the counter is atomic; the decorator is as thread-safe as the wrapped store.
#pragma once

#include <memory>

#include "lakepack/store.h"

namespace lakepack {

std::shared_ptr<ObjectStore> MaybeWrapForCrashTest(std::shared_ptr<ObjectStore> store);

}  // namespace lakepack
