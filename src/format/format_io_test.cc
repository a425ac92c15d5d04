// Readers, writers and the Arrow IO adapters end to end on a local store, and on the same store
// seen as a remote one (so the store-backed RandomAccessFile / OutputStream paths run too).
#include <gtest/gtest.h>

#include <atomic>

#include "arrow/array.h"
#include "arrow/json/from_string.h"
#include "arrow/table.h"
#include "arrow/type.h"
#include "format/arrow_io.h"
#include "format/arrow_status.h"
#include "format/inspect.h"
#include "format/reader.h"
#include "format/schema_file.h"
#include "format/writer.h"
#include "store/forwarding_store.h"
#include "test_util.h"

namespace lakepack::format {
namespace {

// Forwards to another store but says it is not local, and counts ranged reads.
class RemoteLikeStore final : public ForwardingStore {
 public:
  explicit RemoteLikeStore(std::shared_ptr<ObjectStore> inner)
      : ForwardingStore(std::move(inner)) {}
  Result<std::string> GetRange(const std::string& k, int64_t off, int64_t len) override {
    ++ranged_reads;
    return ForwardingStore::GetRange(k, off, len);
  }
  Result<int64_t> ReadRange(const std::string& k, int64_t off, int64_t len, char* out) override {
    ++ranged_reads;
    return ForwardingStore::ReadRange(k, off, len, out);
  }
  // Looks remote, so the store-backed Arrow adapters are used instead of local files.
  bool is_local() const override { return false; }
  std::string LocalPath(const std::string&) const override { return {}; }
  std::atomic<int> ranged_reads{0};
};

std::shared_ptr<arrow::Array> A(const std::shared_ptr<arrow::DataType>& t, const std::string& j) {
  return arrow::json::ArrayFromJSONString(t, j).ValueOrDie();
}

// Columns CSV can hold, with awkward values.
std::shared_ptr<arrow::Table> FlatTable() {
  auto schema = ParseSchemaJson(R"js({"columns": [
      {"name": "id", "type": "int64"},
      {"name": "x", "type": "float64"},
      {"name": "name", "type": "string"},
      {"name": "ts", "type": "timestamp[ms, tz=UTC]"},
      {"name": "day", "type": "date32"},
      {"name": "amount", "type": "decimal128(12,2)"},
      {"name": "ok", "type": "bool"}]})js",
                                "fixture")
                    .ValueOrDie();
  arrow::ArrayVector cols = {
      A(arrow::int64(), "[1, -2, null, 9007199254740993]"),
      A(arrow::float64(), "[0.1, -1e300, null, 2.5]"),
      A(arrow::utf8(), R"(["plain", "comma, \"quote\"\nnewline", null, "h\u00e9 \u20ac NA"])"),
      A(arrow::timestamp(arrow::TimeUnit::MILLI, "UTC"), "[1704164645123, -1, null, 0]"),
      A(arrow::date32(), "[19782, -1, null, 0]"),
      A(arrow::decimal128(12, 2), R"(["12.34", "-0.05", null, "9999999999.99"])"),
      A(arrow::boolean(), "[true, false, null, true]"),
  };
  return arrow::Table::Make(schema, cols);
}

class FormatIo : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<testing::Scratch>("local");
    store_ = scratch_->shared_store();
    if (GetParam() == "remote") {
      remote_ = std::make_shared<RemoteLikeStore>(store_);
      store_ = remote_;
    }
  }
  std::string Key(const std::string& name) { return scratch_->Key(name); }

  void WriteTable(const arrow::Table& table, const std::string& key, Format f,
                  const WriteOptions& o = {}) {
    auto w = OpenBatchWriter(store_, key, f, table.schema(), o);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    arrow::TableBatchReader batches(table);
    batches.set_chunksize(3);  // several batches
    std::shared_ptr<arrow::RecordBatch> b;
    while (batches.ReadNext(&b).ok() && b) ASSERT_TRUE((*w)->Write(*b).ok());
    auto info = (*w)->Close();
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_GT(info->size, 0);
  }

  Result<std::shared_ptr<arrow::Table>> ReadTable(const std::string& key, Format f,
                                                  ReadOptions o = {}) {
    LP_ASSIGN_OR_RETURN(auto reader, OpenBatchReader(store_, key, f, o));
    arrow::RecordBatchVector batches;
    while (true) {
      std::shared_ptr<arrow::RecordBatch> b;
      LP_RETURN_NOT_OK(FromArrow(reader->ReadNext(&b)));
      if (!b) break;
      batches.push_back(b);
    }
    return FromArrow(arrow::Table::FromRecordBatches(reader->schema(), batches));
  }

  // What the convert verb does: stream, and abort the output on any error.
  Status Convert(const std::string& in, Format fin, const std::string& out, Format fout,
                 ReadOptions ro = {}) {
    LP_ASSIGN_OR_RETURN(auto reader, OpenBatchReader(store_, in, fin, ro));
    LP_ASSIGN_OR_RETURN(auto writer, OpenBatchWriter(store_, out, fout, reader->schema()));
    while (true) {
      std::shared_ptr<arrow::RecordBatch> b;
      Status st = FromArrow(reader->ReadNext(&b));
      if (st.ok() && b) st = writer->Write(*b);
      if (!st.ok()) {
        (void)writer->Abort();
        return st;
      }
      if (!b) break;
    }
    return writer->Close().status();
  }

  void Put(const std::string& key, const std::string& data) {
    ASSERT_TRUE(store_->Put(key, data).ok());
  }

  // Keys under the scratch prefix (listings skip in-flight temp files; we check the dir too).
  std::vector<std::string> Keys() {
    std::vector<std::string> keys;
    for (const auto& o : store_->ListAll(scratch_->prefix()).ValueOrDie()) keys.push_back(o.key);
    return keys;
  }

  std::unique_ptr<testing::Scratch> scratch_;
  std::shared_ptr<ObjectStore> store_;
  std::shared_ptr<RemoteLikeStore> remote_;
};

TEST_P(FormatIo, RoundTripParquetCsvJsonlCsvPreservesValues) {
  auto table = FlatTable();
  ReadOptions with_schema;
  with_schema.schema = table->schema();
  WriteTable(*table, Key("a.parquet"), Format::kParquet);
  ASSERT_TRUE(Convert(Key("a.parquet"), Format::kParquet, Key("b.csv"), Format::kCsv).ok());
  auto st = Convert(Key("b.csv"), Format::kCsv, Key("c.jsonl"), Format::kJsonl, with_schema);
  ASSERT_TRUE(st.ok()) << st.ToString();
  st = Convert(Key("c.jsonl"), Format::kJsonl, Key("d.csv"), Format::kCsv, with_schema);
  ASSERT_TRUE(st.ok()) << st.ToString();
  st = Convert(Key("d.csv"), Format::kCsv, Key("e.parquet"), Format::kParquet, with_schema);
  ASSERT_TRUE(st.ok()) << st.ToString();
  for (auto [key, f] :
       {std::pair{Key("a.parquet"), Format::kParquet},
        std::pair{Key("e.parquet"), Format::kParquet}, std::pair{Key("d.csv"), Format::kCsv},
        std::pair{Key("c.jsonl"), Format::kJsonl}}) {
    auto back = ReadTable(key, f, f == Format::kParquet ? ReadOptions{} : with_schema);
    ASSERT_TRUE(back.ok()) << key << ": " << back.status().ToString();
    auto combined = (*back)->CombineChunks().ValueOrDie();
    EXPECT_TRUE(combined->Equals(*table->CombineChunks().ValueOrDie()))
        << key << "\n"
        << combined->ToString() << "\nexpected\n"
        << table->ToString();
  }
}

TEST_P(FormatIo, ParquetJsonlKeepsNestedValues) {
  auto schema =
      arrow::schema({arrow::field("l", arrow::list(arrow::int64())),
                     arrow::field("s", arrow::struct_({arrow::field("a", arrow::utf8()),
                                                       arrow::field("b", arrow::float64())}))});
  auto table = arrow::Table::Make(
      schema,
      {A(schema->field(0)->type(), "[[1, 2], null, []]"),
       A(schema->field(1)->type(), R"([{"a": "x\ty", "b": 1.5}, null, {"a": null, "b": null}])")});
  WriteTable(*table, Key("n.parquet"), Format::kParquet);
  ASSERT_TRUE(Convert(Key("n.parquet"), Format::kParquet, Key("n.jsonl"), Format::kJsonl).ok());
  EXPECT_EQ(store_->Get(Key("n.jsonl")).ValueOrDie(),
            "{\"l\":[1,2],\"s\":{\"a\":\"x\\ty\",\"b\":1.5}}\n"
            "{\"l\":null,\"s\":null}\n"
            "{\"l\":[],\"s\":{\"a\":null,\"b\":null}}\n");
  ReadOptions ro;
  ro.schema = schema;
  auto back = ReadTable(Key("n.jsonl"), Format::kJsonl, ro);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE((*back)->Equals(*table)) << (*back)->ToString();
}

TEST_P(FormatIo, MissingFileIsNotFound) {
  for (Format f : {Format::kCsv, Format::kJsonl, Format::kParquet}) {
    auto r = OpenBatchReader(store_, Key("nope.x"), f);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << r.status().ToString();
    EXPECT_NE(r.status().message().find("nope.x"), std::string::npos);
  }
}

TEST_P(FormatIo, TruncatedParquetSaysItIsNotParquet) {
  WriteTable(*FlatTable(), Key("ok.parquet"), Format::kParquet);
  std::string bytes = store_->Get(Key("ok.parquet")).ValueOrDie();
  Put(Key("cut.parquet"), bytes.substr(0, bytes.size() - 10));
  ReadOptions o;
  o.display_name = "cut.parquet";
  auto r = OpenBatchReader(store_, Key("cut.parquet"), Format::kParquet, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidData);
  EXPECT_NE(r.status().message().find("cut.parquet: not a valid Parquet file"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("footer"), std::string::npos) << r.status().message();
  // And a convert of it leaves no output.
  EXPECT_FALSE(Convert(Key("cut.parquet"), Format::kParquet, Key("out.csv"), Format::kCsv).ok());
  EXPECT_TRUE(store_->Head(Key("out.csv")).status().IsNotFound());
}

// Issue 13, BE-8: a Parquet file (or a gzip one) named .csv is said to be one, not "malformed
// CSV row" at some line.
TEST_P(FormatIo, ParquetOrGzipNamedCsvSaysWhatItLooksLike) {
  WriteTable(*FlatTable(), Key("t.parquet"), Format::kParquet);
  Put(Key("t.csv"), store_->Get(Key("t.parquet")).ValueOrDie());
  Put(Key("z.csv"), std::string("\x1f\x8b\x08\x00rest of a gzip stream\n", 26));
  for (const char* name : {"t.csv", "z.csv"}) {
    ReadOptions o;
    o.display_name = name;
    Status st = Convert(Key(name), Format::kCsv, Key("out.parquet"), Format::kParquet, o);
    EXPECT_EQ(st.code(), StatusCode::kInvalidData) << name;
    EXPECT_NE(st.message().find(std::string(name) + ": not CSV: this looks "),
              std::string::npos)
        << st.message();
    EXPECT_TRUE(store_->Head(Key("out.parquet")).status().IsNotFound());
  }
}

// Issue 13, WR-4: a byte that is not UTF-8 in CSV is an error naming file, line and column,
// not a silent switch of the column to binary.
TEST_P(FormatIo, CsvThatIsNotUtf8NamesLineAndColumn) {
  Put(Key("latin.csv"), "a,b\n1,ok\n2,caf\xe9\n3,fine\n");
  ReadOptions o;
  o.display_name = "latin.csv";
  Status st = Convert(Key("latin.csv"), Format::kCsv, Key("out.parquet"), Format::kParquet, o);
  EXPECT_EQ(st.code(), StatusCode::kInvalidData);
  EXPECT_NE(st.message().find("latin.csv: line 3: byte 0xE9: column 'b' is not UTF-8 text"),
            std::string::npos)
      << st.message();
  EXPECT_TRUE(store_->Head(Key("out.parquet")).status().IsNotFound());
  // Valid UTF-8 of every length reads as text.
  Put(Key("utf8.csv"), "a,b\n1,caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n");
  auto t = ReadTable(Key("utf8.csv"), Format::kCsv);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE((*t)->schema()->GetFieldByName("b")->type()->Equals(arrow::utf8()));
}

// Issue 13, CR-1: a 0-byte CSV or JSON Lines file is a valid input of no rows (it was "empty
// CSV file" / "empty JSON Lines file"), and the 0-byte JSON Lines a 0-row table writes reads back.
TEST_P(FormatIo, ZeroByteCsvAndJsonlAreEmptyInputs) {
  Put(Key("e.csv"), "");
  Put(Key("e.jsonl"), "");
  for (auto [name, f] : {std::pair{"e.csv", Format::kCsv}, std::pair{"e.jsonl", Format::kJsonl}}) {
    auto t = ReadTable(Key(name), f);
    ASSERT_TRUE(t.ok()) << name << ": " << t.status().ToString();
    EXPECT_EQ((*t)->num_rows(), 0) << name;
    ReadOptions typed;
    typed.schema = arrow::schema({arrow::field("a", arrow::int64())});
    auto with_schema = ReadTable(Key(name), f, typed);
    ASSERT_TRUE(with_schema.ok()) << name << ": " << with_schema.status().ToString();
    EXPECT_TRUE((*with_schema)->schema()->Equals(*typed.schema)) << name;
  }
  // A 0-row Parquet file -> JSON Lines (0 bytes) -> read again.
  WriteTable(*FlatTable()->Slice(0, 0), Key("none.parquet"), Format::kParquet);
  ASSERT_TRUE(Convert(Key("none.parquet"), Format::kParquet, Key("none.jsonl"), Format::kJsonl).ok());
  EXPECT_EQ(store_->Head(Key("none.jsonl"))->size, 0);
  auto back = ReadTable(Key("none.jsonl"), Format::kJsonl);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ((*back)->num_rows(), 0);
}

TEST_P(FormatIo, MalformedCsvRowNamesItsLine) {
  Put(Key("bad.csv"), "a,b\n1,2\n3,4\n5\n7,8\n");
  for (bool threads : {false, true}) {
    ReadOptions o;
    o.use_threads = threads;
    o.display_name = "bad.csv";
    Status st = Convert(Key("bad.csv"), Format::kCsv, Key("out.parquet"), Format::kParquet, o);
    EXPECT_EQ(st.code(), StatusCode::kInvalidData);
    EXPECT_NE(st.message().find("bad.csv: line 4: "), std::string::npos) << st.message();
    EXPECT_TRUE(store_->Head(Key("out.parquet")).status().IsNotFound());
  }
  EXPECT_EQ(Keys(), std::vector<std::string>{Key("bad.csv")});
}

TEST_P(FormatIo, CsvValueThatDoesNotConvertNamesLineAndColumn) {
  std::string csv = "id,n\n";
  for (int i = 0; i < 3000; ++i) csv += std::to_string(i) + "," + std::to_string(i * 2) + "\n";
  csv += "3000,\"two\nlines\"\n";  // line 3002 holds a quoted newline: lines after shift by one
  csv += "3001,x7\n";              // line 3004
  Put(Key("conv.csv"), csv);
  ReadOptions o;
  o.schema = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("n", arrow::utf8())});
  ASSERT_TRUE(ReadTable(Key("conv.csv"), Format::kCsv, o).ok());
  o.schema = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("n", arrow::int64())});
  o.block_size = 4096;  // the bad row is many blocks in
  o.display_name = "conv.csv";
  auto r = ReadTable(Key("conv.csv"), Format::kCsv, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidData);
  EXPECT_NE(r.status().message().find("conv.csv: line 3002: column 'n': 'two\nlines' is not a "
                                      "valid int64"),
            std::string::npos)
      << r.status().message();
}

// Inferred CSV types never drop characters: numbers with leading zeros or a '+' stay text, in
// small and default block sizes; plain numbers (also "0", "-0.5", "0.25") are still numbers.
TEST_P(FormatIo, CsvNumbersThatWouldLoseDigitsStayText) {
  Put(Key("ids.csv"),
      "zip,phone,n,x,neg\n"
      "01234,+4420,1,0.25,-0.5\n"
      "98765,007,0,0,-01\n");
  for (int64_t block : {int64_t{1} << 12, int64_t{4} << 20}) {
    ReadOptions o;
    o.block_size = block;
    auto t = ReadTable(Key("ids.csv"), Format::kCsv, o);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    const auto& schema = *(*t)->schema();
    EXPECT_EQ(schema.GetFieldByName("zip")->type()->id(), arrow::Type::STRING) << block;
    EXPECT_EQ(schema.GetFieldByName("phone")->type()->id(), arrow::Type::STRING);
    EXPECT_EQ(schema.GetFieldByName("n")->type()->id(), arrow::Type::INT64);
    EXPECT_EQ(schema.GetFieldByName("x")->type()->id(), arrow::Type::DOUBLE);
    EXPECT_EQ(schema.GetFieldByName("neg")->type()->id(), arrow::Type::STRING);  // "-01"
    auto zip = std::static_pointer_cast<arrow::StringArray>((*t)->GetColumnByName("zip")->chunk(0));
    EXPECT_EQ(zip->GetString(0), "01234");
    auto phone =
        std::static_pointer_cast<arrow::StringArray>((*t)->GetColumnByName("phone")->chunk(0));
    EXPECT_EQ(phone->GetString(0), "+4420");
    EXPECT_EQ(phone->GetString(1), "007");
  }
}

TEST_P(FormatIo, BadJsonLineNamesItsLine) {
  Put(Key("bad.jsonl"), "{\"a\":1}\n\n{\"a\":2}\n{\"a\":3,}\n{\"a\":4}\n");
  ReadOptions o;
  o.display_name = "bad.jsonl";
  Status st = Convert(Key("bad.jsonl"), Format::kJsonl, Key("out.csv"), Format::kCsv, o);
  EXPECT_EQ(st.code(), StatusCode::kInvalidData);
  EXPECT_NE(st.message().find("bad.jsonl: line 4: bad JSON line"), std::string::npos)
      << st.message();
  EXPECT_TRUE(store_->Head(Key("out.csv")).status().IsNotFound());
}

TEST_P(FormatIo, BadJsonLineFarIntoTheFile) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "{\"a\":" + std::to_string(i) + ",\"b\":\"s\"}\n";
  text += "{\"a\":\"oops\",\"b\":\"s\"}\n";  // line 5001: a string where numbers were
  for (int i = 0; i < 10; ++i) text += "{\"a\":1,\"b\":\"s\"}\n";
  Put(Key("far.jsonl"), text);
  for (bool with_schema : {false, true}) {
    ReadOptions o;
    o.block_size = 8192;
    o.display_name = "far.jsonl";
    if (with_schema) {
      o.schema =
          arrow::schema({arrow::field("a", arrow::int64()), arrow::field("b", arrow::utf8())});
    }
    auto r = ReadTable(Key("far.jsonl"), Format::kJsonl, o);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("far.jsonl: line 5001: "), std::string::npos)
        << r.status().message();
  }
}

TEST_P(FormatIo, BadDateInJsonNamesLineAndField) {
  Put(Key("d.jsonl"), "{\"d\":\"2024-01-02\"}\n{\"d\":\"2024-13-45\"}\n");
  ReadOptions o;
  o.schema = arrow::schema({arrow::field("d", arrow::date32())});
  o.display_name = "d.jsonl";
  auto r = ReadTable(Key("d.jsonl"), Format::kJsonl, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("d.jsonl: line 2: field 'd': '2024-13-45'"),
            std::string::npos)
      << r.status().message();
}

TEST_P(FormatIo, WriterDestroyedOrAbortedLeavesNothing) {
  auto table = FlatTable();
  auto batch = table->CombineChunksToBatch().ValueOrDie();
  for (Format f : {Format::kCsv, Format::kJsonl, Format::kParquet}) {
    {
      auto w = OpenBatchWriter(store_, Key("gone"), f, table->schema()).ValueOrDie();
      ASSERT_TRUE(w->Write(*batch).ok());
    }  // destroyed without Close
    EXPECT_TRUE(store_->Head(Key("gone")).status().IsNotFound()) << FormatName(f);
    auto w = OpenBatchWriter(store_, Key("gone2"), f, table->schema()).ValueOrDie();
    ASSERT_TRUE(w->Write(*batch).ok());
    ASSERT_TRUE(w->Abort().ok());
    EXPECT_FALSE(w->Close().ok());
    EXPECT_TRUE(store_->Head(Key("gone2")).status().IsNotFound()) << FormatName(f);
  }
  EXPECT_TRUE(Keys().empty());
}

TEST_P(FormatIo, CsvRefusesNestedColumnsUpFront) {
  auto schema = arrow::schema({arrow::field("l", arrow::list(arrow::int32()))});
  auto w = OpenBatchWriter(store_, Key("n.csv"), Format::kCsv, schema);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("column 'l'"), std::string::npos);
  EXPECT_TRUE(store_->Head(Key("n.csv")).status().IsNotFound());
}

TEST_P(FormatIo, ParquetOptionsAndInspect) {
  auto table = FlatTable();
  WriteOptions o;
  o.compression = arrow::Compression::ZSTD;
  o.row_group_rows = 2;
  WriteTable(*table, Key("z.parquet"), Format::kParquet, o);
  auto facts = InspectFile(store_, Key("z.parquet"), Format::kParquet);
  ASSERT_TRUE(facts.ok()) << facts.status().ToString();
  EXPECT_EQ(facts->rows, 4);
  ASSERT_EQ(facts->row_groups.size(), 2u);
  EXPECT_EQ(facts->row_groups[0].rows, 2);
  ASSERT_EQ(facts->row_groups[0].columns.size(), 7u);
  EXPECT_EQ(facts->row_groups[0].columns[0].codec, "zstd");
  EXPECT_EQ(facts->schema->field(3)->type()->ToString(), "timestamp[ms, tz=UTC]");
  bool has_arrow_schema = false;
  for (const auto& [k, v] : facts->metadata) has_arrow_schema |= k == "ARROW:schema";
  EXPECT_TRUE(has_arrow_schema);
  std::string json = RenderJson(*facts);
  EXPECT_NE(json.find("\"rows\":4"), std::string::npos);
  EXPECT_NE(json.find("\"codec\":\"zstd\""), std::string::npos);
  EXPECT_NE(RenderText(*facts).find("row groups: 2"), std::string::npos);

  WriteTable(*table, Key("t.csv"), Format::kCsv);
  auto csv = InspectFile(store_, Key("t.csv"), Format::kCsv);
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(csv->rows, 4);
  EXPECT_EQ(csv->schema->num_fields(), 7);
}

// Issue 16 F8: the footer accessors in InspectParquet ran outside any try, so a corrupt footer
// threw parquet::ParquetException out of InspectFile ("lakepack: error: Unsupported compression
// codec value: 38", without the file's name).  Here one column chunk's codec in the footer is
// patched to 38 (Thrift compact: path_in_schema ["zqx"], then field 4 codec, zigzag 0 → 76).
TEST_P(FormatIo, InspectOfACorruptFooterIsInvalidDataNamingTheFile) {
  auto table = arrow::Table::Make(arrow::schema({arrow::field("zqx", arrow::int64())}),
                                  {A(arrow::int64(), "[1, 2, 3]")});
  WriteOptions o;
  o.compression = arrow::Compression::UNCOMPRESSED;
  WriteTable(*table, Key("ok.parquet"), Format::kParquet, o);
  std::string bytes = store_->Get(Key("ok.parquet")).ValueOrDie();
  const std::string chunk_path("\x19\x18\x03zqx\x15\x00", 8);
  const size_t at = bytes.rfind(chunk_path);
  ASSERT_NE(at, std::string::npos);
  bytes[at + chunk_path.size() - 1] = '\x4c';
  Put(Key("codec.parquet"), bytes);
  ReadOptions ro;
  ro.display_name = "codec.parquet";
  Result<FileFacts> facts = Status::Internal("not inspected");
  EXPECT_NO_THROW(facts = InspectFile(store_, Key("codec.parquet"), Format::kParquet, ro));
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.status().code(), StatusCode::kInvalidData) << facts.status().ToString();
  EXPECT_NE(facts.status().message().find("codec.parquet"), std::string::npos)
      << facts.status().ToString();
}

TEST_P(FormatIo, RemoteParquetReadsAreCoalesced) {
  if (!remote_) GTEST_SKIP() << "counts ranged reads of the store-backed file";
  auto table = FlatTable();
  WriteTable(*table, Key("r.parquet"), Format::kParquet);
  remote_->ranged_reads = 0;
  auto back = ReadTable(Key("r.parquet"), Format::kParquet);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)->num_rows(), 4);
  // Footer (one or two reads) plus one coalesced read of the row group; not one per column.
  EXPECT_LE(remote_->ranged_reads.load(), 4);
  EXPECT_GT(remote_->ranged_reads.load(), 0);
}

TEST_P(FormatIo, InputFileReadsRanges) {
  Put(Key("bytes"), "0123456789");
  auto f = OpenInputFile(store_, Key("bytes")).ValueOrDie();
  EXPECT_EQ(f->GetSize().ValueOrDie(), 10);
  EXPECT_EQ(f->ReadAt(3, 4).ValueOrDie()->ToString(), "3456");
  EXPECT_EQ(f->ReadAt(8, 100).ValueOrDie()->ToString(), "89");
  EXPECT_EQ(f->ReadAt(20, 5).ValueOrDie()->size(), 0);
  ASSERT_TRUE(f->Seek(0).ok());  // Arrow files want a Seek between ReadAt and Read
  EXPECT_EQ(f->Read(2).ValueOrDie()->ToString(), "01");
  EXPECT_EQ(f->Read(3).ValueOrDie()->ToString(), "234");
  EXPECT_EQ(f->Tell().ValueOrDie(), 5);
  auto missing = OpenInputFile(store_, Key("none"));
  EXPECT_TRUE(missing.status().IsNotFound());
}

TEST_P(FormatIo, OutputStreamCommitsOnCloseOnly) {
  auto s = OpenOutputStream(store_, Key("o")).ValueOrDie();
  ASSERT_TRUE(s->Write("hello ", 6).ok());
  std::string big(ObjectOutputStream::kBufferBytes + 5, 'x');
  ASSERT_TRUE(s->Write(big.data(), static_cast<int64_t>(big.size())).ok());
  EXPECT_EQ(s->Tell().ValueOrDie(), static_cast<int64_t>(6 + big.size()));
  EXPECT_TRUE(store_->Head(Key("o")).status().IsNotFound());
  ASSERT_TRUE(s->Close().ok());
  EXPECT_EQ(s->info().size, static_cast<int64_t>(6 + big.size()));
  EXPECT_EQ(store_->Get(Key("o")).ValueOrDie(), "hello " + big);
}

TEST(ArrowStatus, CodeSurvivesTheRoundTrip) {
  Status s = Status::PermissionDenied("s3://b/k: access denied");
  arrow::Status a = ToArrow(s);
  EXPECT_TRUE(a.IsIOError());
  Status back = FromArrow(a, "reading");
  EXPECT_EQ(back.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(back.message(), "reading: s3://b/k: access denied");
  EXPECT_EQ(FromArrow(arrow::Status::Invalid("bad")).code(), StatusCode::kInvalidData);
  EXPECT_TRUE(FromArrow(arrow::Status::OK()).ok());
}

TEST(FormatNames, Detection) {
  EXPECT_EQ(DetectFormat("a/b.CSV").ValueOrDie(), Format::kCsv);
  EXPECT_EQ(DetectFormat("s3://b/x.snappy.parquet").ValueOrDie(), Format::kParquet);
  EXPECT_EQ(DetectFormat("x.pq").ValueOrDie(), Format::kParquet);
  EXPECT_EQ(DetectFormat("x.ndjson").ValueOrDie(), Format::kJsonl);
  EXPECT_EQ(DetectFormat("x.json").ValueOrDie(), Format::kJsonl);
  EXPECT_FALSE(DetectFormat("x.txt").ok());
  EXPECT_EQ(ResolveFormat("x.txt", "csv").ValueOrDie(), Format::kCsv);
  EXPECT_EQ(ParseCompression("ZSTD").ValueOrDie(), arrow::Compression::ZSTD);
  EXPECT_EQ(ParseCompression("none").ValueOrDie(), arrow::Compression::UNCOMPRESSED);
  EXPECT_FALSE(ParseCompression("lzma").ok());
}

// [CR-3] A column null for the first blocks and a string later takes the later type (null widens),
// in JSON Lines and CSV alike; it used to fail with "expected null, got a string".
TEST_P(FormatIo, ColumnNullInTheFirstBlocksWidensToItsLaterType) {
  std::string jsonl, csv = "id,x\n";
  for (int i = 0; i < 3000; ++i) {
    jsonl += "{\"id\":" + std::to_string(i) + ",\"x\":null}\n";
    csv += std::to_string(i) + ",\n";
  }
  jsonl += "{\"id\":3000,\"x\":\"late\"}\n";
  csv += "3000,late\n";
  Put(Key("late.jsonl"), jsonl);
  Put(Key("late.csv"), csv);
  ReadOptions o;
  o.block_size = 4096;  // types from the first 4 kB: the value is many blocks in
  for (auto [key, f] :
       {std::pair{Key("late.jsonl"), Format::kJsonl}, std::pair{Key("late.csv"), Format::kCsv}}) {
    auto t = ReadTable(key, f, o);
    ASSERT_TRUE(t.ok()) << key << ": " << t.status().ToString();
    EXPECT_EQ((*t)->schema()->GetFieldByName("x")->type()->ToString(), "string") << key;
    EXPECT_EQ((*t)->num_rows(), 3001);
    auto x = (*t)->GetColumnByName("x");
    EXPECT_EQ(x->null_count(), 3000) << key;
  }
}

// JSON Lines date strings are dates, as they are from CSV.
TEST_P(FormatIo, JsonlDateStringsAreDates) {
  Put(Key("d.jsonl"),
      "{\"d\":\"1990-01-01\",\"t\":\"1990-01-01 10:00:00\"}\n{\"d\":\"2020-02-29\"}\n");
  Put(Key("d.csv"), "d\n1990-01-01\n2020-02-29\n");
  auto j = ReadTable(Key("d.jsonl"), Format::kJsonl);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  auto c = ReadTable(Key("d.csv"), Format::kCsv);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ((*j)->schema()->GetFieldByName("d")->type()->ToString(), "date32[day]");
  EXPECT_EQ((*c)->schema()->GetFieldByName("d")->type()->ToString(), "date32[day]");
  EXPECT_EQ((*j)->schema()->GetFieldByName("t")->type()->ToString(), "timestamp[s]");
  EXPECT_TRUE((*j)->GetColumnByName("d")->Equals(*(*c)->GetColumnByName("d")));
}

INSTANTIATE_TEST_SUITE_P(Stores, FormatIo, ::testing::Values("local", "remote"));

}  // namespace
}  // namespace lakepack::format
