// CSV dialects and compressed inputs (issue 13, MF-3), through OpenBatchReader as every verb
// reads, on local disk and on the S3 test server; and the decompressing input on its own.
#include "format/compressed_input.h"

#include <gtest/gtest.h>

#include "arrow/array.h"
#include "arrow/table.h"
#include "arrow/util/compression.h"
#include "format/arrow_status.h"
#include "format/reader.h"
#include "test_util.h"

namespace lakepack::format {
namespace {

std::string Compress(const std::string& text, arrow::Compression::type codec) {
  auto c = arrow::util::Codec::Create(codec).ValueOrDie();
  std::string out(c->MaxCompressedLen(text.size(), nullptr), '\0');
  int64_t n = c->Compress(text.size(), reinterpret_cast<const uint8_t*>(text.data()), out.size(),
                          reinterpret_cast<uint8_t*>(out.data()))
                  .ValueOrDie();
  out.resize(n);
  return out;
}

// JSON Lines of `rows` rows, a few MB for 100k rows.
std::string JsonLines(int rows) {
  std::string s;
  for (int i = 0; i < rows; ++i) {
    s += "{\"id\":" + std::to_string(i) + ",\"name\":\"row number " + std::to_string(i) +
         " with some text to make it longer\",\"day\":\"2024-01-0" + std::to_string(1 + i % 9) +
         "\"}\n";
  }
  return s;
}

class Dialects : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() != "local" && !testing::S3Configured()) GTEST_SKIP() << "no S3 test server";
    scratch_ = std::make_unique<testing::Scratch>(GetParam());
    store_ = scratch_->shared_store();
  }
  std::string Key(const std::string& name) { return scratch_->Key(name); }
  void Put(const std::string& name, const std::string& bytes) {
    ASSERT_TRUE(store_->Put(Key(name), bytes).ok());
  }
  Result<std::shared_ptr<arrow::Table>> Read(const std::string& name, ReadOptions o = {}) {
    LP_ASSIGN_OR_RETURN(Format f, DetectFormat(name));
    o.display_name = name;
    LP_ASSIGN_OR_RETURN(auto reader, OpenBatchReader(store_, Key(name), f, o));
    arrow::RecordBatchVector batches;
    while (true) {
      std::shared_ptr<arrow::RecordBatch> b;
      LP_RETURN_NOT_OK(FromArrow(reader->ReadNext(&b)));
      if (!b) break;
      batches.push_back(b);
    }
    return FromArrow(arrow::Table::FromRecordBatches(reader->schema(), batches));
  }

  std::unique_ptr<testing::Scratch> scratch_;
  std::shared_ptr<ObjectStore> store_;
};

// The probe's reproduction: `semi.csv` (;) failed with "Expected 1 columns, got 2", and there was
// no way to say ';'.
TEST_P(Dialects, SemicolonDelimiter) {
  Put("semi.csv", "a;b\n1;x,y\n2;z\n");
  ReadOptions o;
  o.csv.delimiter = ';';
  auto t = Read("semi.csv", o);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)->schema()->ToString(), "a: int64\nb: string");
  EXPECT_EQ((*t)->num_rows(), 2);
  // The default is ',': one column "a;b", and the row with a comma is malformed.
  EXPECT_EQ(Read("semi.csv").status().code(), StatusCode::kInvalidData);
}

// Before: ".tsv" was "cannot tell the format from the name".
TEST_P(Dialects, TsvImpliesTabsAndAnyCase) {
  Put("t.TSV", "a\tb\n1\tx y\n");
  auto t = Read("t.TSV");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)->schema()->ToString(), "a: int64\nb: string");
  ReadOptions comma;
  comma.csv.delimiter = ',';  // a given delimiter wins over the name
  auto one = Read("t.TSV", comma);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ((*one)->num_columns(), 1);
}

TEST_P(Dialects, NoHeaderNamesColumnsF0F1) {
  Put("n.csv", "1,x\n2,y\n");
  ReadOptions o;
  o.csv.header = false;
  auto t = Read("n.csv", o);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)->schema()->ToString(), "f0: int64\nf1: string");
  EXPECT_EQ((*t)->num_rows(), 2);  // the first line is a row
}

TEST_P(Dialects, QuoteCharacterAndNoQuoting) {
  Put("q.csv", "a,b\n1,'x,y'\n2,\"z\n");
  ReadOptions single;
  single.csv.quote = '\'';
  auto t = Read("q.csv", single);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto b = std::static_pointer_cast<arrow::StringArray>((*t)->column(1)->chunk(0));
  EXPECT_EQ(b->GetString(0), "x,y");
  EXPECT_EQ(b->GetString(1), "\"z");  // '"' is an ordinary character now
  Put("r.csv", "a,b\n1,\"x\n2,y\"\n");
  ReadOptions none;
  none.csv.quoting = false;
  auto r = Read("r.csv", none);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->num_rows(), 2);
  auto rb = std::static_pointer_cast<arrow::StringArray>((*r)->column(1)->chunk(0));
  EXPECT_EQ(rb->GetString(0), "\"x");
}

TEST_P(Dialects, NullStrings) {
  Put("n.csv", "a,b\n1,NA\nNA,\n3,x\n");
  auto plain = Read("n.csv");  // default: "NA" is text, the empty field null
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)->schema()->field(0)->type()->ToString(), "string");
  EXPECT_EQ((*plain)->column(1)->null_count(), 1);
  ReadOptions o;
  o.csv.null_values = {"NA", ""};
  auto t = Read("n.csv", o);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)->schema()->field(0)->type()->ToString(), "int64");
  EXPECT_EQ((*t)->column(0)->null_count(), 1);
  EXPECT_EQ((*t)->column(1)->null_count(), 2);
}

TEST(CsvDialect, Validate) {
  CsvDialect d;
  EXPECT_TRUE(d.Validate().ok());
  d.delimiter = '\n';
  EXPECT_EQ(d.Validate().code(), StatusCode::kInvalidArgument);
  d.delimiter = '"';
  EXPECT_NE(d.Validate().message().find("both"), std::string::npos);
  d.quoting = false;  // no quote character then
  EXPECT_TRUE(d.Validate().ok());
  EXPECT_EQ(CsvDialect().Describe(), "");
  CsvDialect e;
  e.delimiter = '\t';
  e.header = false;
  e.null_values = {"NA"};
  EXPECT_EQ(e.Describe(), "delimiter tab, no header, null 'NA'");
}

TEST(DetectFormat, CaseCompressionAndTsv) {
  EXPECT_EQ(*DetectFormat("A.CSV"), Format::kCsv);
  EXPECT_EQ(*DetectFormat("x.JSONL"), Format::kJsonl);
  EXPECT_EQ(*DetectFormat("y.Parquet"), Format::kParquet);
  EXPECT_EQ(*DetectFormat("s3://b/d/x.csv.gz"), Format::kCsv);
  EXPECT_EQ(*DetectFormat("x.jsonl.zst"), Format::kJsonl);
  EXPECT_EQ(*DetectFormat("x.tsv.GZ"), Format::kCsv);
  EXPECT_EQ(InputCompressionOf("x.csv.GZ"), InputCompression::kGzip);
  EXPECT_EQ(InputCompressionOf("x.csv.zstd"), InputCompression::kZstd);
  EXPECT_EQ(InputCompressionOf("x.csv"), InputCompression::kNone);
  EXPECT_TRUE(IsTsvName("x.tsv.zst"));
  EXPECT_FALSE(IsTsvName("x.csv"));
  auto pq = DetectFormat("x.parquet.gz");
  EXPECT_EQ(pq.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(pq.status().message().find("Parquet compresses its own pages"), std::string::npos);
  EXPECT_FALSE(DetectFormat("x.gz").ok());
  EXPECT_FALSE(DetectFormat("s3://b/dir.csv/x").ok());
}

// Before: ".csv.gz" was "cannot tell the format from the name"; now .gz and .zst CSV and JSON
// Lines read exactly as their text does (types included), whatever the case of the name.
TEST_P(Dialects, CompressedInputsReadAsTheirText) {
  const std::string csv = "id,name,day\n1,\"a, b\",2024-01-01\n2,007,2024-01-02\n";
  const std::string jsonl = JsonLines(20);
  Put("p.csv", csv);
  Put("p.jsonl", jsonl);
  Put("p.csv.gz", Compress(csv, arrow::Compression::GZIP));
  Put("P.CSV.ZST", Compress(csv, arrow::Compression::ZSTD));
  Put("p.jsonl.GZ", Compress(jsonl, arrow::Compression::GZIP));
  Put("p.jsonl.zst", Compress(jsonl, arrow::Compression::ZSTD));
  auto csv_plain = Read("p.csv");
  auto json_plain = Read("p.jsonl");
  ASSERT_TRUE(csv_plain.ok() && json_plain.ok());
  for (const char* name : {"p.csv.gz", "P.CSV.ZST", "p.jsonl.GZ", "p.jsonl.zst"}) {
    auto t = Read(name);
    ASSERT_TRUE(t.ok()) << name << ": " << t.status().ToString();
    const auto& want =
        std::string(name).find("json") != std::string::npos ? *json_plain : *csv_plain;
    EXPECT_TRUE((*t)->Equals(*want)) << name << "\n" << (*t)->ToString();
  }
  EXPECT_EQ((*csv_plain)->schema()->field(1)->type()->ToString(), "string");
}

// A compressed JSON Lines file of many blocks (the reader's parallel blocks read through the
// decompressing input's window) and a CSV of many blocks, small blocks to make many.
TEST_P(Dialects, CompressedInputsOfManyBlocks) {
  const std::string jsonl = JsonLines(120000);  // ~10 MB of text: more than the 8 MiB window
  ASSERT_GT(jsonl.size(), size_t{9} << 20);
  Put("big.jsonl", jsonl);
  Put("big.jsonl.gz", Compress(jsonl, arrow::Compression::GZIP));
  std::string csv = "id,v\n";
  for (int i = 0; i < 300000; ++i) csv += std::to_string(i) + ",value " + std::to_string(i) + "\n";
  Put("big.csv", csv);
  Put("big.csv.zst", Compress(csv, arrow::Compression::ZSTD));
  for (const auto& [plain, packed] :
       {std::pair{"big.jsonl", "big.jsonl.gz"}, std::pair{"big.csv", "big.csv.zst"}}) {
    ReadOptions o;
    o.block_size = 1 << 16;
    auto want = Read(plain, o);
    auto got = Read(packed, o);
    ASSERT_TRUE(want.ok() && got.ok()) << got.status().ToString();
    EXPECT_EQ((*got)->num_rows(), (*want)->num_rows());
    EXPECT_TRUE((*got)->Equals(**want)) << packed;
  }
}

// A corrupt or cut-off .gz is one clear error naming the file, not rows of garbage.
TEST_P(Dialects, CorruptGzipIsOneClearError) {
  std::string csv = "id,v\n";
  for (int i = 0; i < 200000; ++i) csv += std::to_string(i) + ",x\n";
  std::string gz = Compress(csv, arrow::Compression::GZIP);
  std::string flipped = gz;
  flipped[flipped.size() / 2] ^= 0x55;
  Put("flipped.csv.gz", flipped);
  Put("cut.csv.gz", gz.substr(0, gz.size() / 2));
  Put("cut.jsonl.gz", Compress(JsonLines(50000), arrow::Compression::GZIP).substr(0, 20000));
  for (const char* name : {"flipped.csv.gz", "cut.csv.gz", "cut.jsonl.gz"}) {
    auto t = Read(name);
    ASSERT_FALSE(t.ok()) << name;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidData) << t.status().ToString();
    EXPECT_EQ(t.status().message().rfind(std::string(name) + ": not valid gzip data", 0), 0u)
        << t.status().message();
    EXPECT_EQ(t.status().message().find(name, 1), std::string::npos) << "named once";
  }
}

// A gzip stream named plain ".csv" keeps a clear error (decided: the name says how to read a
// file; sniffing every input would cost a request per S3 input), now saying how to read it.
TEST_P(Dialects, GzipNamedCsvSaysToNameItGz) {
  Put("z.csv", Compress("a,b\n1,2\n", arrow::Compression::GZIP));
  auto t = Read("z.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("looks gzip-compressed; name it with .gz"), std::string::npos)
      << t.status().message();
  Put("z.jsonl", Compress("{\"a\":1}\n", arrow::Compression::ZSTD));
  auto j = Read("z.jsonl");
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.status().message().find("looks zstd-compressed"), std::string::npos)
      << j.status().message();
}

TEST_P(Dialects, CompressedParquetIsRefused) {
  Put("x.parquet.gz", "whatever");
  ReadOptions o;
  auto r = OpenBatchReader(store_, Key("x.parquet.gz"), Format::kParquet, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("gzip-compressed Parquet file is not read"),
            std::string::npos);
}

TEST_P(Dialects, EmptyCompressedInputIsEmpty) {
  Put("e.csv.gz", Compress("", arrow::Compression::GZIP));
  auto t = Read("e.csv.gz");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)->num_rows(), 0);
}

INSTANTIATE_TEST_SUITE_P(Stores, Dialects, ::testing::Values("local", "s3"), testing::KindName);

// The decompressing input on its own: forward reads, a step back inside the window, a jump back
// to the start, reads past the end, the size.
TEST(DecompressingFile, RandomAccessOverAStream) {
  testing::Scratch scratch("local");
  std::string text;
  for (int i = 0; i < 3000000; ++i) text += static_cast<char>('a' + (i * 7) % 26);
  ASSERT_TRUE(
      scratch.store().Put(scratch.Key("t.gz"), Compress(text, arrow::Compression::GZIP)).ok());
  auto file = OpenDecodedInput(scratch.shared_store(), scratch.Key("t.gz"), InputCompression::kGzip)
                  .ValueOrDie();
  auto at = [&](int64_t pos, int64_t n) { return (*file->ReadAt(pos, n))->ToString(); };
  EXPECT_EQ(at(2500000, 10), text.substr(2500000, 10));
  EXPECT_EQ(at(2400000, 10), text.substr(2400000, 10));  // back, inside the window
  EXPECT_EQ(at(5, 3), text.substr(5, 3));                // back to the start
  EXPECT_EQ(at(2999995, 100), text.substr(2999995));     // short at the end
  EXPECT_EQ(at(4000000, 10), "");
  EXPECT_EQ(*file->GetSize(), static_cast<int64_t>(text.size()));
  EXPECT_FALSE(*IsEmptyInput(file));
  auto stream = StreamFromStart(file).ValueOrDie();
  EXPECT_EQ((*stream->Read(4))->ToString(), text.substr(0, 4));
  EXPECT_EQ((*stream->Read(4))->ToString(), text.substr(4, 4));
}

}  // namespace
}  // namespace lakepack::format
