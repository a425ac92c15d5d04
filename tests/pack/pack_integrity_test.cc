// No silent loss or duplication of rows in `lakepack pack` and `lakepack convert` (issue 13,
// "Data loss and duplicates in pack"), over every store kind, through the CLI (LAKEPACK_CLI):
// the schema-mismatch policy (fail / union / drop) for every input format, null widening, input
// identity by URI, an output inside the input table, undo on error, missing inputs, and file
// numbers like table_007.
#include <gtest/gtest.h>
#include <sys/time.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "arrow/array/util.h"
#include "arrow/builder.h"
#include "base/json.h"
#include "format/jsonl_writer.h"
#include "format/reader.h"
#include "format/writer.h"
#include "pack/naming.h"
#include "store/s3/s3_client.h"
#include "store/s3/xml.h"
#include "test_util.h"

namespace lakepack::pack {
namespace {

using lakepack::testing::RunCli;
using lakepack::testing::Scratch;

class PackIntegrityTest : public ::testing::TestWithParam<std::string> {
 protected:
  PackIntegrityTest() : scratch_(GetParam()) {}

  std::string In() { return scratch_.Uri("land"); }
  std::string Out() { return scratch_.Uri("db"); }
  void Put(const std::string& name, const std::string& text) {
    ASSERT_TRUE(scratch_.store().Put(scratch_.Key(name), text).ok()) << name;
  }
  // Runs `lakepack ARGS`; returns the exit code, output in *out.
  int Cli(const std::string& args, std::string* out) { return RunCli(args, out); }
  int Pack(const std::string& extra, std::string* out, const std::string& table = "t") {
    return Cli("pack " + In() + " " + Out() + " " + table + " " + extra, out);
  }

  // Keys (relative to the scratch prefix) under `dir`, sorted.
  std::vector<std::string> Keys(const std::string& dir) {
    std::vector<std::string> keys;
    auto all = scratch_.store().ListAll(scratch_.Key(dir));
    EXPECT_TRUE(all.ok());
    if (!all.ok()) return keys;
    for (const auto& o : *all) keys.push_back(o.key.substr(scratch_.prefix().size()));
    std::sort(keys.begin(), keys.end());
    return keys;
  }
  // Data files (not under _lakepack/) under db/t/.
  std::vector<std::string> OutputFiles(const std::string& table = "t") {
    std::vector<std::string> files;
    for (const auto& k : Keys("db/" + table + "/")) {
      if (k.find("/_lakepack/") == std::string::npos) files.push_back(k);
    }
    return files;
  }
  // Every row of a data file (by extension) as a JSON line, in file order; the schema in *schema.
  std::vector<std::string> RowsOf(const std::string& name, std::string* schema = nullptr) {
    std::vector<std::string> rows;
    auto fmt = format::DetectFormat(name);
    EXPECT_TRUE(fmt.ok()) << name;
    auto reader = format::OpenBatchReader(scratch_.shared_store(), scratch_.Key(name), *fmt);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) return rows;
    if (schema) *schema = format::DescribeColumns(*(*reader)->schema());
    std::shared_ptr<arrow::RecordBatch> batch;
    while ((*reader)->ReadNext(&batch).ok() && batch) {
      std::string text;
      EXPECT_TRUE(format::FormatJsonLines(*batch, &text).ok());
      size_t start = 0;
      for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n') {
          rows.push_back(text.substr(start, i - start));
          start = i + 1;
        }
      }
    }
    return rows;
  }
  // Every row of every output file, sorted.
  std::vector<std::string> AllRows(const std::string& table = "t") {
    std::vector<std::string> rows;
    for (const auto& f : OutputFiles(table)) {
      auto r = RowsOf(f);
      rows.insert(rows.end(), r.begin(), r.end());
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }
  // A Parquet file `name` with `id` int64 and `v` of Arrow type null (all values null).
  void PutParquetWithNullColumn(const std::string& name, int64_t first_id, int rows) {
    arrow::Int64Builder ids;
    for (int i = 0; i < rows; ++i) ASSERT_TRUE(ids.Append(first_id + i).ok());
    auto schema =
        arrow::schema({arrow::field("id", arrow::int64()), arrow::field("v", arrow::null())});
    auto batch = arrow::RecordBatch::Make(
        schema, rows,
        {ids.Finish().ValueOrDie(), arrow::MakeArrayOfNull(arrow::null(), rows).ValueOrDie()});
    auto writer = format::OpenBatchWriter(scratch_.shared_store(), scratch_.Key(name),
                                          format::Format::kParquet, schema);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    ASSERT_TRUE((*writer)->Write(*batch).ok());
    ASSERT_TRUE((*writer)->Close().ok());
  }

  Scratch scratch_;
};

// [DL-1] Columns that are not in the target schema are never dropped silently: by default the run
// fails, naming the input and the column, and writes nothing; union keeps them; drop drops them.
TEST_P(PackIntegrityTest, ExtraColumnsFailByDefaultUnionKeepsThemDropDropsThem) {
  Put("land/t/a.jsonl", "{\"id\":1,\"name\":\"a\"}\n");
  Put("land/t/b.jsonl", "{\"id\":2,\"name\":\"b\",\"email\":\"e@x\"}\n");
  Put("land/t/c.csv", "id,name,phone\n3,c,555\n");
  std::string out;
  EXPECT_EQ(Pack("", &out), 1) << out;
  EXPECT_NE(out.find("b.jsonl: its columns differ from the target schema"), std::string::npos)
      << out;
  EXPECT_NE(out.find("not in the target: 'email'"), std::string::npos) << out;
  EXPECT_NE(out.find("on-schema-mismatch union"), std::string::npos) << out;
  EXPECT_EQ(Keys("db/"), std::vector<std::string>{}) << "a failed check writes nothing";
  // The same with the CSV input alone beside a.jsonl (CSV is checked the same way).
  ASSERT_TRUE(scratch_.store().Delete({scratch_.Key("land/t/b.jsonl")}).ok());
  EXPECT_EQ(Pack("", &out), 1) << out;
  EXPECT_NE(out.find("c.csv: its columns differ"), std::string::npos) << out;
  EXPECT_NE(out.find("'phone'"), std::string::npos) << out;
  Put("land/t/b.jsonl", "{\"id\":2,\"name\":\"b\",\"email\":\"e@x\"}\n");

  ASSERT_EQ(Pack("--on-schema-mismatch union", &out), 0) << out;
  std::string schema;
  auto rows = RowsOf("db/t/t_0.snappy.parquet", &schema);
  EXPECT_EQ(schema, "id: int64, name: string, email: string, phone: int64");
  EXPECT_EQ(rows,
            (std::vector<std::string>{"{\"id\":1,\"name\":\"a\",\"email\":null,\"phone\":null}",
                                      "{\"id\":2,\"name\":\"b\",\"email\":\"e@x\",\"phone\":null}",
                                      "{\"id\":3,\"name\":\"c\",\"email\":null,\"phone\":555}"}));

  ASSERT_EQ(Cli("pack " + In() + " " + scratch_.Uri("db2") + " t --on-schema-mismatch drop", &out),
            0)
      << out;
  rows = RowsOf("db2/t/t_0.snappy.parquet", &schema);
  EXPECT_EQ(schema, "id: int64, name: string");
  EXPECT_EQ(rows.size(), 3u);
  EXPECT_EQ(Pack("--on-schema-mismatch sometimes", &out), 2) << out;
}

// [DL-1] Appending to an existing table: a new column fails by default; with union the latest
// file is rewritten with it (its old rows null there).
TEST_P(PackIntegrityTest, NewColumnAgainstExistingTable) {
  Put("land/t/a.csv", "id,name\n1,a\n2,b\n");
  std::string out;
  ASSERT_EQ(Pack("--out-ext csv", &out), 0) << out;
  Put("land/t/b.csv", "id,name,email\n3,c,c@x\n");
  EXPECT_EQ(Pack("--out-ext csv", &out), 1) << out;
  EXPECT_NE(out.find("b.csv: its columns differ from the target schema (the latest output file"),
            std::string::npos)
      << out;
  EXPECT_EQ(scratch_.store().Get(scratch_.Key("db/t/t_0.csv")).ValueOrDie(),
            "\"id\",\"name\"\n1,\"a\"\n2,\"b\"\n");
  ASSERT_EQ(Pack("--out-ext csv --on-schema-mismatch union", &out), 0) << out;
  EXPECT_EQ(scratch_.store().Get(scratch_.Key("db/t/t_0.csv")).ValueOrDie(),
            "\"id\",\"name\",\"email\"\n1,\"a\",\n2,\"b\",\n3,\"c\",\"c@x\"\n");
}

// [DL-2] JSON Lines keys that do not match the target (missing, or "ID" for "id") are an error,
// not rows of nulls; drop null-fills only when asked.
TEST_P(PackIntegrityTest, MismatchedJsonKeysAreAnErrorNotNullRows) {
  Put("land/t/a.jsonl", "{\"id\":1,\"name\":\"a\"}\n");
  std::string out;
  ASSERT_EQ(Pack("", &out), 0) << out;
  Put("land/t/b.jsonl", "{\"ID\":3,\"Name\":\"c\"}\n");
  EXPECT_EQ(Pack("", &out), 1) << out;
  EXPECT_NE(out.find("missing from the input: 'id', 'name'"), std::string::npos) << out;
  EXPECT_NE(out.find("'ID' and 'id' differ only in case"), std::string::npos) << out;
  EXPECT_EQ(AllRows(), std::vector<std::string>{"{\"id\":1,\"name\":\"a\"}"});
  // A key missing in some lines only is a null there (the column is in the input).
  ASSERT_TRUE(scratch_.store().Delete({scratch_.Key("land/t/b.jsonl")}).ok());
  Put("land/t/c.jsonl", "{\"id\":4,\"name\":\"d\"}\n{\"id\":5}\n");
  ASSERT_EQ(Pack("", &out), 0) << out;
  EXPECT_EQ(AllRows(),
            (std::vector<std::string>{"{\"id\":1,\"name\":\"a\"}", "{\"id\":4,\"name\":\"d\"}",
                                      "{\"id\":5,\"name\":null}"}));
}

// A Parquet column of Arrow type null packs next to typed inputs, before or after them: null
// widens to any type (no --cast-parquet needed).
TEST_P(PackIntegrityTest, NullTypedParquetColumnWidens) {
  PutParquetWithNullColumn("land/t/a.parquet", 1, 3);
  Put("land/t/b.csv", "id,v\n10,x\n11,\n");
  PutParquetWithNullColumn("land/t/c.parquet", 20, 2);
  std::string out;
  ASSERT_EQ(Pack("", &out), 0) << out;
  std::string schema;
  auto rows = RowsOf("db/t/t_0.snappy.parquet", &schema);
  EXPECT_EQ(schema, "id: int64, v: string");
  EXPECT_EQ(rows, (std::vector<std::string>{"{\"id\":1,\"v\":null}", "{\"id\":2,\"v\":null}",
                                            "{\"id\":3,\"v\":null}", "{\"id\":10,\"v\":\"x\"}",
                                            "{\"id\":11,\"v\":null}", "{\"id\":20,\"v\":null}",
                                            "{\"id\":21,\"v\":null}"}));
}

// [DL-3] convert --schema on JSON Lines: an unlisted field and a schema column the input lacks
// are errors by default; drop projects / null-fills when asked; union keeps the extra field.
TEST_P(PackIntegrityTest, ConvertSchemaMismatchPolicy) {
  Put("in.jsonl", "{\"id\":1,\"x\":\"a\",\"pad\":\"p\"}\n{\"id\":2,\"x\":\"b\",\"pad\":\"q\"}\n");
  Put("s2.json",
      "{\"columns\":[{\"name\":\"id\",\"type\":\"int64\"},"
      "{\"name\":\"x\",\"type\":\"string\"}]}");
  Put("s3.json",
      "{\"columns\":[{\"name\":\"id\",\"type\":\"int64\"},"
      "{\"name\":\"x\",\"type\":\"string\"},{\"name\":\"pad\",\"type\":\"string\"},"
      "{\"name\":\"missing\",\"type\":\"string\"}]}");
  const std::string in = scratch_.Uri("in.jsonl");
  std::string out;
  EXPECT_EQ(Cli("convert " + in + " " + scratch_.Uri("o1.parquet") + " --schema " +
                    scratch_.Uri("s2.json") + " --quiet",
                &out),
            1)
      << out;
  EXPECT_NE(out.find("not in the target: 'pad'"), std::string::npos) << out;
  EXPECT_FALSE(scratch_.store().Head(scratch_.Key("o1.parquet")).ok());
  EXPECT_EQ(Cli("convert " + in + " " + scratch_.Uri("o2.parquet") + " --schema " +
                    scratch_.Uri("s3.json") + " --quiet",
                &out),
            1)
      << out;
  EXPECT_NE(out.find("missing from the input: 'missing'"), std::string::npos) << out;
  ASSERT_EQ(Cli("convert " + in + " " + scratch_.Uri("o3.parquet") + " --schema " +
                    scratch_.Uri("s2.json") + " --on-schema-mismatch drop --quiet",
                &out),
            0)
      << out;
  EXPECT_EQ(RowsOf("o3.parquet"),
            (std::vector<std::string>{"{\"id\":1,\"x\":\"a\"}", "{\"id\":2,\"x\":\"b\"}"}));
  ASSERT_EQ(Cli("convert " + in + " " + scratch_.Uri("o4.parquet") + " --schema " +
                    scratch_.Uri("s2.json") + " --on-schema-mismatch union --quiet",
                &out),
            0)
      << out;
  EXPECT_EQ(RowsOf("o4.parquet"),
            (std::vector<std::string>{"{\"id\":1,\"x\":\"a\",\"pad\":\"p\"}",
                                      "{\"id\":2,\"x\":\"b\",\"pad\":\"q\"}"}));
  // CSV the same way (it used to fail only for a missing column, with Arrow's message).
  Put("in.csv", "id,x,pad\n1,a,p\n");
  EXPECT_EQ(Cli("convert " + scratch_.Uri("in.csv") + " " + scratch_.Uri("o5.parquet") +
                    " --schema " + scratch_.Uri("s2.json") + " --quiet",
                &out),
            1)
      << out;
  EXPECT_NE(out.find("not in the target: 'pad'"), std::string::npos) << out;
}

// Lines "id,name" and n rows from `first`, as CSV.
std::string Csv(int first, int n) {
  std::string s = "id,name\n";
  for (int i = first; i < first + n; ++i)
    s += std::to_string(i) + ",name" + std::to_string(i) + "\n";
  return s;
}

// [WR-1] An input is identified by its URI: a new ETag with the same bytes (touch, a re-upload)
// packs nothing; other bytes fail the run, naming the input and the run that packed it.
TEST_P(PackIntegrityTest, InputsAreIdentifiedByUriAndChangesFail) {
  Put("land/t/a.csv", Csv(0, 50));
  std::string out;
  ASSERT_EQ(Pack("--out-ext csv", &out), 0) << out;
  auto before = AllRows();
  ASSERT_EQ(before.size(), 50u);
  // A new ETag for the same bytes.
  Put("land/t/a.csv", Csv(0, 50));
  std::string uri = scratch_.Uri("land/t/a.csv");
  if (uri.rfind("file://", 0) == 0) {
    struct timeval times[2] = {{1000000000, 0}, {1000000000, 0}};
    ASSERT_EQ(utimes(uri.substr(7).c_str(), times), 0);
  }
  ASSERT_EQ(Pack("--out-ext csv", &out), 0) << out;
  EXPECT_NE(out.find("packed 0 input(s)"), std::string::npos) << out;
  EXPECT_EQ(AllRows(), before);
  // Other bytes of the same size, then another size: an error, nothing written.
  std::string other = Csv(0, 50);
  other[other.size() - 3] = '7';  // "name49" -> "name79"
  Put("land/t/a.csv", other);
  EXPECT_EQ(Pack("--out-ext csv", &out), 1) << out;
  EXPECT_NE(out.find("a.csv (packed by run 0"), std::string::npos) << out;
  EXPECT_NE(out.find("would duplicate rows"), std::string::npos) << out;
  Put("land/t/a.csv", Csv(0, 60));
  EXPECT_EQ(Pack("--out-ext csv", &out), 1) << out;
  EXPECT_EQ(AllRows(), before);
}

// [WR-2] An output table inside the input table is refused (it would re-ingest its own output).
TEST_P(PackIntegrityTest, OutputInsideInputIsRefused) {
  Put("land/t/a.csv", Csv(0, 5));
  std::string out;
  EXPECT_NE(Cli("pack " + In() + " " + scratch_.Uri("land/t") + " t --out-ext csv", &out), 0)
      << out;
  EXPECT_NE(out.find("overlap"), std::string::npos) << out;
  EXPECT_EQ(Keys("land/"), std::vector<std::string>{"land/t/a.csv"});
}

// [WR-3] A run that fails on bad data leaves nothing visible: its files are deleted, the latest
// file is put back, and its lock (intent) is released; the message says so.
TEST_P(PackIntegrityTest, FailedRunIsUndoneAndReleasesItsLock) {
  Put("land/t/a.csv", Csv(0, 20));
  std::string out;
  ASSERT_EQ(Pack("--out-ext csv", &out), 0) << out;
  const std::string t0 = scratch_.store().Get(scratch_.Key("db/t/t_0.csv")).ValueOrDie();
  auto state_before = Keys("db/t/_lakepack/");
  Put("land/t/b.csv", Csv(100, 400));
  Put("land/t/zz_bad.csv", "id,name\n1,x\n2,y\nnot-a-number,z\n");
  EXPECT_EQ(Pack("--out-ext csv --file-limit 2000 --force", &out), 1) << out;
  EXPECT_NE(out.find("zz_bad.csv"), std::string::npos) << out;
  EXPECT_NE(out.find("the run was undone"), std::string::npos) << out;
  EXPECT_EQ(OutputFiles(), std::vector<std::string>{"db/t/t_0.csv"});
  EXPECT_EQ(scratch_.store().Get(scratch_.Key("db/t/t_0.csv")).ValueOrDie(), t0);
  EXPECT_EQ(Keys("db/t/_lakepack/"), state_before) << "no intent (lock) or base copy left";
  // The next run is not a recovery, and packs everything exactly once.
  ASSERT_TRUE(scratch_.store().Delete({scratch_.Key("land/t/zz_bad.csv")}).ok());
  ASSERT_EQ(Pack("--out-ext csv --file-limit 2000 --force", &out), 0) << out;
  EXPECT_EQ(out.find("recovered"), std::string::npos) << out;
  EXPECT_EQ(AllRows().size(), 420u);
}

// [WR-10] A missing input base or table is NotFound (exit 1), not "packed 0 inputs".
TEST_P(PackIntegrityTest, MissingInputIsAnError) {
  std::string out;
  EXPECT_EQ(Cli("pack " + scratch_.Uri("nobase") + " " + Out() + " nosuch", &out), 1) << out;
  EXPECT_NE(out.find("no input table"), std::string::npos) << out;
  Put("land/t/a.csv", Csv(0, 5));
  EXPECT_EQ(Pack("", &out, "tt"), 1) << out;
}

// [WR-11] "t_007" is file 7 (as in the reference); other files of the extension are listed as
// skipped in the plan; a run continues at 8 and never writes "t_7" beside "t_007".
TEST_P(PackIntegrityTest, ZeroPaddedNumbersCountAndOthersAreListedAsSkipped) {
  Put("db/t/t_0.csv", Csv(0, 2));
  Put("db/t/t_007.csv", Csv(2, 2));
  Put("db/t/t_final.csv", Csv(900, 2));
  Put("land/t/a.csv", Csv(10, 3));
  std::string out;
  ASSERT_EQ(Pack("--out-ext csv --dry-run", &out), 0) << out;
  EXPECT_NE(out.find("latest output file: t_007.csv"), std::string::npos) << out;
  EXPECT_NE(out.find("skipped"), std::string::npos) << out;
  EXPECT_NE(out.find("t_final.csv"), std::string::npos) << out;
  ASSERT_EQ(Pack("--out-ext csv", &out), 0) << out;
  EXPECT_EQ(OutputFiles(), (std::vector<std::string>{"db/t/t_0.csv", "db/t/t_007.csv",
                                                     "db/t/t_8.csv", "db/t/t_final.csv"}));
}

// What interrupted writes of `key` left: local temp files beside it, or S3 incomplete multipart
// uploads of exactly it.
int Leftovers(Scratch& scratch, const std::string& key) {
  const std::string uri = scratch.Uri(key);
  if (uri.rfind("file://", 0) == 0) {
    std::filesystem::path p(uri.substr(7));
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(p.parent_path())) {
      if (e.path().filename().string().rfind("." + p.filename().string() + ".lakepack-tmp-", 0) ==
          0) {
        ++n;
      }
    }
    return n;
  }
  auto client = s3::S3Client::Make(lakepack::testing::TestBucket(), {});
  EXPECT_TRUE(client.ok());
  s3::S3Request req;
  req.method = "GET";
  req.query = {{"uploads", ""}, {"prefix", scratch.Key(key)}};
  auto resp = (*client)->Call(req);
  EXPECT_TRUE(resp.ok()) << resp.status().ToString();
  auto uploads = s3::ParseListMultipartUploads(resp->body);
  EXPECT_TRUE(uploads.ok());
  int n = 0;
  for (const auto& u : *uploads) n += u.key == scratch.Key(key);
  return n;
}

// Starts a write of `key` big enough to be a multipart upload on S3, and leaks it (as kill -9).
void LeakWriter(Scratch& scratch, const std::string& key) {
  WriterOptions wo;
  wo.part_size = 5 << 20;  // S3's minimum part
  auto w = scratch.store().OpenWriter(scratch.Key(key), wo);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  std::string chunk((5 << 20) + 1, 'x');
  ASSERT_TRUE((*w)->Write(chunk.data(), chunk.size()).ok());
  (void)w->release();  // never finished nor aborted
}

// [CR-4] Recovery after a crash also removes the crashed run's interrupted writes (local temp
// files, S3 incomplete multipart uploads) of the keys its intent names, and no other key's.
TEST_P(PackIntegrityTest, RecoveryRemovesTheCrashedRunsTempFilesAndUploads) {
  Put("land/t/a.csv", Csv(0, 300));
  std::string out;
  // Crash the run at successive store operations until one dies with its intent written.
  bool crashed = false;
  for (int k = 1; k <= 40 && !crashed; ++k) {
    auto state = Keys("db/t/_lakepack/");
    for (const auto& s : state) ASSERT_TRUE(scratch_.store().Delete({scratch_.Key(s)}).ok());
    for (const auto& f : OutputFiles())
      ASSERT_TRUE(scratch_.store().Delete({scratch_.Key(f)}).ok());
    int rc = RunCli("pack " + In() + " " + Out() + " t --out-ext csv --file-limit 2000 --force",
                    &out, "LAKEPACK_PACK_CRASH_AT=" + std::to_string(k));
    ASSERT_NE(rc, 0) << "the run finished before any crash point with an intent";
    state = Keys("db/t/_lakepack/");
    crashed = std::any_of(state.begin(), state.end(), [](const std::string& s) {
      return s.find("intent-000000000000") != std::string::npos;
    });
  }
  ASSERT_TRUE(crashed);
  int64_t top = -1;
  for (const auto& f : OutputFiles()) top = std::max(top, *ParseFileNumber(f));
  const std::string next = "db/t/" + OutputFileName("t", "", top + 1, "csv");
  LeakWriter(scratch_, next);
  LeakWriter(scratch_, "db/t/notes.txt");  // not a key the intent names
  ASSERT_EQ(Leftovers(scratch_, next), 1);
  ASSERT_EQ(
      RunCli("pack " + In() + " " + Out() + " t --out-ext csv --file-limit 2000 --force", &out), 0)
      << out;
  EXPECT_NE(out.find("recovered"), std::string::npos) << out;
  EXPECT_EQ(Leftovers(scratch_, next), 0);
  EXPECT_EQ(Leftovers(scratch_, "db/t/notes.txt"), 1);
  EXPECT_EQ(AllRows().size(), 300u);
  ASSERT_TRUE(scratch_.store().AbortIncompleteWrites(scratch_.Key("db/t/notes.txt")).ok());
  EXPECT_EQ(Leftovers(scratch_, "db/t/notes.txt"), 0);
}

// [WR-6] --out-ext accepts exactly the documented list and writes the codec it names.
TEST_P(PackIntegrityTest, OutExtNamesTheCodec) {
  Put("land/t/a.csv", Csv(0, 50));
  std::string out;
  for (const std::string bad : {"json", "txt", "ndjson", "foo.parquet", "pq"}) {
    EXPECT_EQ(Pack("--out-ext " + bad, &out), 2) << bad << ": " << out;
    EXPECT_NE(out.find("unsupported output extension"), std::string::npos) << out;
  }
  EXPECT_EQ(Keys("db/"), std::vector<std::string>{});
  ASSERT_EQ(Pack("--out-ext zstd.parquet", &out), 0) << out;
  ASSERT_EQ(Cli("inspect " + scratch_.Uri("db/t/t_0.zstd.parquet"), &out), 0) << out;
  EXPECT_NE(out.find("zstd"), std::string::npos) << out;
  EXPECT_EQ(out.find("snappy"), std::string::npos) << out;
  EXPECT_EQ(RowsOf("db/t/t_0.zstd.parquet").size(), 50u);
}

// Everything interrupted writes left under `dir`: local temp files (recursively), or S3
// incomplete multipart uploads of any key under it.
int LeftoversUnder(Scratch& scratch, const std::string& dir) {
  const std::string uri = scratch.Uri(dir);
  if (uri.rfind("file://", 0) == 0) {
    int n = 0;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(uri.substr(7), ec);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      n += it->path().filename().string().find(".lakepack-tmp-") != std::string::npos;
    }
    return n;
  }
  auto client = s3::S3Client::Make(lakepack::testing::TestBucket(), {});
  EXPECT_TRUE(client.ok());
  s3::S3Request req;
  req.method = "GET";
  req.query = {{"uploads", ""}, {"prefix", scratch.Key(dir)}};
  auto resp = (*client)->Call(req);
  EXPECT_TRUE(resp.ok()) << resp.status().ToString();
  auto uploads = s3::ParseListMultipartUploads(resp->body);
  EXPECT_TRUE(uploads.ok());
  return uploads.ok() ? static_cast<int>(uploads->size()) : -1;
}

// [CR-4], as the probe saw it: a run killed (SIGKILL) in the middle of writing an output file
// leaves an unfinished write (an S3 multipart upload under way, a local temp file); the next run
// recovers and leaves nothing of it under the table, and the rows are exact.
TEST_P(PackIntegrityTest, KilledMidFileTheRerunLeavesNoUploadOrTempFile) {
  std::string out;
  // 20 MB of CSV into 18 MB CSV files: the first output goes multipart on S3 (8 MiB parts).
  ASSERT_EQ(
      RunCli("generate " + scratch_.Uri("land/t/a.csv") + " --size 20MB --seed 7 --json", &out), 0)
      << out;
  auto generated = ParseJson(out);
  ASSERT_TRUE(generated.ok()) << out;
  const int64_t rows = static_cast<int64_t>(generated->Find("rows")->number);
  const std::string cmd = "pack " + In() + " " + Out() + " t --out-ext csv --file-limit 18MB";
  // Kill the run at later and later store calls until one dies with a write under way.
  bool leaked = false;
  for (int k = 16; k < 20000 && !leaked; k += std::max(1, k / 4)) {
    auto left = scratch_.store().ListAll(scratch_.Key("db/"));
    ASSERT_TRUE(left.ok());
    std::vector<std::string> keys;
    for (const auto& o : *left) keys.push_back(o.key);
    if (!keys.empty()) ASSERT_TRUE(scratch_.store().Delete(keys).ok());
    const int rc = RunCli(cmd, &out, "LAKEPACK_CRASH_AT=" + std::to_string(k));
    ASSERT_NE(rc, 0) << "the run finished before a crash left a write under way (k=" << k << ")";
    leaked = LeftoversUnder(scratch_, "db/t/") > 0;
  }
  ASSERT_TRUE(leaked);
  ASSERT_EQ(RunCli(cmd, &out), 0) << out;
  EXPECT_NE(out.find("recovered a crashed run"), std::string::npos) << out;
  EXPECT_EQ(LeftoversUnder(scratch_, "db/t/"), 0);
  int64_t packed = 0;
  for (const auto& f : OutputFiles()) {
    std::string info;
    ASSERT_EQ(RunCli("inspect " + scratch_.Uri(f) + " --json", &info), 0) << info;
    auto v = ParseJson(info);
    ASSERT_TRUE(v.ok()) << info;
    packed += static_cast<int64_t>(v->Find("rows")->number);
  }
  EXPECT_EQ(packed, rows);
}

INSTANTIATE_TEST_SUITE_P(Stores, PackIntegrityTest,
                         ::testing::ValuesIn(lakepack::testing::StoreKinds()),
                         lakepack::testing::KindName);

}  // namespace
}  // namespace lakepack::pack
