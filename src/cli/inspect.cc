// `lakepack inspect`: describe a data file (format, schema, rows; Parquet row groups, codecs,
// metadata) — format/inspect.h, whose RenderJson the Python inspect() returns too.
#include "format/inspect.h"

#include "cli/run_job.h"
#include "cli/verbs.h"
#include "format/format.h"
#include "format/schema_file.h"

namespace lakepack::cli {
namespace {

int RunInspect(const Args& args) {
  const std::string& uri = args.positional()[0];
  StoreOptions store_options = StoreOptionsFrom(args);
  auto fmt = format::ResolveFormat(uri, args.Get("format"));
  if (!fmt.ok()) return Usage(args, fmt.status());
  auto dialect = CsvDialectFrom(args);
  if (!dialect.ok()) return Usage(args, dialect.status());
  JobRun run(args, "");
  auto loc = OpenStore(uri, store_options);
  if (!loc.ok()) return run.Fail(loc.status());
  format::ReadOptions options;
  options.display_name = uri;
  options.csv = *dialect;
  if (args.Has("schema")) {
    auto schema = format::LoadSchemaFile(args.Get("schema"), store_options);
    if (!schema.ok()) return run.Fail(schema.status());
    options.schema = *schema;
  }
  auto facts = format::InspectFile(loc->store, loc->key, *fmt, options);
  if (!facts.ok()) return run.Fail(facts.status());
  std::string json = format::RenderJson(*facts);
  while (!json.empty() && json.back() == '\n') json.pop_back();
  // With --quiet, silent like every verb: the exit code says whether FILE reads.
  return run.Succeed(json, format::RenderText(*facts));
}

}  // namespace

const Verb kInspectVerb = {
    "inspect",
    "FILE",
    "describe a data file: format, schema, rows, Parquet row groups",
    "Reads FILE's footer (Parquet) or the whole file (CSV, JSON Lines: to count rows and infer\n"
    "types) and prints what it found.  A CSV or JSON Lines FILE may be compressed (.gz, .zst after\n"
    "its extension).",
    WithOptions({{"format", "F", "csv, jsonl or parquet (default: from FILE's extension)"},
     {"schema", "FILE",
      "a lakepack JSON schema file fixing CSV/JSONL column types (default: "
      "inferred)"}},
                CsvDialectOptions()),
    1,
    1,
    RunInspect};

}  // namespace lakepack::cli
