// inspect: describe a data file (format, schema, rows; Parquet row groups, codecs, metadata).
#include "format/inspect.h"

#include <cstdio>

#include "cli/verbs.h"
#include "format/format.h"
#include "format/schema_file.h"

namespace lakepack::cli {
namespace {

int RunInspect(const Args& args) {
  const std::string& uri = args.positional()[0];
  StoreOptions store_options = StoreOptionsFrom(args);
  auto fmt = format::ResolveFormat(uri, args.Get("format"));
  if (!fmt.ok()) return Fail(fmt.status());
  auto loc = OpenStore(uri, store_options);
  if (!loc.ok()) return Fail(loc.status());
  format::ReadOptions options;
  options.display_name = uri;
  if (args.Has("schema")) {
    auto schema = format::LoadSchemaFile(args.Get("schema"), store_options);
    if (!schema.ok()) return Fail(schema.status());
    options.schema = *schema;
  }
  auto facts = format::InspectFile(loc->store, loc->key, *fmt, options);
  if (!facts.ok()) return Fail(facts.status());
  std::string text = args.Has("json") ? format::RenderJson(*facts) : format::RenderText(*facts);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

}  // namespace

const Verb kInspectVerb = {"inspect",
                           "inspect FILE [--json] [--format F] [--schema FILE]",
                           "describe a data file: format, schema, rows, Parquet row groups",
                           {"json"},
                           {"format", "schema"},
                           1,
                           1,
                           RunInspect};

}  // namespace lakepack::cli
