// Tests of ParquetBlockWriter over every store kind: enforced row group sizes (read back from the
// footer), statistics, exact round trips for each codec, schema mismatch messages, and that an
// aborted or abandoned writer leaves nothing (S3: no multipart upload left either).
// LAKEPACK_BLOCK_BENCH_MB=N turns on a throughput measurement writing N MB of generated rows.
#include "format/block_writer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "arrow/api.h"
#include "arrow/compute/api.h"
#include "arrow/util/byte_size.h"
#include "format/arrow_io.h"
#include "format/format.h"
#include "gen/data_generator.h"
#include "parquet/arrow/reader.h"
#include "parquet/file_reader.h"
#include "parquet/metadata.h"
#include "store/forwarding_store.h"
#include "store/s3/s3_client.h"
#include "store/s3/xml.h"
#include "test_util.h"

namespace lakepack::format {
namespace {

using lakepack::testing::Scratch;

// Generated rows compress to roughly 60-70 bytes each with snappy: 1 MB row groups then hold
// ~15,000 rows, small enough for fast tests, large enough for the size control to matter.
constexpr int64_t kTarget = 1000 * 1000;

std::shared_ptr<gen::DataGenerator> Generator(int64_t batch_rows, uint64_t seed = 7) {
  gen::DataGeneratorOptions o;
  o.seed = seed;
  o.batch_rows = batch_rows;
  return gen::DataGenerator::Make(o).ValueOrDie();
}

std::unique_ptr<parquet::ParquetFileReader> OpenParquet(Scratch& s, const std::string& key) {
  auto file = OpenInputFile(s.shared_store(), key);
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  return parquet::ParquetFileReader::Open(*file);
}

std::shared_ptr<arrow::Table> ReadBack(Scratch& s, const std::string& key) {
  auto file = OpenInputFile(s.shared_store(), key).ValueOrDie();
  auto reader = parquet::arrow::OpenFile(file, arrow::default_memory_pool()).ValueOrDie();
  std::shared_ptr<arrow::Table> table;
  EXPECT_TRUE(reader->ReadTable(&table).ok());
  return table;
}

int64_t RowGroupBytes(const parquet::FileMetaData& md, int i) {
  auto rg = md.RowGroup(i);
  int64_t sum = 0;
  for (int c = 0; c < rg->num_columns(); ++c) sum += rg->ColumnChunk(c)->total_compressed_size();
  return sum;
}

// Multipart uploads still in progress under `prefix` (S3 kinds only).
std::vector<std::string> PendingUploads(const std::string& prefix) {
  auto client = s3::S3Client::Make(lakepack::testing::TestBucket(), {}).ValueOrDie();
  s3::S3Request req = s3::NewRequest("GET", "");
  req.query = {{"uploads", ""}, {"prefix", prefix}};
  auto resp = client->Call(req);
  EXPECT_TRUE(resp.ok()) << resp.status().ToString();
  std::vector<std::string> keys;
  if (!resp.ok()) return keys;
  auto uploads = s3::ParseListMultipartUploads(resp->body);
  EXPECT_TRUE(uploads.ok());
  if (uploads.ok()) {
    for (const auto& u : *uploads) keys.push_back(u.key);
  }
  return keys;
}

class BlockWriterTest : public ::testing::TestWithParam<std::string> {
 protected:
  BlockWriterTest() : scratch_(GetParam()) {}

  BlockWriterOptions Options() {
    BlockWriterOptions o;
    o.row_group_bytes = kTarget;
    o.object.part_size = 5 << 20;  // the S3 minimum, so small objects still use several parts
    return o;
  }

  // Checks the footer: every row group but the last within the tolerance of the target, the last
  // not above it; the footer agrees with the writer's statistics.
  void CheckRowGroups(const std::string& key, const BlockWriterStats& stats, int64_t target) {
    auto reader = OpenParquet(scratch_, key);
    auto md = reader->metadata();
    ASSERT_EQ(md->num_row_groups(), stats.row_groups);
    ASSERT_GT(md->num_row_groups(), 1);
    double worst = 0;
    std::string devs;
    for (int i = 0; i < md->num_row_groups(); ++i) {
      int64_t bytes = RowGroupBytes(*md, i);
      EXPECT_EQ(bytes, stats.row_group_bytes[i]) << "row group " << i;
      EXPECT_EQ(md->RowGroup(i)->num_rows(), stats.row_group_rows[i]) << "row group " << i;
      double dev = static_cast<double>(bytes - target) / target;
      devs += " " + std::to_string(static_cast<int>(dev * 1000));
      if (i + 1 < md->num_row_groups()) {
        worst = std::max(worst, std::abs(dev));
        EXPECT_LE(std::abs(dev), ParquetBlockWriter::kRowGroupTolerance)
            << "row group " << i << " of " << md->num_row_groups() << ": " << bytes << " bytes";
      } else {
        EXPECT_LE(dev, ParquetBlockWriter::kRowGroupTolerance) << "last row group: " << bytes;
      }
    }
    std::cout << "  " << key << ": " << md->num_row_groups() << " row groups, worst deviation "
              << worst * 100 << "% of " << target << " bytes (per mille:" << devs << ")\n";
  }

  Scratch scratch_;
};

// Many small blocks are accumulated into row groups of the target size.
TEST_P(BlockWriterTest, SmallBlocksAccumulateToTheRowGroupSize) {
  auto gen = Generator(2000);
  std::string key = scratch_.Key("small.parquet");
  auto w = ParquetBlockWriter::Start(scratch_.shared_store(), key, Options()).ValueOrDie();
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(w->WriteBlock(*gen->MakeBatch(i).ValueOrDie()).ok());
  auto stats = w->Finish();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->rows, 120000);
  EXPECT_GE(stats->row_groups, 5);
  CheckRowGroups(key, *stats, kTarget);
}

// `batch` with every string column as `type` (string_view as polars makes, large_string as pandas
// 3 makes), sliced the way a caller's big frame is: each slice shares the whole column's buffers.
std::shared_ptr<arrow::RecordBatch> WithStrings(const std::shared_ptr<arrow::RecordBatch>& batch,
                                                const std::shared_ptr<arrow::DataType>& type) {
  arrow::FieldVector fields;
  arrow::ArrayVector columns;
  for (int i = 0; i < batch->num_columns(); ++i) {
    auto f = batch->schema()->field(i);
    auto c = batch->column(i);
    if (f->type()->id() == arrow::Type::STRING) {
      c = arrow::compute::Cast(*c, type).ValueOrDie();
      f = f->WithType(type);
    }
    fields.push_back(f);
    columns.push_back(c);
  }
  return arrow::RecordBatch::Make(arrow::schema(fields), batch->num_rows(), columns);
}

// Before: a string_view slice counted its whole variadic buffers, so polars blocks gave a 3x row
// group and then shrinking ones (84-90 row groups for 8); large_string blocks would not mix.
TEST_P(BlockWriterTest, StringFlavoursHitTheSizeAndMix) {
  auto gen = Generator(120000);
  auto whole = gen->MakeBatch(0).ValueOrDie();
  std::string key = scratch_.Key("flavours.parquet");
  auto w = ParquetBlockWriter::Start(scratch_.shared_store(), key, Options()).ValueOrDie();
  auto views = WithStrings(whole, arrow::utf8_view());
  auto large = WithStrings(whole, arrow::large_utf8());
  for (int64_t off = 0; off < 120000; off += 4000) {  // polars-like slices of one big frame
    ASSERT_TRUE(w->WriteBlock(*views->Slice(off, 4000)).ok());
  }
  ASSERT_TRUE(w->WriteBlock(*large).ok());  // pandas 3 block after polars blocks
  ASSERT_TRUE(w->WriteBlock(*whole).ok());  // and a pyarrow one
  auto stats = w->Finish();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->rows, 360000);
  CheckRowGroups(key, *stats, kTarget);
  auto table = ReadBack(scratch_, key);
  for (const auto& f : table->schema()->fields()) {
    EXPECT_NE(f->type()->id(), arrow::Type::STRING_VIEW) << f->name();
    EXPECT_NE(f->type()->id(), arrow::Type::LARGE_STRING) << f->name();
  }
  EXPECT_TRUE(table->Slice(240000)->Equals(
      *arrow::Table::FromRecordBatches({whole}).ValueOrDie()->Slice(0)))
      << "the pyarrow block reads back as written";
}

// Schema metadata reaches the file (pandas stores its index there); dictionary columns with
// string_view values (polars Categorical) are written.
TEST_P(BlockWriterTest, KeepsSchemaMetadataAndViewDictionaries) {
  arrow::StringBuilder sb;
  ASSERT_TRUE(sb.AppendValues({"a", "b"}).ok());
  auto plain = sb.Finish().ValueOrDie();
  auto values = arrow::compute::Cast(*plain, arrow::utf8_view()).ValueOrDie();
  arrow::Int32Builder ib;
  ASSERT_TRUE(ib.AppendValues({0, 1, 1, 0}).ok());
  auto indices = ib.Finish().ValueOrDie();
  auto dict_type = arrow::dictionary(arrow::int32(), arrow::utf8_view());
  auto dict = arrow::DictionaryArray::FromArrays(dict_type, indices, values).ValueOrDie();
  auto schema = arrow::schema({arrow::field("c", dict_type)},
                              arrow::key_value_metadata({"pandas", "owner"}, {"{}", "me"}));
  auto batch = arrow::RecordBatch::Make(schema, 4, {dict});
  std::string key = scratch_.Key("meta.parquet");
  auto w = ParquetBlockWriter::Start(scratch_.shared_store(), key, Options()).ValueOrDie();
  ASSERT_TRUE(w->WriteBlock(*batch).ok());
  auto stats = w->Finish();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  auto table = ReadBack(scratch_, key);
  ASSERT_TRUE(table->schema()->metadata());
  EXPECT_EQ(table->schema()->metadata()->Get("owner").ValueOr(""), "me");
  auto c = table->column(0)->chunk(0);
  ASSERT_EQ(c->type_id(), arrow::Type::DICTIONARY);
  auto read_values = static_cast<const arrow::DictionaryArray&>(*c).dictionary();
  EXPECT_TRUE(read_values->Equals(*plain)) << read_values->ToString();
}

// Blocks larger than a row group are split; a row group may span blocks.
TEST_P(BlockWriterTest, LargeBlocksAreSplit) {
  auto gen = Generator(70000);
  std::string key = scratch_.Key("large.parquet");
  auto w = ParquetBlockWriter::Start(scratch_.shared_store(), key, Options()).ValueOrDie();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(w->WriteBlock(*gen->MakeBatch(i).ValueOrDie()).ok());
  auto stats = w->Finish();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->rows, 210000);
  EXPECT_EQ(stats->blocks, 3);
  CheckRowGroups(key, *stats, kTarget);
}

// Other targets and codecs are hit as well (zstd compresses much better than snappy).
TEST_P(BlockWriterTest, TargetHoldsForOtherSizesAndCodecs) {
  auto gen = Generator(10000);
  for (auto [codec, target] : {std::pair{arrow::Compression::ZSTD, int64_t{2} << 20},
                               std::pair{arrow::Compression::UNCOMPRESSED, int64_t{3000000}}}) {
    SCOPED_TRACE(CompressionName(codec));
    std::string key = scratch_.Key("t-" + CompressionName(codec) + ".parquet");
    BlockWriterOptions o = Options();
    o.compression = codec;
    o.row_group_bytes = target;
    auto w = ParquetBlockWriter::Start(scratch_.shared_store(), key, o).ValueOrDie();
    for (int i = 0; i < 30; ++i) ASSERT_TRUE(w->WriteBlock(*gen->MakeBatch(i).ValueOrDie()).ok());
    auto stats = w->Finish();
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
    CheckRowGroups(key, *stats, target);
  }
}

TEST_P(BlockWriterTest, StatisticsDescribeTheObject) {
  auto gen = Generator(5000);
  std::string key = scratch_.Key("stats.parquet");
  auto w = ParquetBlockWriter::Start(scratch_.shared_store(), key, Options()).ValueOrDie();
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(w->WriteBlock(*gen->MakeBatch(i).ValueOrDie()).ok());
  auto stats = w->Finish();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  auto head = scratch_.store().Head(key);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(stats->bytes, head->size);
  EXPECT_EQ(stats->etag, head->etag);
  EXPECT_EQ(stats->uri, scratch_.store().Uri(key));
  EXPECT_EQ(stats->rows, 60000);
  EXPECT_EQ(stats->blocks, 12);
  EXPECT_EQ(stats->block_seconds.size(), 12u);
  EXPECT_EQ(stats->columns, gen::DataGenerator::Schema()->num_fields());
  EXPECT_EQ(stats->compression, "snappy");
  auto md = OpenParquet(scratch_, key)->metadata();
  EXPECT_EQ(stats->row_groups, md->num_row_groups());
  EXPECT_EQ(md->num_rows(), 60000);
  int64_t rows = 0, bytes = 0;
  for (int i = 0; i < stats->row_groups; ++i) {
    rows += stats->row_group_rows[i];
    bytes += stats->row_group_bytes[i];
  }
  EXPECT_EQ(rows, 60000);
  EXPECT_EQ(bytes, stats->compressed_bytes);
  // The rest of the object is the 4-byte magic, the page index (column and offset indexes, on by
  // default since Arrow 20-ish), the footer and its 8-byte trailer.
  int64_t overhead = 4 + md->size() + 8;
  EXPECT_GT(stats->bytes, stats->compressed_bytes + overhead);
  EXPECT_LT(stats->bytes, stats->compressed_bytes + overhead + stats->bytes / 100);
  EXPECT_GT(stats->compression_ratio, 1.2);  // snappy shrinks text
  EXPECT_DOUBLE_EQ(stats->compression_ratio,
                   static_cast<double>(stats->uncompressed_bytes) / stats->compressed_bytes);
  EXPECT_GT(stats->arrow_bytes, stats->bytes);
  EXPECT_GT(stats->total_seconds, 0);
  double block_sum = 0;
  for (double s : stats->block_seconds) block_sum += s;
  EXPECT_LE(block_sum, stats->total_seconds);
}

// Each codec round-trips the data exactly (values, nulls, types, time zones, decimals).
TEST_P(BlockWriterTest, RoundTripsExactlyWithEveryCodec) {
  auto gen = Generator(3000, 11);
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
  for (int i = 0; i < 20; ++i) batches.push_back(gen->MakeBatch(i).ValueOrDie());
  auto expected = arrow::Table::FromRecordBatches(batches).ValueOrDie();
  for (auto codec : {arrow::Compression::SNAPPY, arrow::Compression::ZSTD, arrow::Compression::GZIP,
                     arrow::Compression::UNCOMPRESSED}) {
    SCOPED_TRACE(CompressionName(codec));
    std::string key = scratch_.Key("rt-" + CompressionName(codec) + ".parquet");
    BlockWriterOptions o = Options();
    o.compression = codec;
    o.row_group_bytes = 256 * 1024;
    auto w = ParquetBlockWriter::Start(scratch_.shared_store(), key, o).ValueOrDie();
    for (const auto& b : batches) ASSERT_TRUE(w->WriteBlock(*b).ok());
    auto stats = w->Finish();
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
    EXPECT_EQ(stats->compression, CompressionName(codec));
    auto md = OpenParquet(scratch_, key)->metadata();
    EXPECT_EQ(md->RowGroup(0)->ColumnChunk(1)->compression(), codec);
    auto got = ReadBack(scratch_, key);
    ASSERT_TRUE(got);
    EXPECT_TRUE(got->schema()->Equals(*expected->schema(), false)) << got->schema()->ToString();
    EXPECT_TRUE(got->Equals(*expected)) << "content differs";
  }
}

// WriteTable takes a whole table as one block.
TEST_P(BlockWriterTest, WriteTableIsOneBlock) {
  auto gen = Generator(4000, 3);
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
  for (int i = 0; i < 10; ++i) batches.push_back(gen->MakeBatch(i).ValueOrDie());
  auto table = arrow::Table::FromRecordBatches(batches).ValueOrDie();
  std::string key = scratch_.Key("table.parquet");
  auto w = ParquetBlockWriter::Start(scratch_.shared_store(), key, Options()).ValueOrDie();
  ASSERT_TRUE(w->WriteTable(*table).ok());
  auto stats = w->Finish();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->blocks, 1);
  EXPECT_EQ(stats->rows, 40000);
  EXPECT_TRUE(ReadBack(scratch_, key)->Equals(*table));
}

// A mismatching block names every differing field, adds nothing, and the writer goes on.
TEST_P(BlockWriterTest, SchemaMismatchNamesTheFieldsAndKeepsTheWriterUsable) {
  auto gen = Generator(1000);
  auto first = gen->MakeBatch(0).ValueOrDie();
  std::string key = scratch_.Key("schema.parquet");
  auto w = ParquetBlockWriter::Start(scratch_.shared_store(), key, Options()).ValueOrDie();
  ASSERT_TRUE(w->WriteBlock(*first).ok());

  // amount as double, notes dropped, an extra column added.
  auto bad = gen->MakeBatch(1).ValueOrDie();
  int amount = bad->schema()->GetFieldIndex("amount");
  auto as_double = arrow::compute::Cast(*bad->column(amount), arrow::float64()).ValueOrDie();
  bad = bad->SetColumn(amount, arrow::field("amount", arrow::float64()), as_double).ValueOrDie();
  bad = bad->RemoveColumn(bad->schema()->GetFieldIndex("notes")).ValueOrDie();
  bad = bad->AddColumn(bad->num_columns(), arrow::field("extra", arrow::int32()),
                       arrow::MakeArrayOfNull(arrow::int32(), bad->num_rows()).ValueOrDie())
            .ValueOrDie();
  Status st = w->WriteBlock(*bad);
  ASSERT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find("field amount: expected decimal128(12, 2), got double"),
            std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("missing field notes"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("extra field extra (int32)"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("block 1"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(scratch_.store().Uri(key)), std::string::npos) << st.message();

  // Nulls in a not-null column are refused too.
  auto nulls = gen->MakeBatch(1).ValueOrDie();
  int email = nulls->schema()->GetFieldIndex("email");
  nulls = nulls
              ->SetColumn(email, arrow::field("email", arrow::utf8()),
                          arrow::MakeArrayOfNull(arrow::utf8(), nulls->num_rows()).ValueOrDie())
              .ValueOrDie();
  st = w->WriteBlock(*nulls);
  ASSERT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find("field email: expected not null, got 1000 nulls"), std::string::npos)
      << st.message();

  // Still usable: a conforming block, even with its columns in another order, goes in.
  auto second = gen->MakeBatch(1).ValueOrDie();
  std::vector<int> order;
  for (int i = second->num_columns() - 1; i >= 0; --i) order.push_back(i);
  auto reversed = second->SelectColumns(order).ValueOrDie();
  ASSERT_TRUE(w->WriteBlock(*reversed).ok());
  auto stats = w->Finish();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->rows, 2000);
  EXPECT_EQ(stats->blocks, 2);
  auto expected = arrow::Table::FromRecordBatches({first, second}).ValueOrDie();
  EXPECT_TRUE(ReadBack(scratch_, key)->Equals(*expected));
}

// Destroyed without Finish, or aborted: no object, no multipart upload.
TEST_P(BlockWriterTest, AbortLeavesNothing) {
  auto gen = Generator(20000);
  for (bool explicit_abort : {false, true}) {
    SCOPED_TRACE(explicit_abort ? "Abort()" : "destroyed");
    std::string key = scratch_.Key(explicit_abort ? "aborted.parquet" : "dropped.parquet");
    {
      auto w = ParquetBlockWriter::Start(scratch_.shared_store(), key, Options()).ValueOrDie();
      // ~12 MB: several row groups, and on S3 parts already uploaded.
      for (int i = 0; i < 10; ++i) {
        ASSERT_TRUE(w->WriteBlock(*gen->MakeBatch(i).ValueOrDie()).ok());
      }
      if (explicit_abort) {
        ASSERT_TRUE(w->Abort().ok());
        ASSERT_TRUE(w->Abort().ok());  // idempotent
        EXPECT_FALSE(w->WriteBlock(*gen->MakeBatch(0).ValueOrDie()).ok());
        EXPECT_FALSE(w->Finish().ok());
      }
    }
    EXPECT_TRUE(scratch_.store().Head(key).status().IsNotFound());
  }
  auto listed = scratch_.store().ListAll(scratch_.prefix());
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty()) << listed->front().key;
  // No upload left in progress.  Not checked with injected faults: a CreateMultipartUpload whose
  // answer is dropped is retried and the store's S3 layer then orphans the first upload (a store
  // issue, seen about once in 25 runs; it is not about this writer).
  if (GetParam() == "s3") {
    auto pending = PendingUploads(scratch_.prefix());
    EXPECT_TRUE(pending.empty()) << pending.size() << " uploads left, e.g. " << pending.front();
  }
}

TEST_P(BlockWriterTest, EmptyFiles) {
  // With a schema given up front, no block still makes a valid, empty file.
  BlockWriterOptions o = Options();
  o.schema = gen::DataGenerator::Schema();
  std::string key = scratch_.Key("empty.parquet");
  auto w = ParquetBlockWriter::Start(scratch_.shared_store(), key, o).ValueOrDie();
  auto stats = w->Finish();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->rows, 0);
  EXPECT_EQ(stats->row_groups, 0);
  auto got = ReadBack(scratch_, key);
  EXPECT_EQ(got->num_rows(), 0);
  EXPECT_TRUE(got->schema()->Equals(*o.schema, false));

  // Without one there is nothing to write: an error, and no object.
  std::string none = scratch_.Key("none.parquet");
  auto w2 = ParquetBlockWriter::Start(scratch_.shared_store(), none, Options()).ValueOrDie();
  auto st = w2->Finish();
  EXPECT_EQ(st.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(scratch_.store().Head(none).status().IsNotFound());
}

TEST_P(BlockWriterTest, BadOptionsAreRefused) {
  BlockWriterOptions o = Options();
  o.row_group_bytes = 1000;
  auto w = ParquetBlockWriter::Start(scratch_.shared_store(), scratch_.Key("x.parquet"), o);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(w.status().message().find("x.parquet"), std::string::npos);
}

// A store whose writers fail once they have accepted `fail_after` bytes.
class FailingStore : public ForwardingStore {
 public:
  FailingStore(std::shared_ptr<ObjectStore> inner, int64_t fail_after)
      : ForwardingStore(std::move(inner)), fail_after_(fail_after) {}
  Result<std::unique_ptr<ObjectWriter>> OpenWriter(const std::string& key,
                                                   const WriterOptions& options = {}) override {
    LP_ASSIGN_OR_RETURN(auto inner, ForwardingStore::OpenWriter(key, options));
    return std::unique_ptr<ObjectWriter>(std::make_unique<Writer>(std::move(inner), fail_after_));
  }
  bool is_local() const override { return false; }

 private:
  class Writer : public ObjectWriter {
   public:
    Writer(std::unique_ptr<ObjectWriter> inner, int64_t fail_after)
        : inner_(std::move(inner)), fail_after_(fail_after) {}
    Status Write(const void* data, size_t size) override {
      if (inner_->bytes_written() + static_cast<int64_t>(size) > fail_after_) {
        return Status::IOError("injected write failure");
      }
      return inner_->Write(data, size);
    }
    Result<ObjectInfo> Finish() override { return inner_->Finish(); }
    Status Abort() override { return inner_->Abort(); }
    int64_t bytes_written() const override { return inner_->bytes_written(); }

   private:
    std::unique_ptr<ObjectWriter> inner_;
    int64_t fail_after_;
  };
  int64_t fail_after_;
};

// A store failure poisons the writer: the same error from then on, and nothing is stored.
TEST(BlockWriterFailure, StoreFailurePoisonsTheWriter) {
  Scratch scratch("local");
  auto store = std::make_shared<FailingStore>(scratch.shared_store(), 3 << 20);
  auto gen = Generator(5000);
  BlockWriterOptions o;
  o.row_group_bytes = kTarget;
  std::string key = scratch.Key("failing.parquet");
  auto w = ParquetBlockWriter::Start(store, key, o).ValueOrDie();
  Status st;
  int i = 0;
  for (; i < 100 && st.ok(); ++i) st = w->WriteBlock(*gen->MakeBatch(i).ValueOrDie());
  ASSERT_FALSE(st.ok()) << "the injected failure never surfaced";
  EXPECT_EQ(st.code(), StatusCode::kIOError) << st.ToString();
  EXPECT_NE(st.message().find("injected write failure"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("failing.parquet"), std::string::npos) << st.message();
  Status again = w->WriteBlock(*gen->MakeBatch(i).ValueOrDie());
  EXPECT_EQ(again.ToString(), st.ToString());
  EXPECT_EQ(w->Finish().status().ToString(), st.ToString());
  auto listed = scratch.store().ListAll(scratch.prefix());
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
}

// Throughput: LAKEPACK_BLOCK_BENCH_MB=1000 writes that many MB of generated (in-memory Arrow)
// rows with 64 MB row groups (LAKEPACK_BLOCK_BENCH_RG_MB) to the store kind
// LAKEPACK_BLOCK_BENCH_STORE (default local).  Run
// under /usr/bin/time -v for the peak RSS.
TEST(BlockWriterBench, Throughput) {
  const char* mb = std::getenv("LAKEPACK_BLOCK_BENCH_MB");
  if (!mb) GTEST_SKIP() << "set LAKEPACK_BLOCK_BENCH_MB to run";
  const char* kind = std::getenv("LAKEPACK_BLOCK_BENCH_STORE");
  Scratch scratch(kind ? kind : "local");
  const int64_t want = std::atoll(mb) * 1000 * 1000;
  auto gen = Generator(64 * 1024);
  BlockWriterOptions o;
  const char* rg_mb = std::getenv("LAKEPACK_BLOCK_BENCH_RG_MB");
  o.row_group_bytes = (rg_mb ? std::atoll(rg_mb) : 64) * 1000 * 1000;
  o.object.part_size = 16 << 20;
  o.object.max_parallel_parts = 4;
  std::string key = scratch.Key("bench.parquet");
  auto w = ParquetBlockWriter::Start(scratch.shared_store(), key, o).ValueOrDie();
  int64_t arrow_bytes = 0;
  double gen_seconds = 0;
  for (int64_t i = 0; arrow_bytes < want; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto batch = gen->MakeBatch(i).ValueOrDie();
    gen_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    arrow_bytes += arrow::util::TotalBufferSize(*batch);
    ASSERT_TRUE(w->WriteBlock(*batch).ok());
  }
  auto stats = w->Finish();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  double write_seconds = stats->total_seconds - gen_seconds;
  double worst = 0;
  for (int64_t i = 0; i + 1 < stats->row_groups; ++i) {
    worst = std::max(worst, std::abs(stats->row_group_bytes[i] - o.row_group_bytes) /
                                static_cast<double>(o.row_group_bytes));
  }
  std::cout << "block writer bench (" << (kind ? kind : "local") << "): " << stats->rows
            << " rows, " << arrow_bytes / 1e6 << " MB Arrow -> " << stats->bytes / 1e6
            << " MB parquet in " << stats->row_groups << " row groups (worst non-last "
            << worst * 100 << "% off " << o.row_group_bytes / 1e6 << " MB); writer time "
            << write_seconds << " s (" << arrow_bytes / 1e6 / write_seconds << " MB/s Arrow in, "
            << stats->bytes / 1e6 / write_seconds << " MB/s Parquet out), generator " << gen_seconds
            << " s\n";
}

INSTANTIATE_TEST_SUITE_P(Stores, BlockWriterTest,
                         ::testing::ValuesIn(lakepack::testing::StoreKinds()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) {
                             if (c == '-') c = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace lakepack::format
