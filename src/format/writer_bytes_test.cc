// BatchWriter::bytes_written counts the bytes handed to the store, for every format.
#include <gtest/gtest.h>

#include <filesystem>

#include "arrow/api.h"
#include "format/writer.h"

namespace lakepack::format {
namespace {

TEST(WriterBytesTest, GrowsWhileWritingAndEqualsTheObjectAtClose) {
  auto dir =
      std::filesystem::temp_directory_path() / ("lp_writer_bytes_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto loc = OpenStore(dir.string()).ValueOrDie();
  arrow::StringBuilder s;
  for (int i = 0; i < 20000; ++i) {
    ASSERT_TRUE(s.Append("row " + std::to_string(i * 7919) + " with some text after it").ok());
  }
  auto schema = arrow::schema({arrow::field("s", arrow::utf8())});
  auto batch = arrow::RecordBatch::Make(schema, 20000, {s.Finish().ValueOrDie()});
  for (Format f : {Format::kCsv, Format::kJsonl, Format::kParquet}) {
    SCOPED_TRACE(FormatName(f));
    WriteOptions o;
    o.compression = arrow::Compression::UNCOMPRESSED;
    o.row_group_rows = 20000;  // Parquet: one row group per batch
    const std::string key = loc.key + "/out." + FormatName(f);
    auto w = OpenBatchWriter(loc.store, key, f, schema, o).ValueOrDie();
    EXPECT_EQ(w->bytes_written(), 0);
    int64_t last = 0;
    for (int i = 0; i < 4; ++i) {
      ASSERT_TRUE(w->Write(*batch).ok());
      EXPECT_GE(w->bytes_written(), last);
      last = w->bytes_written();
    }
    EXPECT_GT(last, 1 << 20);  // past the stream's 1 MB buffer: bytes went to the store
    auto info = w->Close();
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(w->bytes_written(), info->size);
    EXPECT_EQ(static_cast<int64_t>(std::filesystem::file_size(loc.store->LocalPath(key))),
              info->size);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lakepack::format
