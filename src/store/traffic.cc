#include "store/traffic.h"

#include "base/json.h"

namespace lakepack {

void TrafficMeter::Watch(const std::shared_ptr<ObjectStore>& store) {
  if (!store || store->root_uri().rfind("file://", 0) == 0) return;
  for (const auto& [s, _] : watched_) {
    if (s->root_uri() == store->root_uri()) return;
  }
  watched_.emplace_back(store, store->stats());
}

std::vector<StoreTraffic> TrafficMeter::Read() const {
  std::vector<StoreTraffic> out;
  for (const auto& [store, before] : watched_) {
    out.push_back({store->root_uri(), store->stats() - before});
  }
  return out;
}

void WriteTrafficJson(JsonWriter& w, const std::vector<StoreTraffic>& traffic) {
  w.Key("stores").BeginArray();
  for (const auto& t : traffic) {
    w.BeginObject();
    w.Key("uri").String(t.uri);
    w.Key("requests").Int(t.stats.requests);
    w.Key("retries").Int(t.stats.retries);
    w.Key("bytes_sent").Int(t.stats.bytes_sent);
    w.Key("bytes_received").Int(t.stats.bytes_received);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace lakepack
