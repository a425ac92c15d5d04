// traffic.h: what a job's stores sent and received while it ran — the "stores" member of the
// --json reports of cp, convert and pack.
//
// A meter snapshots each store's counters (ObjectStore::stats) when it is told to watch it and
// reports the rise since.  S3 stores are shared by everything in the process that opened the
// same bucket with the same options (OpenStore), so two jobs running at once on one bucket each
// see the other's requests too.  Local stores count nothing and are not listed.
//
// Thread-safety: Watch() before the job's threads start; Read() from any thread after that.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "lakepack/store.h"

namespace lakepack {

class JsonWriter;

class TrafficMeter {
 public:
  // Starts counting `store`; a local store, or one whose root is watched already, is skipped.
  void Watch(const std::shared_ptr<ObjectStore>& store);
  // Each watched store's counters minus their value when it was watched, in Watch() order.
  std::vector<StoreTraffic> Read() const;

 private:
  std::vector<std::pair<std::shared_ptr<ObjectStore>, StoreStats>> watched_;
};

// Writes `"stores": [{"uri", "requests", "retries", "bytes_sent", "bytes_received"}, ...]` into
// the open JSON object `w`.
void WriteTrafficJson(JsonWriter& w, const std::vector<StoreTraffic>& traffic);

}  // namespace lakepack
