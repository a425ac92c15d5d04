// files_test.cc: the files jobs on local disk, S3 and S3 with injected faults.
#include "lakepack/files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "arrow/api.h"
#include "files/manifest.h"
#include "files/transfer.h"
#include "test_util.h"

namespace lakepack::files {
namespace {

namespace fs = std::filesystem;
using lakepack::testing::RandomBytes;
using lakepack::testing::Scratch;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& data) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << data;
}

class FilesTest : public ::testing::TestWithParam<std::string> {
 protected:
  FilesTest() : scratch_(GetParam()) {
    // The S3 transport's test hook, read when a client is made: 10% of requests fail.
    if (GetParam() == "s3-faulty") ::setenv("LAKEPACK_FAULT_RATE", "0.1", 1);
    options_.max_attempts = 4;
    tmp_ = (fs::temp_directory_path() / ("lakepack-files-test-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(counter_++)))
               .string();
    fs::create_directories(tmp_);
  }
  ~FilesTest() override {
    fs::remove_all(tmp_);
    ::unsetenv("LAKEPACK_FAULT_RATE");
  }

  // Puts `data` at `name` in the scratch store; returns its URL.
  std::string Put(const std::string& name, const std::string& data) {
    EXPECT_TRUE(scratch_.store().Put(scratch_.Key(name), data).ok()) << name;
    return scratch_.Uri(name);
  }
  // A table of `rows` rows with columns a.bin and b.bin; row r's files hold Content(r, c).
  static std::string Content(int r, int c) { return RandomBytes(1000 + 37 * r + c, r * 10 + c); }
  FileTable MakeTable(int rows) {
    FileTable t;
    t.columns = {"a.bin", "b.bin"};
    t.has_id = true;
    for (int r = 0; r < rows; ++r) {
      t.ids.push_back("row " + std::to_string(r));
      t.urls.push_back({Put("in/" + std::to_string(r) + "/a", Content(r, 0)),
                        Put("in/" + std::to_string(r) + "/b", Content(r, 1))});
    }
    return t;
  }

  static inline int counter_ = 0;
  Scratch scratch_;
  FilesOptions options_;
  std::string tmp_;
};

TEST_P(FilesTest, BlobTableHasEveryRowAndReportsTheMissingOne) {
  FileTable t = MakeTable(5);
  t.urls[3][1] = scratch_.Uri("in/does-not-exist");
  t.urls[4][0] = "";  // no file in that cell
  auto res = FetchBlobTable(t, options_);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  ASSERT_EQ(res->outcomes.size(), 5u);
  const auto& table = *res->table;
  ASSERT_TRUE(table.ValidateFull().ok());
  ASSERT_EQ(table.num_rows(), 5);
  ASSERT_EQ(table.num_columns(), 3);
  EXPECT_EQ(table.schema()->field(0)->name(), "a.bin");
  EXPECT_EQ(table.schema()->field(0)->type()->id(), arrow::Type::BINARY);
  EXPECT_EQ(table.schema()->field(2)->name(), "id");
  auto a = std::static_pointer_cast<arrow::BinaryArray>(table.column(0)->chunk(0));
  auto b = std::static_pointer_cast<arrow::BinaryArray>(table.column(1)->chunk(0));
  for (int r = 0; r < 5; ++r) {
    SCOPED_TRACE(r);
    if (r == 3) {
      EXPECT_FALSE(res->outcomes[r].ok);
      EXPECT_EQ(res->outcomes[r].stage, Stage::kFetch);
      EXPECT_EQ(res->outcomes[r].column, "b.bin");
      EXPECT_TRUE(res->outcomes[r].error.IsNotFound()) << res->outcomes[r].error.ToString();
      EXPECT_EQ(res->outcomes[r].attempts, 1);  // not transient: no retry
      EXPECT_TRUE(a->IsNull(r));
      continue;
    }
    EXPECT_TRUE(res->outcomes[r].ok) << res->outcomes[r].error.ToString();
    if (r == 4) {
      EXPECT_TRUE(a->IsNull(r));
    } else {
      EXPECT_EQ(a->GetString(r), Content(r, 0));
    }
    EXPECT_EQ(b->GetString(r), Content(r, 1));
  }
  RunSummary s = Summarize(res->outcomes);
  EXPECT_EQ(s.succeeded, 4);
  EXPECT_EQ(s.failed, 1);
}

TEST_P(FilesTest, LargeObjectsAreFetchedWholeByRanges) {
  // Over kSmallObject: the first GET, then a HEAD and parallel ranges.
  const std::string big = RandomBytes(kSmallObject + kRangeChunk + 12345, 7);
  const std::string exact = RandomBytes(kSmallObject, 8);  // exactly one GET
  FileTable t;
  t.columns = {"big", "exact"};
  t.urls = {{Put("big", big), Put("exact", exact)}};
  auto res = FetchToDirs(t, {tmp_}, options_);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  ASSERT_TRUE((*res)[0].ok) << (*res)[0].error.ToString();
  EXPECT_EQ((*res)[0].bytes, static_cast<int64_t>(big.size() + exact.size()));
  EXPECT_TRUE(ReadFile(tmp_ + "/big") == big);
  EXPECT_TRUE(ReadFile(tmp_ + "/exact") == exact);
  auto blobs = FetchBlobTable(t, options_);
  ASSERT_TRUE(blobs.ok());
  auto col = std::static_pointer_cast<arrow::BinaryArray>(blobs->table->column(0)->chunk(0));
  EXPECT_TRUE(col->GetString(0) == big);
  // Several large objects at once under a byte budget smaller than one range: every transfer
  // still runs (one at a time when need be), none waits forever holding budget.
  FileTable many;
  many.columns = {"big"};
  for (int r = 0; r < 3; ++r) many.urls.push_back({t.urls[0][0]});
  FilesOptions tight = options_;
  tight.max_bytes_in_flight = 1 << 20;
  tight.parallel_rows = 3;
  std::vector<std::string> dirs;
  for (int r = 0; r < 3; ++r) {
    dirs.push_back(tmp_ + "/many" + std::to_string(r));
    fs::create_directories(dirs.back());
  }
  auto tight_res = FetchToDirs(many, dirs, tight);
  ASSERT_TRUE(tight_res.ok());
  for (int r = 0; r < 3; ++r) {
    ASSERT_TRUE((*tight_res)[r].ok) << (*tight_res)[r].error.ToString();
    EXPECT_TRUE(ReadFile(dirs[r] + "/big") == big);
    fs::remove_all(dirs[r]);
  }
  // No temp file is left beside the outputs.
  int entries = 0;
  for (const auto& e : fs::directory_iterator(tmp_)) entries += e.is_regular_file();
  EXPECT_EQ(entries, 2);
}

TEST_P(FilesTest, SizeTableReadsNoData) {
  FileTable t = MakeTable(3);
  t.urls[1][0] = scratch_.Uri("missing");
  auto res = FetchSizeTable(t, options_);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  auto a = std::static_pointer_cast<arrow::Int64Array>(res->table->column(0)->chunk(0));
  auto b = std::static_pointer_cast<arrow::Int64Array>(res->table->column(1)->chunk(0));
  EXPECT_EQ(a->Value(0), static_cast<int64_t>(Content(0, 0).size()));
  EXPECT_EQ(b->Value(2), static_cast<int64_t>(Content(2, 1).size()));
  EXPECT_TRUE(a->IsNull(1));
  EXPECT_FALSE(res->outcomes[1].ok);
  EXPECT_EQ(res->outcomes[1].column, "a.bin");
  EXPECT_EQ(res->outcomes[0].bytes, 0);
}

TEST_P(FilesTest, FetchToDirsAndWriteFilesRoundTrip) {
  FileTable t = MakeTable(4);
  std::vector<std::string> dirs;
  for (int r = 0; r < 4; ++r) {
    dirs.push_back(tmp_ + "/fetch/" + std::to_string(r));
    fs::create_directories(dirs.back());
  }
  auto fetched = FetchToDirs(t, dirs, options_);
  ASSERT_TRUE(fetched.ok());
  FileTable local;
  local.columns = {"a.bin", "b.bin"};
  local.has_id = true;
  for (int r = 0; r < 4; ++r) {
    ASSERT_TRUE((*fetched)[r].ok) << (*fetched)[r].error.ToString();
    EXPECT_TRUE(ReadFile(dirs[r] + "/a.bin") == Content(r, 0));
    local.ids.push_back("out é " + std::to_string(r));  // unicode and spaces in keys
    local.urls.push_back({dirs[r] + "/a.bin", dirs[r] + "/b.bin"});
  }
  const std::string into = scratch_.Uri("written/");
  auto w = WriteFiles(local, into, options_);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  for (int r = 0; r < 4; ++r) {
    ASSERT_TRUE(w->outcomes[r].ok) << w->outcomes[r].error.ToString();
    EXPECT_EQ(w->written.urls[r][1], OutputUri(into, local.ids[r], "b.bin"));
    auto got = scratch_.store().Get(scratch_.Key("written/" + local.ids[r] + "/b.bin"));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(*got == Content(r, 1));
  }
  // A missing local file fails that row's upload only.
  local.urls[2][0] = tmp_ + "/nope";
  w = WriteFiles(local, into, options_);
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE(w->outcomes[2].ok);
  EXPECT_EQ(w->outcomes[2].stage, Stage::kUpload);
  EXPECT_EQ(w->outcomes[2].column, "a.bin");
  EXPECT_EQ(w->written.urls[2][0], "");
  // Its other file, written before the failure showed, is removed again.
  EXPECT_TRUE(scratch_.store()
                  .Head(scratch_.Key("written/" + local.ids[2] + "/b.bin"))
                  .status()
                  .IsNotFound());
  EXPECT_TRUE(w->outcomes[3].ok);
  // Duplicate ids would write into one directory: refused up front.
  local.ids[1] = local.ids[0];
  EXPECT_TRUE(WriteFiles(local, into, options_).status().code() == StatusCode::kInvalidArgument);
}

// Copies a.bin to out.bin; row "row 2" fails in fn; row "row 3" returns a path that is not there.
Result<FnOutputs> CopyFn(const FileTable& t, int64_t row, const std::string& in,
                         const std::string& out, std::atomic<int>* calls) {
  ++*calls;
  if (t.ids[row] == "row 2") return Status::InvalidArgument("fn says no to row 2");
  if (t.ids[row] == "row 3") {
    return FnOutputs{{"ok.bin", in + "/a.bin"}, {"out.bin", out + "/never-written"}};
  }
  std::error_code ec;
  fs::copy_file(in + "/a.bin", out + "/out.bin", ec);
  if (ec) return Status::IOError(ec.message());
  return FnOutputs{{"out.bin", out + "/out.bin"}, {"same-b.bin", in + "/b.bin"}};
}

TEST_P(FilesTest, PipelineAccountsForEveryRowAndResumes) {
  FileTable t = MakeTable(8);
  t.urls[5][1] = scratch_.Uri("in/missing");
  std::atomic<int> calls{0};
  RowFn fn = [&](int64_t r, const std::string& in, const std::string& out) {
    return CopyFn(t, r, in, out, &calls);
  };
  PipelineOptions p;
  p.into_path = scratch_.Uri("out");
  p.temp_dir = tmp_;
  auto res = RunPipeline(t, fn, p, options_);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  ASSERT_EQ(res->outcomes.size(), 8u);
  EXPECT_EQ(res->outputs.columns, (std::vector<std::string>{"out.bin", "same-b.bin"}));
  for (int r = 0; r < 8; ++r) {
    SCOPED_TRACE(r);
    const RowOutcome& o = res->outcomes[r];
    if (r == 2) {
      EXPECT_EQ(o.stage, Stage::kFn);
      EXPECT_NE(o.error.message().find("says no"), std::string::npos);
    } else if (r == 3) {
      EXPECT_EQ(o.stage, Stage::kUpload);
      EXPECT_EQ(o.column, "out.bin");
      EXPECT_TRUE(o.error.IsNotFound()) << o.error.ToString();
      // The output that did upload is removed again: a failed row leaves nothing.
      EXPECT_TRUE(scratch_.store().Head(scratch_.Key("out/row 3/ok.bin")).status().IsNotFound());
    } else if (r == 5) {
      EXPECT_EQ(o.stage, Stage::kFetch);
      EXPECT_EQ(o.column, "b.bin");
    } else {
      ASSERT_TRUE(o.ok) << o.error.ToString();
      EXPECT_EQ(res->outputs.urls[r][0], OutputUri(p.into_path, t.ids[r], "out.bin"));
      auto got = scratch_.store().Get(scratch_.Key("out/" + t.ids[r] + "/out.bin"));
      ASSERT_TRUE(got.ok());
      EXPECT_TRUE(*got == Content(r, 0));
      continue;
    }
    EXPECT_FALSE(o.ok);
    EXPECT_EQ(res->outputs.urls[r][0], "");
  }
  EXPECT_EQ(calls.load(), 7);                  // row 5 never reached fn
  EXPECT_EQ(res->objects_written, 5 * 3 + 1);  // 2 outputs + 1 record per good row; ok.bin
  // Temp directories are gone.
  EXPECT_TRUE(fs::is_empty(tmp_));

  // Re-run: finished rows are skipped (no PUT); failed ones are tried again.
  calls = 0;
  auto again = RunPipeline(t, fn, p, options_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(calls.load(), 2);            // rows 2 and 3 (row 5 fails in fetch again)
  EXPECT_EQ(again->objects_written, 1);  // only row 3's ok.bin (removed again): no finished row
  RunSummary s = Summarize(again->outcomes);
  EXPECT_EQ(s.skipped, 5);
  EXPECT_EQ(s.failed, 3);
  EXPECT_EQ(again->outputs.urls[7][1], OutputUri(p.into_path, "row 7", "same-b.bin"));

  // An output that went missing redoes its row only; a changed input redoes its row.
  ASSERT_TRUE(scratch_.store().Delete(scratch_.Key("out/row 0/out.bin")).ok());
  t.urls[1][0] = t.urls[4][0];
  calls = 0;
  auto third = RunPipeline(t, fn, p, options_);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(calls.load(), 4);  // rows 0, 1, 2, 3
  EXPECT_TRUE(third->outcomes[0].ok);
  EXPECT_FALSE(third->outcomes[0].skipped);
  EXPECT_FALSE(third->outcomes[1].skipped);
  EXPECT_TRUE(third->outcomes[6].skipped);
  auto got = scratch_.store().Get(scratch_.Key("out/row 1/out.bin"));
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(*got == Content(4, 0));
}

TEST_P(FilesTest, CancelledRowsAreReportedNotDropped) {
  FileTable t = MakeTable(3);
  options_.cancelled = [] { return true; };
  auto res = FetchBlobTable(t, options_);
  ASSERT_TRUE(res.ok());
  ASSERT_EQ(res->outcomes.size(), 3u);
  for (const auto& o : res->outcomes) {
    EXPECT_FALSE(o.ok);
    EXPECT_EQ(o.error.code(), StatusCode::kCancelled) << o.error.ToString();
  }
  EXPECT_EQ(res->table->num_rows(), 3);
}

INSTANTIATE_TEST_SUITE_P(Stores, FilesTest, ::testing::ValuesIn(lakepack::testing::StoreKinds()),
                         lakepack::testing::KindName);

TEST(FileTableTest, ValidatesNamesAndIds) {
  FileTable t;
  t.columns = {"a/b"};
  t.urls = {{"x"}};
  EXPECT_TRUE(t.Validate().code() == StatusCode::kInvalidArgument);
  t.columns = {"ok.txt"};
  EXPECT_TRUE(t.Validate().ok());
  t.has_id = true;
  t.ids = {".."};
  EXPECT_TRUE(ValidateIdsForWrite(t).code() == StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeKeyComponent("a b/é"), "a%20b%2F%C3%A9");
  EXPECT_EQ(OutputUri("s3://b/out", "1", "x.mha"), "s3://b/out/1/x.mha");
  EXPECT_EQ(OutputUri("s3://b/out/", "1", "x.mha"), "s3://b/out/1/x.mha");
}

TEST(FileTableTest, FromArrow) {
  arrow::StringBuilder f;
  ASSERT_TRUE(f.Append("s3://b/k").ok());
  ASSERT_TRUE(f.AppendNull().ok());
  arrow::Int64Builder id;
  ASSERT_TRUE(id.Append(7).ok());
  ASSERT_TRUE(id.Append(8).ok());
  auto table = arrow::Table::Make(
      arrow::schema({arrow::field("image.mha", arrow::utf8()), arrow::field("id", arrow::int64())}),
      {f.Finish().ValueOrDie(), id.Finish().ValueOrDie()});
  auto t = FileTableFromArrow(*table);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->columns, std::vector<std::string>{"image.mha"});
  EXPECT_EQ(t->ids, (std::vector<std::string>{"7", "8"}));
  EXPECT_EQ(t->urls[1][0], "");
}

TEST(FileTableTest, EmptyTablesGiveEmptyResults) {
  FileTable t;
  t.columns = {"a.bin"};
  t.has_id = true;
  auto blobs = FetchBlobTable(t, FilesOptions{});
  ASSERT_TRUE(blobs.ok()) << blobs.status().ToString();
  EXPECT_EQ(blobs->table->num_rows(), 0);
  EXPECT_EQ(blobs->table->num_columns(), 2);
  EXPECT_TRUE(blobs->table->ValidateFull().ok());
  auto sizes = FetchSizeTable(t, FilesOptions{});
  ASSERT_TRUE(sizes.ok());
  EXPECT_EQ(sizes->table->num_rows(), 0);
}

TEST(ManifestTest, RecordRoundTrip) {
  ManifestRecord r;
  r.id = "é \"q\"";
  r.inputs = "0123";
  r.outputs = {{"o.bin", "s3://b/x/o.bin", 12, "abc"}};
  auto back = ManifestRecord::Parse(r.ToJson(), "rec");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->id, r.id);
  EXPECT_EQ(back->outputs[0].size, 12);
  EXPECT_EQ(back->outputs[0].etag, "abc");
  EXPECT_TRUE(ManifestRecord::Parse("{\"id\":1}", "rec").status().code() ==
              StatusCode::kInvalidData);
}

}  // namespace
}  // namespace lakepack::files
