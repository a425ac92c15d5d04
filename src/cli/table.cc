// table: sorted tables (lakepack/sorted.h) — create, ls, describe, status, write, ingest, query.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "arrow/api.h"
#include "base/json.h"
#include "base/size.h"
#include "cli/run_job.h"
#include "cli/verbs.h"
#include "format/format.h"
#include "format/reader.h"
#include "format/schema_policy.h"
#include "lakepack/sorted.h"

namespace lakepack::cli {
namespace {

using sorted::KeyValue;
using sorted::Table;
using sorted::TableOptions;

Result<TableOptions> Options(const Args& args) {
  TableOptions o;
  o.store = StoreOptionsFrom(args);
  LP_ASSIGN_OR_RETURN(o.buffer_bytes, args.GetSize("buffer", o.buffer_bytes));
  return o;
}

// One key field's value from text, as the schema's type wants it.
Result<KeyValue> ParseValue(const sorted::TableSchema& s, int field, const std::string& text) {
  if (s.key_type(field) == sorted::KeyType::kInt || s.key_type(field) == sorted::KeyType::kLong) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() ||
        (s.key_type(field) == sorted::KeyType::kInt && (v < INT32_MIN || v > INT32_MAX))) {
      return Status::InvalidArgument(
          "'" + text + "' is not " +
          (s.key_type(field) == sorted::KeyType::kInt ? "a 32" : "a 64") + "-bit integer (field '" +
          s.field_name(field) + "')");
    }
    return KeyValue(v);
  }
  return KeyValue(text);
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

std::string Cell(const arrow::Array& a, int64_t i) {
  if (a.IsNull(i)) return "";
  auto s = a.GetScalar(i);
  if (!s.ok()) return "?";
  if (a.type_id() == arrow::Type::STRING || a.type_id() == arrow::Type::BINARY) {
    auto v = static_cast<const arrow::BinaryArray&>(a).GetView(i);
    return std::string(v);
  }
  return (*s)->ToString();
}

std::string JsonCell(const arrow::Array& a, int64_t i) {
  if (a.IsNull(i)) return "null";
  switch (a.type_id()) {
    case arrow::Type::INT32:
    case arrow::Type::INT64:
    case arrow::Type::DOUBLE:
    case arrow::Type::FLOAT:
    case arrow::Type::BOOL:
      return Cell(a, i);
    default:
      return JsonQuote(Cell(a, i));
  }
}

void PrintRows(const arrow::Table& t, const std::string& output) {
  auto combined = t.CombineChunksToBatch();
  if (!combined.ok()) return;
  const auto& b = **combined;
  const auto& schema = *t.schema();
  if (output == "jsonl" || output == "json") {
    if (output == "json") std::printf("[");
    for (int64_t r = 0; r < b.num_rows(); ++r) {
      std::string line = "{";
      for (int c = 0; c < b.num_columns(); ++c) {
        if (c) line += ",";
        line += JsonQuote(schema.field(c)->name()) + ":" + JsonCell(*b.column(c), r);
      }
      line += "}";
      if (output == "json") {
        std::printf("%s%s", r ? "," : "", line.c_str());
      } else {
        std::printf("%s\n", line.c_str());
      }
    }
    if (output == "json") std::printf("]\n");
    return;
  }
  const char sep = output == "csv" ? ',' : '\t';
  auto quote = [&](const std::string& s) {
    if (output != "csv" || s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  for (int c = 0; c < schema.num_fields(); ++c) {
    std::printf("%s%s", c ? std::string(1, sep).c_str() : "",
                quote(schema.field(c)->name()).c_str());
  }
  std::printf("\n");
  for (int64_t r = 0; r < b.num_rows(); ++r) {
    for (int c = 0; c < b.num_columns(); ++c) {
      std::printf("%s%s", c ? std::string(1, sep).c_str() : "",
                  quote(Cell(*b.column(c), r)).c_str());
    }
    std::printf("\n");
  }
}

std::string ReportJson(const sorted::WriteReport& r) {
  JsonWriter w;
  w.BeginObject().Key("job_id").String(r.job_id).Key("rows").Int(r.rows);
  w.Key("files").Int(r.files).Key("bytes").Int(r.bytes).Key("generation").Int(r.generation);
  w.Key("already_committed").Bool(r.already_committed).EndObject();
  return w.str();
}

std::string ReportText(const sorted::WriteReport& r) {
  if (r.already_committed) return "job " + r.job_id + " committed before: nothing done\n";
  return "job " + r.job_id + ": " + std::to_string(r.rows) + " rows in " + std::to_string(r.files) +
         " files (" + FormatBytes(r.bytes) + "), log record " + std::to_string(r.generation) + "\n";
}

std::string CompactText(const sorted::CompactReport& r, bool dry_run) {
  std::string out;
  if (dry_run) {
    for (const auto& j : r.jobs) {
      out += "job " + j.id + " in partition " + j.partition + ": " +
             std::to_string(j.inputs.size()) + " files, " + std::to_string(j.rows) + " rows (" +
             FormatBytes(j.bytes_in) + ")\n";
    }
    return out + std::to_string(r.planned) + " compaction jobs would run (dry run: nothing done)\n";
  }
  if (r.planned == 0) return "nothing to compact\n";
  char rate[64];
  std::snprintf(rate, sizeof(rate), "%.2f s, %.2f M rows/s", r.seconds,
                r.seconds > 0 ? r.rows / r.seconds / 1e6 : 0.0);
  out = "compacted " + std::to_string(r.committed) + " of " + std::to_string(r.planned) +
        " jobs: " + std::to_string(r.rows) + " rows, " + std::to_string(r.files_in) + " files (" +
        FormatBytes(r.bytes_in) + ") into " + std::to_string(r.files_out) + " (" +
        FormatBytes(r.bytes_out) + ") in " + rate + "\n";
  if (r.lost) out += std::to_string(r.lost) + " jobs lost to another commit (nothing changed)\n";
  if (r.claimed) out += std::to_string(r.claimed) + " jobs held by other workers\n";
  return out;
}

std::string SplitText(const sorted::SplitReport& r) {
  std::string out;
  for (const auto& j : r.jobs) {
    out += (r.dry_run                  ? "would split "
            : j.outcome == "committed" ? "split "
                                       : "lost: ") +
           j.partition + " (" + std::to_string(j.rows) + " rows in " + std::to_string(j.files) +
           " files) at " + j.split_text + ": ~" + std::to_string(j.rows_left) + " rows below\n";
  }
  for (const auto& s : r.skipped) out += "not split: " + s + "\n";
  if (r.planned == 0 && r.skipped.empty()) {
    out += "nothing to split (no leaf above " + std::to_string(r.threshold) + " rows)\n";
  } else if (r.dry_run) {
    out += std::to_string(r.planned) + " splits would be committed (dry run: nothing done)\n";
  }
  return out;
}

// --split-threshold, or 0 (the table's).
Result<int64_t> SplitThreshold(const Args& args) { return args.GetInt("split-threshold", 0, 1); }

std::string GcText(const sorted::GcReport& r, bool dry_run) {
  std::string out;
  for (const auto& u : r.deleted) out += (dry_run ? "would delete " : "deleted ") + u + "\n";
  out += std::to_string(r.deleted.size()) + " unreferenced objects (" + FormatBytes(r.bytes) + ")" +
         (dry_run ? " would be deleted" : " deleted") + ", " + std::to_string(r.kept_young) +
         " kept inside the grace period, " + std::to_string(r.claims_deleted) +
         " finished compaction claims " + (dry_run ? "would be " : "") + "removed\n";
  return out;
}

Result<std::string> SchemaText(const std::string& arg) {
  if (!arg.empty() && arg[0] == '{') return arg;
  std::ifstream in(arg);
  if (!in) return Status::NotFound("schema file " + arg + " cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int RunTable(const Args& args) {
  const auto& pos = args.positional();
  const std::string& sub = pos[0];
  static const char* const kCommands[] = {"create", "ls",     "describe", "status",
                                          "write",  "ingest", "query",    "compact",
                                          "split",  "gc",     "maintain", "drop"};
  if (std::find(std::begin(kCommands), std::end(kCommands), sub) == std::end(kCommands)) {
    return Usage(
        args,
        Status::InvalidArgument(
            "table: unknown command '" + sub +
            "' (create, ls, describe, status, write, ingest, query, compact, split, gc, maintain, "
            "drop)"));
  }
  if (pos.size() < 2) return Usage(args, Status::InvalidArgument("table " + sub + ": give ROOT"));
  const std::string& root = pos[1];
  auto options = Options(args);
  if (!options.ok()) return Usage(args, options.status());
  TableOptions o = *options;
  const bool json = args.Has("json");
  if (sub == "ls") {
    auto names = Table::ListTables(root, o);
    if (!names.ok()) return Fail(args, names.status());
    if (json) {
      JsonWriter w;
      w.BeginObject().Key("tables").BeginArray();
      for (const auto& n : *names) w.String(n);
      w.EndArray().EndObject();
      std::printf("%s\n", w.str().c_str());
    } else {
      for (const auto& n : *names) std::printf("%s\n", n.c_str());
    }
    return kExitOk;
  }
  if (pos.size() < 3) {
    return Usage(args, Status::InvalidArgument("table " + sub + ": give ROOT NAME"));
  }
  const std::string& name = pos[2];
  if (sub == "create") {
    if (!args.Has("schema"))
      return Fail(args, Status::InvalidArgument("table create: --schema is required"));
    auto text = SchemaText(args.Get("schema"));
    if (!text.ok()) return Fail(args, text.status());
    auto schema = sorted::TableSchema::FromSleeperJson(*text);
    if (!schema.ok()) return Fail(args, schema.status());
    std::vector<KeyValue> splits;
    for (const auto& s : args.GetAll("split")) {
      auto v = ParseValue(*schema, 0, s);
      if (!v.ok()) return Fail(args, v.status());
      splits.push_back(*v);
    }
    auto threshold = SplitThreshold(args);
    if (!threshold.ok()) return Usage(args, threshold.status());
    o.split_threshold = *threshold;
    auto t = Table::Create(root, name, *schema, splits, o);
    if (!t.ok()) return Fail(args, t.status());
    if (json) {
      JsonWriter w;
      w.BeginObject().Key("created").String((*t)->uri()).EndObject();
      std::printf("%s\n", w.str().c_str());
    } else if (!args.Has("quiet")) {
      std::printf("created %s\n", (*t)->uri().c_str());
    }
    return kExitOk;
  }
  if (sub == "drop") {
    Status st = Table::Drop(root, name, o);
    if (!st.ok()) return Fail(args, st);
    if (json) std::printf("{\"dropped\":%s}\n", JsonQuote(name).c_str());
    return kExitOk;
  }
  auto t = Table::Open(root, name, o);
  if (!t.ok()) return Fail(args, t.status());
  const auto& schema = (*t)->schema();
  if (sub == "describe" || sub == "status") {
    auto st = (*t)->Describe();
    if (!st.ok()) return Fail(args, st.status());
    if (json) {
      JsonWriter w;
      w.BeginObject().Key("name").String(st->name).Key("uri").String(st->uri);
      w.Key("generation").Int(st->generation).Key("files").Int(st->files);
      w.Key("rows").Int(st->rows).Key("bytes").Int(st->bytes).Key("jobs").Int(st->jobs);
      w.Key("intents").Int(st->intents).Key("schema").Raw(st->schema_json);
      w.Key("partitions").BeginArray();
      for (const auto& p : st->partitions) {
        w.BeginObject().Key("id").String(p.id).Key("parent").String(p.parent);
        w.Key("leaf").Bool(p.children.empty()).Key("min").String(p.min_text);
        w.Key("max").String(p.max_text).Key("files").Int(p.files).Key("rows").Int(p.rows);
        w.EndObject();
      }
      w.EndArray().EndObject();
      std::printf("%s\n", w.str().c_str());
      return kExitOk;
    }
    std::printf("table %s at %s\nlog record %lld; %lld rows in %lld files (%s); %lld jobs\n",
                st->name.c_str(), st->uri.c_str(), static_cast<long long>(st->generation),
                static_cast<long long>(st->rows), static_cast<long long>(st->files),
                FormatBytes(st->bytes).c_str(), static_cast<long long>(st->jobs));
    if (sub == "describe") {
      std::printf("schema %s\npartitions:\n", st->schema_json.c_str());
      for (const auto& p : st->partitions) {
        std::printf("  %-8s [%s, %s) %s %lld files %lld rows\n", p.id.c_str(), p.min_text.c_str(),
                    p.max_text.c_str(), p.children.empty() ? "leaf" : "    ",
                    static_cast<long long>(p.files), static_cast<long long>(p.rows));
      }
    }
    return kExitOk;
  }
  sorted::WriteOptions wo;
  wo.job_id = args.Get("job-id");
  if (sub == "write" || sub == "ingest") {
    if (pos.size() < 4)
      return Fail(args, Status::InvalidArgument("table " + sub + ": give FILE..."));
    std::vector<std::string> files(pos.begin() + 3, pos.end());
    JobRun run(args, "table " + sub, "rows");
    wo.on_progress = [&run](int64_t rows) {
      run.progress().done.store(rows, std::memory_order_relaxed);
    };
    Result<sorted::WriteReport> r = Status::Internal("unset");
    bool all_parquet = true;
    for (const auto& f : files) {
      auto fmt = format::ResolveFormat(f, args.Get("format"));
      all_parquet &= fmt.ok() && *fmt == format::Format::kParquet;
    }
    if (all_parquet) {
      r = (*t)->IngestParquet(files, wo);
    } else {
      // CSV / JSON Lines: read through the format readers, typed by the table's schema.
      auto w = (*t)->OpenBatchWriter(wo);
      if (!w.ok()) return Fail(args, w.status());
      for (const auto& f : files) {
        auto fmt = format::ResolveFormat(f, args.Get("format"));
        if (!fmt.ok()) return Fail(args, fmt.status());
        auto loc = OpenStore(f, o.store);
        if (!loc.ok()) return Fail(args, loc.status());
        format::ReadOptions ro;
        ro.schema = schema.arrow_schema();
        ro.schema_source = "table " + name + "'s schema";
        ro.display_name = f;
        if (args.Has("on-schema-mismatch")) {
          auto policy = format::ParseSchemaMismatch(args.Get("on-schema-mismatch"));
          if (!policy.ok()) return Usage(args, policy.status());
          ro.on_schema_mismatch = *policy;
        }
        auto reader = format::OpenBatchReader(loc->store, loc->key, *fmt, ro);
        if (!reader.ok()) return Fail(args, reader.status());
        while (true) {
          std::shared_ptr<arrow::RecordBatch> b;
          auto st = (*reader)->ReadNext(&b);
          if (!st.ok()) return Fail(args, Status::InvalidData(f + ": " + st.ToString()));
          if (!b) break;
          Status ws = (*w)->Write(*b);
          if (!ws.ok()) return Fail(args, ws);
        }
      }
      r = (*w)->Close();
    }
    if (!r.ok()) return run.Fail(r.status());
    return run.Succeed(ReportJson(*r), ReportText(*r));
  }
  if (sub == "compact") {
    sorted::CompactOptions co;
    co.major = args.Has("major");
    co.dry_run = args.Has("dry-run");
    auto max_files = args.GetInt("max-files", co.max_files, 2, 1'000'000);
    if (!max_files.ok()) return Usage(args, max_files.status());
    co.max_files = static_cast<int>(*max_files);
    if (args.Has("ratio")) {
      const std::string text = args.Get("ratio");
      double ratio = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ratio);
      if (ec != std::errc() || end != text.data() + text.size() || !(ratio >= 0)) {
        return Usage(args, Status::InvalidArgument("--ratio: not a number >= 0: '" + text + "'"));
      }
      co.ratio = ratio;
    }
    JobRun run(args, "table compact", "rows");
    co.on_progress = [&run](int64_t rows) {
      run.progress().done.store(rows, std::memory_order_relaxed);
    };
    co.cancelled = [&run] { return run.cancel().cancelled(); };
    auto r = (*t)->Compact(co);
    if (!r.ok()) return run.Fail(r.status());
    return run.Succeed(r->ToJson(), CompactText(*r, co.dry_run));
  }
  if (sub == "split") {
    sorted::SplitOptions so;
    so.dry_run = args.Has("dry-run");
    auto threshold = SplitThreshold(args);
    if (!threshold.ok()) return Usage(args, threshold.status());
    so.threshold = *threshold;
    JobRun run(args, "table split", "partitions");
    auto r = (*t)->Split(so);
    if (!r.ok()) return run.Fail(r.status());
    return run.Succeed(r->ToJson(), SplitText(*r));
  }
  if (sub == "maintain") {
    // Rounds of splitting (leaves above the threshold) and compaction (a split leaf's files move
    // into its children; each round's outputs may qualify together in the next) until neither
    // commits anything, then GC.
    sorted::SplitOptions so;
    auto threshold = SplitThreshold(args);
    if (!threshold.ok()) return Usage(args, threshold.status());
    so.threshold = *threshold;
    sorted::CompactOptions co;
    co.major = args.Has("major");
    auto max_files = args.GetInt("max-files", co.max_files, 2, 1'000'000);
    if (!max_files.ok()) return Usage(args, max_files.status());
    co.max_files = static_cast<int>(*max_files);
    sorted::GcOptions go;
    auto grace = args.GetSeconds("grace", go.grace_ms / 1000);
    if (!grace.ok()) return Usage(args, grace.status());
    go.grace_ms = *grace * 1000;
    JobRun run(args, "table maintain", "rows");
    int64_t done_rows = 0;
    co.on_progress = [&run, &done_rows](int64_t rows) {
      run.progress().done.store(done_rows + rows, std::memory_order_relaxed);
    };
    co.cancelled = [&run] { return run.cancel().cancelled(); };
    int64_t rounds = 0, committed = 0, rows = 0, splits = 0;
    std::string text;
    std::vector<std::string> split_json;
    JsonWriter w;
    w.BeginObject().Key("compactions").BeginArray();
    for (; rounds < 100; ++rounds) {
      auto s = (*t)->Split(so);
      if (!s.ok()) return run.Fail(s.status());
      if (s->committed > 0) {
        splits += s->committed;
        split_json.push_back(s->ToJson());
        text += "round " + std::to_string(rounds + 1) + ": " + SplitText(*s);
      }
      auto r = (*t)->Compact(co);
      if (!r.ok()) return run.Fail(r.status());
      if (r->committed == 0 && s->committed == 0) break;
      committed += r->committed;
      rows += r->rows;
      done_rows += r->rows;
      if (r->committed > 0) {
        w.Raw(r->ToJson());
        text += "round " + std::to_string(rounds + 1) + ": " + CompactText(*r, false);
      }
      if (co.major && s->committed == 0) {
        ++rounds;
        break;  // one major round leaves one file per partition
      }
    }
    w.EndArray().Key("splits").BeginArray();
    for (const auto& j : split_json) w.Raw(j);
    w.EndArray().Key("split_count").Int(splits);
    auto gc = (*t)->CollectGarbage(go);
    if (!gc.ok()) return run.Fail(gc.status());
    w.Key("rounds").Int(rounds).Key("committed").Int(committed).Key("rows").Int(rows);
    w.Key("gc").Raw(gc->ToJson()).EndObject();
    if (rounds == 0) text += "nothing to compact or split\n";
    text += "gc: " + std::to_string(gc->deleted.size()) + " unreferenced objects (" +
            FormatBytes(gc->bytes) + ") deleted, " + std::to_string(gc->kept_young) +
            " kept inside the grace period\n";
    return run.Succeed(w.str(), text);
  }
  if (sub == "gc") {
    sorted::GcOptions go;
    go.dry_run = args.Has("dry-run");
    auto grace = args.GetSeconds("grace", go.grace_ms / 1000);
    if (!grace.ok()) return Usage(args, grace.status());
    go.grace_ms = *grace * 1000;
    JobRun run(args, "table gc", "objects");
    auto r = (*t)->CollectGarbage(go);
    if (!r.ok()) return run.Fail(r.status());
    return run.Succeed(r->ToJson(), GcText(*r, go.dry_run));
  }
  if (sub == "query") {
    Result<std::shared_ptr<arrow::Table>> rows = Status::Internal("unset");
    if (args.Has("key")) {
      std::vector<std::vector<KeyValue>> keys;
      for (const auto& k : args.GetAll("key")) {
        auto parts = schema.num_row_keys() > 1 ? SplitComma(k) : std::vector<std::string>{k};
        std::vector<KeyValue> key;
        for (size_t i = 0; i < parts.size() && static_cast<int>(i) < schema.num_row_keys(); ++i) {
          auto v = ParseValue(schema, static_cast<int>(i), parts[i]);
          if (!v.ok()) return Fail(args, v.status());
          key.push_back(*v);
        }
        keys.push_back(std::move(key));
      }
      rows = (*t)->ExactQuery(keys);
    } else if (args.Has("range")) {
      std::vector<sorted::Region> regions;
      for (std::string r : args.GetAll("range")) {
        // "[a,c)" "(a,c]" or "a,c" (= [a,c)); an empty side is unbounded.
        sorted::FieldRange fr;
        fr.field = schema.field_name(0);
        if (!r.empty() && (r[0] == '[' || r[0] == '(')) {
          fr.min_inclusive = r[0] == '[';
          r = r.substr(1);
        }
        if (!r.empty() && (r.back() == ']' || r.back() == ')')) {
          fr.max_inclusive = r.back() == ']';
          r.pop_back();
        }
        size_t comma = r.find(',');
        if (comma == std::string::npos) {
          return Fail(args,
                      Status::InvalidArgument("--range is MIN,MAX (with [ ( ] ) for bounds)"));
        }
        std::string lo = r.substr(0, comma), hi = r.substr(comma + 1);
        if (!lo.empty()) {
          auto v = ParseValue(schema, 0, lo);
          if (!v.ok()) return Fail(args, v.status());
          fr.min = *v;
        }
        if (!hi.empty()) {
          auto v = ParseValue(schema, 0, hi);
          if (!v.ok()) return Fail(args, v.status());
          fr.max = *v;
        }
        regions.push_back({fr});
      }
      rows = (*t)->RangeQuery(regions);
    } else {
      rows = (*t)->ReadAll();
    }
    if (!rows.ok()) return Fail(args, rows.status());
    PrintRows(**rows, json ? "json" : args.Get("output", "table"));
    return kExitOk;
  }
  return Fail(
      args,
      Status::InvalidArgument(
          "table: unknown command '" + sub +
          "' (create, ls, describe, status, write, ingest, query, compact, split, gc, maintain, "
          "drop)"));
}

}  // namespace

const Verb kTableVerb = {
    "table",
    "COMMAND ROOT [NAME] [FILE...]",
    "sorted key-value tables (Sleeper's model): create, write, ingest, query, compact, split, gc",
    "COMMAND is one of:\n"
    "  create ROOT NAME --schema JSON|FILE [--split V]...   a new table (Sleeper schema JSON)\n"
    "  ls ROOT                                             the tables under ROOT\n"
    "  describe|status ROOT NAME                           its files, rows, partitions\n"
    "  write|ingest ROOT NAME FILE...                      rows from csv/jsonl/parquet files\n"
    "  query ROOT NAME [--key K]... [--range '[MIN,MAX)']...  rows by key or range (all without)\n"
    "  compact ROOT NAME [--major] [--dry-run]             merge small files (size ratio, or all)\n"
    "  split ROOT NAME [--split-threshold N] [--dry-run]   split partitions above N rows\n"
    "  gc ROOT NAME [--grace D] [--dry-run]                delete unreferenced files past D\n"
    "  maintain ROOT NAME [--major] [--grace D]            split and compact until nothing "
    "qualifies, then gc\n"
    "  drop ROOT NAME                                      delete the table and its files\n"
    "ROOT is a directory or s3://bucket/prefix.  A write is one commit: all its rows or none.",
    {{"schema", "JSON|FILE",
      "create: the Sleeper schema (rowKeyFields, sortKeyFields, valueFields) (no default: "
      "required)"},
     {"split", "V", "create: a split point of the first row key; repeat (default: one partition)"},
     {"split-threshold", "N",
      "create: rows above which a partition splits, stored in the table; split/maintain: this "
      "instead of the table's (default 1000000000, Sleeper's)"},
     {"job-id", "ID",
      "write/ingest: the job's id; a job id committed before is not written again "
      "(default: a new id)"},
     {"format", "F", "write/ingest: csv, jsonl or parquet (default: from each file's extension)"},
     {"on-schema-mismatch", "fail|drop",
      "write of csv/jsonl: a file with columns the table lacks fails (default) or, with drop, "
      "has them dropped (missing value columns are null)"},
     {"buffer", "SIZE",
      "write/ingest: rows held in memory before a sorted file is written "
      "(default 256MiB)"},
     {"key", "K", "query: a row key (K1,K2 for several key fields); repeat (default: none)"},
     {"range", "[MIN,MAX)",
      "query: a range of the first row key ([ ] inclusive, ( ) exclusive, empty side unbounded); "
      "repeat (default: none; no --key and no --range reads every row)"},
     {"output", "F", "query: table, csv or jsonl (default table; --json prints a JSON array)"},

     {"major", nullptr,
      "compact/maintain: every file of each partition in one job (default: Sleeper's size "
      "ratio)"},
     {"ratio", "R",
      "compact: a set of files qualifies when the smaller ones sum to R x the largest "
      "(default 3)"},
     {"max-files", "N", "compact/maintain: at most N files per size-ratio job (default 12)"},
     {"grace", "DURATION",
      "gc/maintain: unreferenced files younger than this are kept, so running queries finish "
      "(default 10m)"},
     {"dry-run", nullptr,
      "compact/split/gc: list the jobs, splits or files, change nothing (default off)"}},
    2,
    -1,
    RunTable};

}  // namespace lakepack::cli
