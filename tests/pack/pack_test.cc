// End-to-end tests of the pack job (C++ API and `lakepack pack`) over every store kind: the
// reference README's examples scaled down, format pairs, suffixes, partitions, the extension
// mismatch, idempotence, exact sizes, crash injection at every store operation, and two packers
// at once.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <map>
#include <thread>

#include "format/jsonl_writer.h"
#include "format/reader.h"
#include "pack/naming.h"
#include "pack/packer.h"
#include "pack/rolling_writer.h"
#include "pack/state.h"
#include "test_util.h"

namespace lakepack::pack {
namespace {

using lakepack::testing::RunCli;
using lakepack::testing::Scratch;

constexpr int64_t kLimit = 256000;  // the README's 256 MB, scaled down 1000x

class PackTest : public ::testing::TestWithParam<std::string> {
 protected:
  PackTest() : scratch_(GetParam()) {}
  std::string In() { return scratch_.Uri("land"); }
  // Environment for CLI runs of the code under test: on "s3-faulty" the CLI's own S3 requests
  // fail too (~10%: 503s, and responses dropped after the server did the work).
  std::string CliEnv(const std::string& more = "") {
    std::string env = GetParam() == "s3-faulty" ? "LAKEPACK_FAULT_RATE=0.1" : "";
    return more.empty() ? env : env + " " + more;
  }
  std::string Out() { return scratch_.Uri("db"); }
  std::string InKey(const std::string& f) { return scratch_.Key("land/table/" + f); }

  // Generates fake customer rows as `name` in the input table (through the CLI).
  void Generate(const std::string& name, int rows, int seed, const std::string& fmt = "") {
    std::string out;
    std::string args = "generate " + scratch_.Uri("land/table/" + name) + " --rows " +
                       std::to_string(rows) + " --seed " + std::to_string(seed) + " --quiet";
    if (!fmt.empty()) args += " --format " + fmt;
    ASSERT_EQ(RunCli(args, &out), 0) << out;
  }

  PackOptions Options(const std::string& out_ext = "csv") {
    PackOptions o;
    o.input_base = In();
    o.output_base = Out();
    o.table = "table";
    o.file_limit_bytes = kLimit;
    o.force = true;  // kLimit is under kMinFileLimitBytes
    o.out_ext = out_ext;
    return o;
  }

  // Output objects directly in the partition directory, sorted by file number.
  std::vector<ObjectInfo> Outputs(const std::string& partition = "") {
    std::string prefix = scratch_.Key("db/table/" + partition);
    auto all = scratch_.store().ListAll(prefix);
    EXPECT_TRUE(all.ok());
    std::vector<ObjectInfo> files;
    for (auto& o : *all) {
      std::string rel = o.key.substr(prefix.size());
      if (rel.find('/') != std::string::npos) continue;
      o.key = rel;
      files.push_back(o);
    }
    std::sort(files.begin(), files.end(), [](const ObjectInfo& a, const ObjectInfo& b) {
      return *ParseFileNumber(a.key) < *ParseFileNumber(b.key);
    });
    return files;
  }

  // Every row of the output files as text (CSV: the row's line; others: its JSON line), sorted.
  std::vector<std::string> Rows(const std::string& partition = "") {
    std::vector<std::string> rows;
    std::string prefix = scratch_.Key("db/table/" + partition);
    for (const auto& f : Outputs(partition)) {
      if (HasExtension(f.key, "csv")) {
        auto text = scratch_.store().Get(prefix + f.key);
        EXPECT_TRUE(text.ok());
        auto ends = CsvRowEnds(*text);
        for (size_t i = 1; i < ends.size(); ++i) {  // row 0 is the header
          rows.push_back(text->substr(ends[i - 1], ends[i] - ends[i - 1]));
        }
        continue;
      }
      auto fmt = FormatOfExtension(std::string(Extension(f.key)));
      auto reader = format::OpenBatchReader(scratch_.shared_store(), prefix + f.key, *fmt);
      EXPECT_TRUE(reader.ok()) << reader.status().ToString();
      std::shared_ptr<arrow::RecordBatch> batch;
      while ((*reader)->ReadNext(&batch).ok() && batch) {
        std::string text;
        EXPECT_TRUE(format::FormatJsonLines(*batch, &text).ok());
        size_t start = 0;
        for (size_t i = 0; i < text.size(); ++i) {
          if (text[i] == '\n') {
            rows.push_back(text.substr(start, i + 1 - start));
            start = i + 1;
          }
        }
      }
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  // Every file but the last within ±2% of the limit, none over by more than 2%.
  void ExpectExactSizes(const std::vector<ObjectInfo>& files, int64_t limit = kLimit) {
    ASSERT_FALSE(files.empty());
    for (size_t i = 0; i < files.size(); ++i) {
      EXPECT_LE(files[i].size, limit * 1.02) << files[i].key;
      if (i + 1 < files.size()) EXPECT_GE(files[i].size, limit * 0.98) << files[i].key;
    }
  }

  // Every object under db/ (outputs and state) with its bytes.
  std::map<std::string, std::string> Snapshot() {
    std::map<std::string, std::string> snap;
    auto all = scratch_.store().ListAll(scratch_.Key("db/"));
    EXPECT_TRUE(all.ok()) << all.status().ToString();
    if (!all.ok()) return snap;
    for (const auto& o : *all) {
      auto text = scratch_.store().Get(o.key);
      EXPECT_TRUE(text.ok()) << o.key;
      snap[o.key.substr(scratch_.prefix().size())] = text.ok() ? *text : "";
    }
    return snap;
  }

  Scratch scratch_;
};

// README example 1, scaled: ~1 MB + ~512 kB of CSV, 256 kB limit → 6 files.
TEST_P(PackTest, ReadmeExampleSixFiles) {
  Generate("table_data_final_NEW_1969.csv", 3740, 1);
  Generate("table_data_new.csv", 1870, 2);
  auto report = Pack(Options("csv"));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  auto files = Outputs();
  ASSERT_EQ(files.size(), 6u);
  EXPECT_EQ(files[0].key, "table_0.csv");
  EXPECT_EQ(files[5].key, "table_5.csv");
  ExpectExactSizes(files);
  EXPECT_EQ(report->rows, 3740 + 1870);
  EXPECT_EQ(Rows().size(), 3740u + 1870u);
  EXPECT_EQ(report->files.size(), 6u);
}

// README example 2, scaled: an existing 128 kB table_0 is filled first → 7 files.
TEST_P(PackTest, ReadmeExampleExistingLatestFile) {
  Generate("a.csv", 470, 9);  // ~128 kB
  auto first = Pack(Options("csv"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(Outputs().size(), 1u);
  auto before = Rows();
  Generate("table_data_final_NEW_1969.csv", 3740, 1);
  Generate("table_data_new.csv", 1870, 2);
  auto report = Pack(Options("csv"));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->rewrote_latest);
  auto files = Outputs();
  ASSERT_EQ(files.size(), 7u);
  ExpectExactSizes(files);
  auto rows = Rows();
  EXPECT_EQ(rows.size(), 470u + 3740 + 1870);
  // The original table_0's rows are still there.
  EXPECT_TRUE(std::includes(rows.begin(), rows.end(), before.begin(), before.end()));
  // No base copies left behind.
  auto state = scratch_.store().ListAll(scratch_.Key("db/table/_lakepack/"));
  for (const auto& o : *state) EXPECT_EQ(o.key.find("/base-"), std::string::npos) << o.key;
}

// Issue 13, CR-1: an empty (0-byte) input packs as no rows beside the others, first or not;
// a table of nothing but empty inputs packs no file.
TEST_P(PackTest, EmptyInputsPackAsNoRows) {
  ASSERT_TRUE(scratch_.store().Put(scratch_.Key("land/table/a_empty.csv"), "").ok());
  Generate("b.csv", 300, 4);
  ASSERT_TRUE(scratch_.store().Put(scratch_.Key("land/table/c_empty.csv"), "").ok());
  auto report = Pack(Options("csv"));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows, 300);
  EXPECT_EQ(Rows().size(), 300u);
  ASSERT_TRUE(scratch_.store().Put(scratch_.Key("land/other/e.jsonl"), "").ok());
  PackOptions only_empty = Options("snappy.parquet");
  only_empty.table = "other";
  auto none = Pack(only_empty);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(none->rows, 0);
  EXPECT_TRUE(none->files.empty());
}

// Issue 14: with append_new_file the latest file keeps its bytes; the new rows start file 1.
TEST_P(PackTest, AppendNewFileKeepsTheLatestFile) {
  Generate("a.csv", 470, 9);  // ~128 kB, under the limit
  ASSERT_TRUE(Pack(Options("csv")).ok());
  auto first = Outputs();
  ASSERT_EQ(first.size(), 1u);
  auto before = scratch_.store().Get(scratch_.Key("db/table/" + first[0].key));
  ASSERT_TRUE(before.ok());
  Generate("b.csv", 470, 10);
  PackOptions o = Options("csv");
  o.append_new_file = true;
  auto report = Pack(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->rewrote_latest);
  auto files = Outputs();
  ASSERT_EQ(files.size(), 2u);
  auto after = scratch_.store().Get(scratch_.Key("db/table/" + first[0].key));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, *before);  // not rewritten
  EXPECT_EQ(Rows().size(), 470u * 2);
}

// README example 3: an output partition; other partitions do not count for "latest".
TEST_P(PackTest, PartitionsMultiKey) {
  Generate("a.csv", 600, 3);
  PackOptions o = Options("snappy.parquet");
  o.partition = {{"some_value", "1649-01-30"}};
  ASSERT_TRUE(Pack(o).ok());
  PackOptions o2 = Options("snappy.parquet");
  o2.partition = {{"year", "2024"}, {"month", "01"}};
  auto r2 = Pack(o2);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_FALSE(r2->rewrote_latest);  // the other partition's file is not its latest
  EXPECT_EQ(Outputs("some_value=1649-01-30/").size(), 1u);
  auto files = Outputs("year=2024/month=01/");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].key, "table_0.snappy.parquet");
  EXPECT_EQ(Rows("year=2024/month=01/").size(), 600u);
}

TEST_P(PackTest, ParquetSizesWithinTwoPercent) {
  Generate("a.csv", 9000, 4);
  auto r = Pack(Options("snappy.parquet"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto files = Outputs();
  ASSERT_GE(files.size(), 3u);
  ExpectExactSizes(files);
  EXPECT_EQ(Rows().size(), 9000u);
}

TEST_P(PackTest, FormatPairs) {
  Generate("a.csv", 1500, 5);
  // csv → jsonl
  PackOptions o = Options("jsonl");
  o.table = "table";
  ASSERT_TRUE(Pack(o).ok());
  auto jsonl = Outputs();
  ASSERT_GE(jsonl.size(), 2u);
  ExpectExactSizes(jsonl);
  EXPECT_EQ(Rows().size(), 1500u);
  // jsonl → parquet: pack the JSON Lines output (as a new input table) into Parquet.
  PackOptions o2;
  o2.input_base = Out();
  o2.output_base = scratch_.Uri("pq");
  o2.table = "table";
  o2.in_ext = "jsonl";
  o2.file_limit_bytes = kLimit;
  o2.force = true;
  auto r2 = Pack(o2);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r2->rows, 1500);
  // parquet → csv
  PackOptions o3;
  o3.input_base = scratch_.Uri("pq");
  o3.output_base = scratch_.Uri("csvout");
  o3.table = "table";
  o3.out_ext = "csv";
  o3.file_limit_bytes = kLimit;
  o3.force = true;
  auto r3 = Pack(o3);
  ASSERT_TRUE(r3.ok()) << r3.status().ToString();
  EXPECT_EQ(r3->rows, 1500);
  for (const auto& f : r3->files) EXPECT_LE(f.bytes, kLimit);
}

TEST_P(PackTest, SuffixNamesFiles) {
  Generate("a.csv", 300, 6);
  PackOptions o = Options("csv");
  o.suffix = "v2";
  auto r = Pack(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto files = Outputs();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].key, "table_v2_0.csv");
}

TEST_P(PackTest, ExtensionMismatchWritesNothing) {
  Generate("a.csv", 300, 7);
  ASSERT_TRUE(Pack(Options("csv")).ok());
  auto before = Outputs();
  auto r = Pack(Options("snappy.parquet"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("table_0.csv"), std::string::npos) << r.status().message();
  EXPECT_EQ(Outputs().size(), before.size());
}

TEST_P(PackTest, IdempotentRerunAndNewInputs) {
  Generate("a.csv", 1200, 8);
  auto r1 = Pack(Options("csv"));
  ASSERT_TRUE(r1.ok());
  auto rows1 = Rows();
  auto r2 = Pack(Options("csv"));
  ASSERT_TRUE(r2.ok());
  EXPECT_TRUE(r2->inputs.empty());
  EXPECT_EQ(r2->already_packed, 1);
  EXPECT_EQ(Rows(), rows1);
  Generate("b.csv", 700, 9);
  auto r3 = Pack(Options("csv"));
  ASSERT_TRUE(r3.ok());
  ASSERT_EQ(r3->inputs.size(), 1u);
  EXPECT_NE(r3->inputs[0].find("b.csv"), std::string::npos);
  EXPECT_EQ(Rows().size(), 1900u);
  ExpectExactSizes(Outputs());
}

TEST_P(PackTest, DryRunWritesNothing) {
  Generate("a.csv", 300, 10);
  PackOptions o = Options("csv");
  o.dry_run = true;
  auto r = Pack(o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->inputs.size(), 1u);
  EXPECT_NE(r->plan_text.find("table_0.csv"), std::string::npos) << r->plan_text;
  EXPECT_TRUE(Outputs().empty());
}

TEST_P(PackTest, CliSummaryAndJson) {
  Generate("a.csv", 900, 11);
  std::string out;
  ASSERT_EQ(RunCli("pack " + In() + " " + Out() +
                       " table --file-limit 256kB --force --out-ext csv --json",
                   &out),
            0)
      << out;
  EXPECT_NE(out.find("\"files\":[{\"uri\""), std::string::npos) << out;
  ASSERT_EQ(RunCli("pack " + In() + " " + Out() + " table --file-limit 256kB --force --out-ext csv",
                   &out),
            0);
  EXPECT_NE(out.find("1 already packed"), std::string::npos) << out;
  EXPECT_EQ(RunCli("pack " + In() + " " + Out() + " table --partition nokey", &out), 2) << out;
}

// Kills the CLI before each of its store operations in turn (LAKEPACK_PACK_CRASH_AT=K), re-runs,
// and checks the rows equal an uninterrupted run's: none lost, none duplicated.  On "s3-faulty"
// the CLI's own requests fail too (CliEnv).  The table has a
// partly filled latest file, so the rewrite-with-base-copy path is crossed too.
TEST_P(PackTest, CrashAtEveryStepThenRerun) {
  const bool s3 = GetParam() != "local";
  Generate("a.csv", 200, 12);
  const std::string args = " table --file-limit 50kB --force --out-ext csv --quiet";
  std::string out;
  ASSERT_EQ(RunCli("pack " + In() + " " + Out() + args, &out), 0) << out;
  Generate("b.csv", 500, 13);
  // The expected result: an uninterrupted run on a copy.
  const std::string ref = scratch_.Uri("ref");
  ASSERT_EQ(RunCli("pack " + In() + " " + ref + args, &out), 0) << out;  // a + b at once
  std::vector<std::string> expected;
  {
    auto all = scratch_.store().ListAll(scratch_.Key("ref/table/"));
    for (const auto& o : *all) {
      if (o.key.find("_lakepack") != std::string::npos) continue;
      auto text = scratch_.store().Get(o.key);
      auto ends = CsvRowEnds(*text);
      for (size_t i = 1; i < ends.size(); ++i) {
        expected.push_back(text->substr(ends[i - 1], ends[i] - ends[i - 1]));
      }
    }
    std::sort(expected.begin(), expected.end());
  }
  ASSERT_EQ(expected.size(), 700u);
  // Snapshot the state after the first run so that every crash starts from it.
  std::map<std::string, std::string> snapshot;
  {
    auto all = scratch_.store().ListAll(scratch_.Key("db/"));
    for (const auto& o : *all) snapshot[o.key] = *scratch_.store().Get(o.key);
  }
  auto restore = [&] {
    auto all = scratch_.store().ListAll(scratch_.Key("db/"));
    std::vector<std::string> keys;
    for (const auto& o : *all) keys.push_back(o.key);
    if (!keys.empty()) ASSERT_TRUE(scratch_.store().Delete(keys).ok());
    for (const auto& [k, v] : snapshot) ASSERT_TRUE(scratch_.store().Put(k, v).ok());
  };
  int crashes = 0;
  const int max_k = s3 ? 120 : 200;
  const int stride = 1;
  for (int k = 1; k <= max_k; k += stride) {
    restore();
    int rc = RunCli("pack " + In() + " " + Out() + args, &out,
                    CliEnv("LAKEPACK_PACK_CRASH_AT=" + std::to_string(k)));
    if (rc == 0) break;  // the run has fewer than k store operations: every point was covered
    ++crashes;
    if (k % 7 == 0) {
      // A second crash, during the recovery.
      (void)RunCli("pack " + In() + " " + Out() + args, &out,
                   CliEnv("LAKEPACK_PACK_CRASH_AT=" + std::to_string(k / 2 + 3)));
    }
    ASSERT_EQ(RunCli("pack " + In() + " " + Out() + args, &out, CliEnv()), 0)
        << "k=" << k << ": " << out;
    ASSERT_EQ(Rows(), expected) << "crash at step " << k;
    ExpectExactSizes(Outputs(), 50000);
    // And a further run packs nothing.
    ASSERT_EQ(RunCli("pack " + In() + " " + Out() + args + " --json", &out, CliEnv()), 0) << out;
    ASSERT_NE(out.find("\"inputs\":[]"), std::string::npos) << "k=" << k << ": " << out;
  }
  EXPECT_GE(crashes, 20);
}

// Two packers at once on the same table: no loss or duplication; a loser gets a clear message.
TEST_P(PackTest, ConcurrentPackers) {
  Generate("a.csv", 1500, 14);
  Generate("b.csv", 1500, 15);
  const std::string cmd =
      "pack " + In() + " " + Out() + " table --file-limit 64kB --force --out-ext csv";
  std::string out1, out2;
  int rc1 = 0, rc2 = 0;
  std::thread t1([&] { rc1 = RunCli(cmd, &out1, CliEnv()); });
  std::thread t2([&] { rc2 = RunCli(cmd, &out2, CliEnv()); });
  t1.join();
  t2.join();
  EXPECT_TRUE(rc1 == 0 || rc2 == 0) << out1 << out2;
  for (auto* p : {&out1, &out2}) {
    if (p->find("error") != std::string::npos) {
      EXPECT_NE(p->find("another packer"), std::string::npos) << *p;
    }
  }
  // Whatever happened, a final run completes the table exactly once.
  std::string out;
  ASSERT_EQ(RunCli(cmd + " --wait 60", &out, CliEnv()), 0) << out;
  auto rows = Rows();
  EXPECT_EQ(rows.size(), 3000u);
  EXPECT_EQ(std::adjacent_find(rows.begin(), rows.end()), rows.end());  // generated rows differ
  ExpectExactSizes(Outputs(), 64000);
}

// Cancelling after N polls, for N from "before the lock" to "after several files, the latest one
// rewritten", leaves every object of the table (outputs and state) exactly as before the run; a
// following run then packs every input exactly once.
TEST_P(PackTest, CancelLeavesTableAsBefore) {
  Generate("a.csv", 470, 21);  // ~128 kB: a latest file the next run rewrites
  ASSERT_TRUE(Pack(Options("csv")).ok());
  Generate("b.csv", 1500, 22);
  Generate("c.csv", 1500, 23);
  const auto before = Snapshot();
  ASSERT_FALSE(before.empty());
  int cancelled_after_files = 0, cancelled_after_rewrite = 0;
  for (int n : {0, 1, 2, 5, 12, 30, 45, 70, 100}) {
    PackOptions o = Options("csv");
    o.read_block_bytes = 16 << 10;  // small batches: many polls per output file
    int polls = 0;
    o.cancelled = [&] { return ++polls > n; };
    int files = 0;
    o.on_file = [&](const std::string&, int64_t, int64_t) { ++files; };
    auto r = Pack(o);
    if (r.ok()) break;  // fewer polls than n: the run completed (checked below)
    ASSERT_EQ(r.status().code(), StatusCode::kCancelled)
        << "n=" << n << ": " << r.status().ToString();
    EXPECT_NE(r.status().message().find("as it was before"), std::string::npos)
        << r.status().message();
    if (files > 0) ++cancelled_after_files;
    if (files > 1) ++cancelled_after_rewrite;  // file 0 is the rewritten latest file
    ASSERT_EQ(Snapshot(), before) << "cancelled after " << n << " polls, " << files << " files";
  }
  EXPECT_GE(cancelled_after_files, 2);
  EXPECT_GE(cancelled_after_rewrite, 1);
  // The next run, not cancelled, packs everything once (whether or not the loop's last run did).
  auto r = Pack(Options("csv"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto rows = Rows();
  EXPECT_EQ(rows.size(), 470u + 1500 + 1500);
  EXPECT_EQ(std::adjacent_find(rows.begin(), rows.end()), rows.end());
  ExpectExactSizes(Outputs());
  auto again = Pack(Options("csv"));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->inputs.empty());
}

// A cancelled Parquet run aborts its open file: nothing of it is visible, and no state is left.
TEST_P(PackTest, CancelParquetMidFile) {
  Generate("a.csv", 4000, 24);
  PackOptions o = Options("snappy.parquet");
  o.read_block_bytes = 16 << 10;
  int polls = 0;
  o.cancelled = [&] { return ++polls > 20; };
  auto r = Pack(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled) << r.status().ToString();
  EXPECT_TRUE(Snapshot().empty());
  ASSERT_TRUE(Pack(Options("snappy.parquet")).ok());
  EXPECT_EQ(Rows().size(), 4000u);
}

// Ctrl-C (SIGINT) in `lakepack pack` cancels the run: the table is left as before (or, when the
// signal comes too late, the run completed); the next run packs every row exactly once.
TEST_P(PackTest, CliInterruptLeavesTableAsBefore) {
  Generate("a.csv", 470, 27);
  const std::string cmd = "pack " + In() + " " + Out() + " table --file-limit 2MB --quiet";
  std::string out;
  ASSERT_EQ(RunCli(cmd, &out), 0) << out;
  Generate("b.csv", 100000, 28);  // ~27 MB: a few tenths of a second to pack
  const auto before = Snapshot();
  int interrupted = 0;
  for (const char* delay : {"0.05", "0.1", "0.2", "0.3"}) {
    // timeout(1) sends one SIGINT after `delay` (--foreground: to the CLI only, not again to the
    // process group: a second signal kills, as a second Ctrl-C does); --preserve-status: the
    // CLI's own exit code.
    std::string shell = "timeout --foreground --preserve-status -s INT " + std::string(delay) +
                        " " + std::getenv("LAKEPACK_CLI") + " " + cmd + " 2>&1";
    FILE* p = ::popen(shell.c_str(), "r");
    ASSERT_NE(p, nullptr);
    out.clear();
    char buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, got);
    int status = ::pclose(p);
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (rc == 0) break;                                        // finished before the signal
    if (out.find("cancelled") == std::string::npos) continue;  // killed before Pack started
    ++interrupted;
    EXPECT_NE(out.find("as it was before the run"), std::string::npos) << out;
    ASSERT_EQ(Snapshot(), before) << "interrupted after " << delay << " s: " << out;
  }
  EXPECT_GE(interrupted, 1);
  ASSERT_EQ(RunCli(cmd, &out), 0) << out;
  auto rows = Rows();
  EXPECT_EQ(rows.size(), 100470u);
  EXPECT_EQ(std::adjacent_find(rows.begin(), rows.end()), rows.end());
}

// A run longer than its lock timeout keeps the lock: its lease is renewed, so a second packer
// started meanwhile is refused instead of taking over (and the first one then commits).
TEST_P(PackTest, LongRunRenewsItsLock) {
  Generate("a.csv", 1500, 25);
  Generate("b.csv", 1500, 26);
  constexpr int64_t kLockSeconds = 1;
  PackOptions slow = Options("csv");
  slow.lock_timeout_seconds = kLockSeconds;
  std::promise<void> first_file;
  bool signalled = false;
  slow.on_file = [&](const std::string&, int64_t, int64_t) {
    if (signalled) return;
    signalled = true;
    first_file.set_value();
    // Stalls for 4 leases while holding the lock.
    std::this_thread::sleep_for(std::chrono::milliseconds(4000 * kLockSeconds));
  };
  Result<PackReport> slow_result = Status::Internal("not run");
  std::thread runner([&] { slow_result = Pack(slow); });
  if (first_file.get_future().wait_for(std::chrono::seconds(120)) != std::future_status::ready) {
    runner.join();
    FAIL() << "the first packer wrote no file: " << slow_result.status().ToString();
  }
  // Well past the intent's own lease.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500 * kLockSeconds));
  PackOptions other = Options("csv");
  other.lock_timeout_seconds = kLockSeconds;
  auto r = Pack(other);
  runner.join();
  ASSERT_FALSE(r.ok()) << "the second packer took over a live run";
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_NE(r.status().message().find("another packer is working"), std::string::npos)
      << r.status().message();
  ASSERT_TRUE(slow_result.ok()) << slow_result.status().ToString();
  auto rows = Rows();
  EXPECT_EQ(rows.size(), 3000u);
  EXPECT_EQ(std::adjacent_find(rows.begin(), rows.end()), rows.end());
  // No lease object is left behind.
  auto state = scratch_.store().ListAll(scratch_.Key("db/table/_lakepack/"));
  for (const auto& o : *state) EXPECT_EQ(o.key.find("/lease-"), std::string::npos) << o.key;
}

// Puts an intent of run 1 held by a live process on another host, `edit` applied to its JSON,
// where Options("csv") finds it.
void PutForeignIntent(Scratch& scratch, int64_t lease_ms,
                      const std::function<void(std::string*)>& edit = {}) {
  Intent i;
  i.generation = 1;
  i.owner = ThisProcessOwner();
  i.owner.host = "another-host";  // not provably dead: only its lease can free the lock
  i.created_ms = NowUnixMs();
  i.lease_ms = lease_ms;
  std::string text = ToJson(i);
  if (edit) edit(&text);
  const std::string key =
      scratch.Key("db/table/_lakepack/pack/" + OutputStem("table", "") + ".csv/" + IntentName(1));
  ASSERT_TRUE(scratch.store().Put(key, text).ok());
}

// Issue 16 F4: a lease near INT64_MAX ms made created_ms + lease_ms wrap negative, so a second
// packer "recovered" a live run (and --lock-timeout 9300000000000000 overflowed already when
// written).  The option is bounded, and a lease read from the store above the bound, or not
// positive, is taken as live.
TEST_P(PackTest, HugeLeaseIsALiveLockNotAnExpiredOne) {
  Generate("a.csv", 200, 30);
  for (int64_t lease : {int64_t{9223372036854775000}, INT64_MAX, int64_t{-5}, int64_t{0}}) {
    PutForeignIntent(scratch_, lease);
    auto r = Pack(Options("csv"));
    ASSERT_FALSE(r.ok()) << "lease_ms " << lease << ": took over a live run";
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
    EXPECT_NE(r.status().message().find("another packer is working"), std::string::npos)
        << r.status().ToString();
    EXPECT_TRUE(Outputs().empty());
  }
  // An ordinary lease still ends.
  PutForeignIntent(scratch_, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto r = Pack(Options("csv"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->recovered);
  EXPECT_EQ(Rows().size(), 200u);
}

TEST_P(PackTest, LockTimeoutAboveTheBoundIsAUsageError) {
  PackOptions o = Options("csv");
  o.lock_timeout_seconds = kMaxLockTimeoutSeconds;
  EXPECT_TRUE(o.Validate().ok());
  for (int64_t bad : {kMaxLockTimeoutSeconds + 1, int64_t{9223372036854775}, INT64_MAX}) {
    o.lock_timeout_seconds = bad;
    EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument) << bad;
  }
  o.lock_timeout_seconds = 60;
  o.wait_seconds = INT64_MAX;
  EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument);
  if (GetParam() != "local") return;  // the CLI's parsing is the same on every store
  Generate("a.csv", 100, 31);
  std::string out;
  EXPECT_EQ(
      RunCli("pack " + In() + " " + Out() + " table --out-ext csv --lock-timeout 9300000000000000",
             &out),
      2)
      << out;
  EXPECT_NE(out.find("lock-timeout"), std::string::npos) << out;
  EXPECT_TRUE(Outputs().empty());
}

// Issue 16 F8: std::stoll on state numbers threw out of Pack ("lakepack: error: stoll", no file
// named) for a number beyond int64 or one like "-.5"; now InvalidData naming the object.
TEST_P(PackTest, StateNumberOutOfRangeIsInvalidDataNamingTheObject) {
  Generate("a.csv", 100, 32);
  for (const char* bad : {"99999999999999999999", "-.5", "1e3"}) {
    PutForeignIntent(scratch_, 60000, [&](std::string* text) {
      const size_t at = text->find("\"created_ms\":") + 13;
      const size_t end = text->find(',', at);
      text->replace(at, end - at, bad);
    });
    Result<PackReport> r = Status::Internal("not run");
    EXPECT_NO_THROW(r = Pack(Options("csv"))) << bad;
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidData) << r.status().ToString();
    EXPECT_NE(r.status().message().find(IntentName(1)), std::string::npos) << r.status().ToString();
    EXPECT_NE(r.status().message().find("created_ms"), std::string::npos) << r.status().ToString();
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, PackTest, ::testing::ValuesIn(lakepack::testing::StoreKinds()),
                         lakepack::testing::KindName);

}  // namespace
}  // namespace lakepack::pack
