// table_state.cc: see table_state.h.
#include "sorted/table_state.h"

#include <algorithm>
#include <functional>

#include "base/json.h"
#include "sorted/key_codec.h"

namespace lakepack::sorted {
namespace {

using Kind = JsonValue::Kind;

Status Bad(const std::string& source, const JsonValue& v, const std::string& what) {
  return Status::InvalidData(source + ": line " + std::to_string(v.line) + ": " + what);
}

Result<std::string> Str(const JsonValue& o, const char* key, const std::string& source) {
  const JsonValue* v = o.Find(key);
  if (!v || v->kind != Kind::kString) return Bad(source, o, std::string("no string '") + key + "'");
  return v->string;
}

Result<int64_t> Int(const JsonValue& o, const char* key, const std::string& source) {
  const JsonValue* v = o.Find(key);
  if (!v || v->kind != Kind::kNumber) return Bad(source, o, std::string("no number '") + key + "'");
  auto n = v->AsInt64();
  if (!n) return Bad(source, o, std::string("'") + key + "' is not a 64-bit integer: " + v->string);
  return *n;
}

Result<const std::vector<JsonValue>*> Arr(const JsonValue& o, const char* key,
                                          const std::string& source) {
  const JsonValue* v = o.Find(key);
  if (!v || v->kind != Kind::kArray) return Bad(source, o, std::string("no array '") + key + "'");
  return &v->array;
}

Result<FileRef> ParseFile(const JsonValue& f, int64_t g, const std::string& source) {
  FileRef r;
  LP_ASSIGN_OR_RETURN(r.path, Str(f, "path", source));
  LP_ASSIGN_OR_RETURN(r.partition, Str(f, "partition", source));
  LP_ASSIGN_OR_RETURN(r.rows, Int(f, "rows", source));
  LP_ASSIGN_OR_RETURN(r.bytes, Int(f, "bytes", source));
  LP_ASSIGN_OR_RETURN(std::string min, Str(f, "min", source));
  LP_ASSIGN_OR_RETURN(std::string max, Str(f, "max", source));
  LP_ASSIGN_OR_RETURN(r.min, FromHex(min));
  LP_ASSIGN_OR_RETURN(r.max, FromHex(max));
  r.generation = g;
  if (const JsonValue* gen = f.Find("generation"); gen && gen->kind == Kind::kNumber) {
    auto n = gen->AsInt64();
    if (!n) return Bad(source, f, "'generation' is not a 64-bit integer: " + gen->string);
    r.generation = *n;
  }
  return r;
}

void WriteFile(JsonWriter& w, const FileRef& f, bool with_generation) {
  w.BeginObject().Key("path").String(f.path).Key("partition").String(f.partition);
  w.Key("rows").Int(f.rows).Key("bytes").Int(f.bytes);
  w.Key("min").String(ToHex(f.min)).Key("max").String(ToHex(f.max));
  if (with_generation) w.Key("generation").Int(f.generation);
  w.EndObject();
}

void WritePartitions(JsonWriter& w, const PartitionTree& tree) {
  w.BeginArray();
  for (const auto& [id, p] : tree.all()) {
    w.BeginObject().Key("id").String(p.id).Key("parent").String(p.parent);
    w.Key("min").String(ToHex(p.min));
    if (p.has_max) w.Key("max").String(ToHex(p.max));
    w.Key("leaf").Bool(p.leaf);
    if (!p.leaf) w.Key("split").String(ToHex(p.split));
    w.EndObject();
  }
  w.EndArray();
}

Result<PartitionTree> ParsePartitions(const std::vector<JsonValue>& arr,
                                      const std::string& source) {
  std::vector<Partition> parts;
  for (const JsonValue& v : arr) {
    Partition p;
    LP_ASSIGN_OR_RETURN(p.id, Str(v, "id", source));
    LP_ASSIGN_OR_RETURN(p.parent, Str(v, "parent", source));
    LP_ASSIGN_OR_RETURN(std::string min, Str(v, "min", source));
    LP_ASSIGN_OR_RETURN(p.min, FromHex(min));
    if (const JsonValue* m = v.Find("max"); m && m->kind == Kind::kString) {
      p.has_max = true;
      LP_ASSIGN_OR_RETURN(p.max, FromHex(m->string));
    }
    const JsonValue* leaf = v.Find("leaf");
    p.leaf = !leaf || leaf->boolean;
    if (!p.leaf) {
      LP_ASSIGN_OR_RETURN(std::string split, Str(v, "split", source));
      LP_ASSIGN_OR_RETURN(p.split, FromHex(split));
    }
    parts.push_back(std::move(p));
  }
  return PartitionTree::FromPartitions(std::move(parts));
}

}  // namespace

Status TableState::ApplyObject(int64_t g, const JsonValue& rec, const std::string& source) {
  if (rec.kind != Kind::kObject) return Bad(source, rec, "a record is a JSON object");
  LP_ASSIGN_OR_RETURN(std::string type, Str(rec, "type", source));
  if (type == "create") {
    if (created()) return Bad(source, rec, "the table was created already");
    const JsonValue* schema = rec.Find("schema");
    if (!schema) return Bad(source, rec, "create without a schema");
    JsonWriter w;
    // Re-serialise the schema member for TableSchema's parser.
    std::function<void(const JsonValue&)> emit = [&](const JsonValue& v) {
      switch (v.kind) {
        case Kind::kNull:
          w.Null();
          break;
        case Kind::kBool:
          w.Bool(v.boolean);
          break;
        case Kind::kNumber:
          w.Raw(v.string);
          break;
        case Kind::kString:
          w.String(v.string);
          break;
        case Kind::kArray:
          w.BeginArray();
          for (const auto& e : v.array) emit(e);
          w.EndArray();
          break;
        case Kind::kObject:
          w.BeginObject();
          for (const auto& [k, e] : v.object) {
            w.Key(k);
            emit(e);
          }
          w.EndObject();
          break;
      }
    };
    emit(*schema);
    auto s = TableSchema::FromSleeperJson(w.str());
    if (!s.ok()) return Bad(source, rec, s.status().message());
    LP_ASSIGN_OR_RETURN(auto parts, Arr(rec, "partitions", source));
    LP_ASSIGN_OR_RETURN(tree_, ParsePartitions(*parts, source));
    if (rec.Find("split_threshold")) {
      LP_ASSIGN_OR_RETURN(split_threshold_, Int(rec, "split_threshold", source));
      if (split_threshold_ < 1) return Bad(source, rec, "'split_threshold' must be at least 1");
    }
    schema_ = std::move(s).ValueOrDie();
    return Status::OK();
  }
  if (!created()) return Bad(source, rec, "a '" + type + "' record before the table's create");
  if (type == "intent") {
    Intent in;
    LP_ASSIGN_OR_RETURN(in.prefix, Str(rec, "prefix", source));
    LP_ASSIGN_OR_RETURN(in.owner, Str(rec, "owner", source));
    LP_ASSIGN_OR_RETURN(in.time_ms, Int(rec, "time_ms", source));
    in.generation = g;
    intents_.push_back(std::move(in));
    return Status::OK();
  }
  auto add = [&](const std::vector<JsonValue>& arr) -> Status {
    std::vector<FileRef> refs;
    for (const JsonValue& f : arr) {
      LP_ASSIGN_OR_RETURN(FileRef r, ParseFile(f, g, source));
      if (files_.count(r.path)) return Bad(source, f, "file " + r.path + " is referenced already");
      if (!tree_.Find(r.partition)) return Bad(source, f, "no partition '" + r.partition + "'");
      refs.push_back(std::move(r));
    }
    for (auto& r : refs) files_[r.path] = std::move(r);
    return Status::OK();
  };
  if (type == "add_files") {
    LP_ASSIGN_OR_RETURN(std::string job, Str(rec, "job_id", source));
    LP_ASSIGN_OR_RETURN(auto arr, Arr(rec, "files", source));
    LP_RETURN_NOT_OK(add(*arr));
    jobs_.insert(job);
    return Status::OK();
  }
  if (type == "replace_files") {
    LP_ASSIGN_OR_RETURN(std::string job, Str(rec, "job_id", source));
    LP_ASSIGN_OR_RETURN(auto remove, Arr(rec, "remove", source));
    LP_ASSIGN_OR_RETURN(auto arr, Arr(rec, "add", source));
    int64_t time_ms = 0;
    if (rec.Find("time_ms")) {
      LP_ASSIGN_OR_RETURN(time_ms, Int(rec, "time_ms", source));
    }
    for (const JsonValue& p : *remove) {
      if (p.kind != Kind::kString || !files_.count(p.string)) {
        return Bad(source, p, "replace of a file that is not referenced: " + p.string);
      }
    }
    for (const JsonValue& p : *remove) {
      files_.erase(p.string);
      unreferenced_[p.string] = time_ms;
    }
    LP_RETURN_NOT_OK(add(*arr));
    jobs_.insert(job);
    return Status::OK();
  }
  if (type == "split_partition") {
    LP_ASSIGN_OR_RETURN(std::string id, Str(rec, "partition", source));
    LP_ASSIGN_OR_RETURN(std::string hex, Str(rec, "split", source));
    LP_ASSIGN_OR_RETURN(std::string split, FromHex(hex));
    Status st = tree_.Split(id, split);
    if (!st.ok()) return Bad(source, rec, st.message());
    return Status::OK();
  }
  if (type == "delete_files") {
    LP_ASSIGN_OR_RETURN(auto arr, Arr(rec, "paths", source));
    for (const JsonValue& p : *arr) {
      if (p.kind != Kind::kString || files_.count(p.string)) {
        return Bad(source, p, "delete of a file still referenced: " + p.string);
      }
      unreferenced_.erase(p.string);
    }
    return Status::OK();
  }
  return Bad(source, rec, "unknown record type '" + type + "'");
}

Status TableState::Apply(int64_t g, std::string_view record) {
  const std::string source = "sorted table log record " + std::to_string(g);
  auto parsed = ParseJson(record);
  if (!parsed.ok()) return Status::InvalidData(source + ": " + parsed.status().message());
  return ApplyObject(g, *parsed, source);
}

std::string TableState::Checkpoint() const {
  JsonWriter w;
  w.BeginObject().Key("type").String("checkpoint");
  if (created()) w.Key("schema").Raw(schema_->ToSleeperJson());
  w.Key("partitions");
  WritePartitions(w, tree_);
  if (split_threshold_ > 0) w.Key("split_threshold").Int(split_threshold_);
  w.Key("files").BeginArray();
  for (const auto& [path, f] : files_) WriteFile(w, f, true);
  w.EndArray();
  w.Key("jobs").BeginArray();
  for (const auto& j : jobs_) w.String(j);
  w.EndArray();
  w.Key("intents").BeginArray();
  for (const auto& in : intents_) {
    w.BeginObject().Key("prefix").String(in.prefix).Key("owner").String(in.owner);
    w.Key("time_ms").Int(in.time_ms).Key("generation").Int(in.generation).EndObject();
  }
  w.EndArray();
  w.Key("unreferenced").BeginArray();
  for (const auto& [p, t] : unreferenced_) {
    w.BeginObject().Key("path").String(p).Key("time_ms").Int(t).EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.str();
}

Result<TableState> TableState::FromCheckpoint(std::string_view text) {
  const std::string source = "sorted table checkpoint";
  auto parsed = ParseJson(text);
  if (!parsed.ok()) return Status::InvalidData(source + ": " + parsed.status().message());
  const JsonValue& c = *parsed;
  TableState s;
  if (const JsonValue* schema = c.Find("schema")) {
    JsonValue create;
    create.kind = Kind::kObject;
    JsonValue type;
    type.kind = Kind::kString;
    type.string = "create";
    create.object.push_back({"type", type});
    create.object.push_back({"schema", *schema});
    const JsonValue* parts = c.Find("partitions");
    if (!parts) return Bad(source, c, "no partitions");
    create.object.push_back({"partitions", *parts});
    if (const JsonValue* t = c.Find("split_threshold"))
      create.object.push_back({"split_threshold", *t});
    LP_RETURN_NOT_OK(s.ApplyObject(0, create, source));
  }
  LP_ASSIGN_OR_RETURN(auto files, Arr(c, "files", source));
  for (const JsonValue& f : *files) {
    LP_ASSIGN_OR_RETURN(FileRef r, ParseFile(f, -1, source));
    s.files_[r.path] = std::move(r);
  }
  LP_ASSIGN_OR_RETURN(auto jobs, Arr(c, "jobs", source));
  for (const JsonValue& j : *jobs) s.jobs_.insert(j.string);
  LP_ASSIGN_OR_RETURN(auto intents, Arr(c, "intents", source));
  for (const JsonValue& v : *intents) {
    Intent in;
    LP_ASSIGN_OR_RETURN(in.prefix, Str(v, "prefix", source));
    LP_ASSIGN_OR_RETURN(in.owner, Str(v, "owner", source));
    LP_ASSIGN_OR_RETURN(in.time_ms, Int(v, "time_ms", source));
    LP_ASSIGN_OR_RETURN(in.generation, Int(v, "generation", source));
    s.intents_.push_back(std::move(in));
  }
  LP_ASSIGN_OR_RETURN(auto unref, Arr(c, "unreferenced", source));
  for (const JsonValue& p : *unref) {
    if (p.kind == Kind::kString) {  // checkpoints before replace times were kept
      s.unreferenced_[p.string] = 0;
      continue;
    }
    LP_ASSIGN_OR_RETURN(std::string path, Str(p, "path", source));
    LP_ASSIGN_OR_RETURN(s.unreferenced_[path], Int(p, "time_ms", source));
  }
  return s;
}

std::vector<const FileRef*> TableState::FilesOverlapping(
    const std::string& lo, const std::optional<std::string>& hi) const {
  std::set<std::string> parts;
  for (const Partition* p : tree_.Overlapping(lo, hi)) parts.insert(p->id);
  std::vector<const FileRef*> out;
  for (const auto& [path, f] : files_) {
    if (!parts.count(f.partition)) continue;
    if (f.max < lo) continue;            // every key of the file is below the range
    if (hi && !(f.min < *hi)) continue;  // every key is at or above its end
    out.push_back(&f);
  }
  std::stable_sort(out.begin(), out.end(), [](const FileRef* a, const FileRef* b) {
    return a->generation != b->generation ? a->generation < b->generation : a->path < b->path;
  });
  return out;
}

std::string CreateRecord(const TableSchema& schema, const PartitionTree& tree,
                         int64_t split_threshold) {
  JsonWriter w;
  w.BeginObject().Key("type").String("create").Key("schema").Raw(schema.ToSleeperJson());
  w.Key("partitions");
  WritePartitions(w, tree);
  if (split_threshold > 0) w.Key("split_threshold").Int(split_threshold);
  w.EndObject();
  return w.str();
}

std::string IntentRecord(const std::string& prefix, const std::string& owner, int64_t time_ms) {
  JsonWriter w;
  w.BeginObject().Key("type").String("intent").Key("prefix").String(prefix);
  w.Key("owner").String(owner).Key("time_ms").Int(time_ms).EndObject();
  return w.str();
}

std::string AddFilesRecord(const std::string& job_id, const std::vector<FileRef>& files) {
  JsonWriter w;
  w.BeginObject().Key("type").String("add_files").Key("job_id").String(job_id);
  w.Key("files").BeginArray();
  for (const auto& f : files) WriteFile(w, f, false);
  w.EndArray().EndObject();
  return w.str();
}

std::string ReplaceFilesRecord(const std::string& job_id, const std::string& partition,
                               const std::vector<std::string>& remove,
                               const std::vector<FileRef>& add, int64_t time_ms) {
  JsonWriter w;
  w.BeginObject().Key("type").String("replace_files").Key("job_id").String(job_id);
  w.Key("partition").String(partition).Key("remove").BeginArray();
  for (const auto& p : remove) w.String(p);
  w.EndArray().Key("add").BeginArray();
  for (const auto& f : add) WriteFile(w, f, f.generation >= 0);
  w.EndArray().Key("time_ms").Int(time_ms).EndObject();
  return w.str();
}

std::string SplitRecord(const std::string& partition, const std::string& split) {
  JsonWriter w;
  w.BeginObject().Key("type").String("split_partition").Key("partition").String(partition);
  w.Key("split").String(ToHex(split)).EndObject();
  return w.str();
}

std::string DeleteFilesRecord(const std::vector<std::string>& paths) {
  JsonWriter w;
  w.BeginObject().Key("type").String("delete_files").Key("paths").BeginArray();
  for (const auto& p : paths) w.String(p);
  w.EndArray().EndObject();
  return w.str();
}

}  // namespace lakepack::sorted
