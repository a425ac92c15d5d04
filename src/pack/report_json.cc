#include "pack/report_json.h"

#include "base/json.h"
#include "store/traffic.h"

namespace lakepack::pack {

std::string ReportToJson(const PackReport& r, bool dry_run) {
  JsonWriter w;
  w.BeginObject();
  w.Key("dry_run").Bool(dry_run);
  w.Key("files").BeginArray();
  for (const auto& f : r.files) {
    w.BeginObject().Key("uri").String(f.uri).Key("rows").Int(f.rows).Key("bytes").Int(f.bytes);
    w.EndObject();
  }
  w.EndArray();
  w.Key("inputs").BeginArray();
  for (const auto& s : r.inputs) w.String(s);
  w.EndArray();
  w.Key("input_partition_values").BeginArray();
  for (const auto& s : r.input_partition_values) w.String(s);
  w.EndArray();
  w.Key("already_packed").Int(r.already_packed);
  w.Key("input_bytes").Int(r.input_bytes);
  w.Key("rows").Int(r.rows);
  w.Key("rewrote_latest").Bool(r.rewrote_latest);
  w.Key("recovered").Bool(r.recovered);
  w.Key("generation").Int(r.generation);
  w.Key("seconds").Double(r.seconds);
  w.Key("plan").String(r.plan_text);
  WriteTrafficJson(w, r.stores);
  w.EndObject();
  return w.str();
}

}  // namespace lakepack::pack
