// The job spine through the CLI (cli/run_job.h): every verb's --json is one parseable report
// object (errors too), --quiet is silent on every verb, the exit-code table holds, help explains
// every option, global options go before or after the verb, `cp FILE DIR` keeps the name, a
// recursive copy names every failure, and SIGINT / SIGTERM cancel every long verb mid-run with
// nothing half-written left behind.  Local disk only: the stores' own behaviour is tested per
// backend elsewhere (cp_cli_test, conformance_test).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "base/json.h"
#include "test_util.h"

namespace lakepack {
namespace {

namespace fs = std::filesystem;
using testing::RunCli;

std::string ReadFile(const fs::path& p) { return testing::ReadLocalFile(p.string()); }

void WriteFile(const fs::path& p, const std::string& data) {
  testing::WriteLocalFile(p.string(), data);
}

std::string Q(const fs::path& p) { return "'" + p.string() + "'"; }

// Every file below `dir` whose name marks an unfinished write (the local store's temp files).
std::vector<std::string> TempFiles(const fs::path& dir) {
  std::vector<std::string> found;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().filename().string().find(".lakepack-tmp-") != std::string::npos) {
      found.push_back(it->path().string());
    }
  }
  return found;
}

// Each option's entry in `help` (its line and continuation lines) names its default, except
// flags, which are off unless given.
void ExpectEveryOptionNamesItsDefault(const std::string& verb, const std::string& help) {
  std::istringstream lines(help);
  std::string line, entry;
  auto check = [&] {
    if (entry.empty()) return;
    const bool takes_value = entry.find(' ', 4) < entry.find("  ", 4);
    if (takes_value && entry.find("--help") == std::string::npos) {
      EXPECT_NE(entry.find("default"), std::string::npos) << verb << ": " << entry;
    }
    entry.clear();
  };
  while (std::getline(lines, line)) {
    if (line.rfind("  --", 0) == 0) {
      check();
      entry = line;
    } else if (!entry.empty() && line.rfind("    ", 0) == 0) {
      entry += " " + line;
    } else {
      check();
    }
  }
  check();
}

class JobsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("lakepack-jobs-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs the CLI; the output (stdout + stderr) parsed as one JSON object.
  JsonValue Json(const std::string& args, int want_rc = 0) {
    std::string out;
    int rc = RunCli(args, &out);
    EXPECT_EQ(rc, want_rc) << args << "\n" << out;
    auto v = ParseJson(out);
    EXPECT_TRUE(v.ok()) << args << ": not one JSON document: " << v.status().ToString() << "\n"
                        << out;
    if (!v.ok()) return {};
    EXPECT_EQ(v->kind, JsonValue::Kind::kObject) << out;
    return *v;
  }
  static double Num(const JsonValue& v, const char* key) {
    const JsonValue* m = v.kind == JsonValue::Kind::kObject ? v.Find(key) : nullptr;
    EXPECT_NE(m, nullptr) << "no member " << key;
    return m ? m->number : -1;
  }
  static std::string Str(const JsonValue& v, const char* key) {
    const JsonValue* m = v.kind == JsonValue::Kind::kObject ? v.Find(key) : nullptr;
    EXPECT_NE(m, nullptr) << "no member " << key;
    return m ? m->string : "";
  }

  fs::path dir_;
};

TEST_F(JobsCli, EveryVerbPrintsOneJsonReport) {
  const fs::path csv = dir_ / "in" / "t" / "a.csv";
  JsonValue g = Json("generate " + Q(csv) + " --rows 2000 --seed 3 --json");
  EXPECT_EQ(Num(g, "rows"), 2000);
  EXPECT_EQ(Str(g, "format"), "csv");
  EXPECT_EQ(Num(g, "bytes"), static_cast<double>(fs::file_size(csv)));

  JsonValue c = Json("convert " + Q(csv) + " " + Q(dir_ / "a.parquet") + " --json");
  EXPECT_EQ(Num(c, "rows"), 2000);
  EXPECT_EQ(Str(c, "format"), "parquet");
  EXPECT_EQ(Str(c, "in_format"), "csv");
  EXPECT_EQ(Num(c, "bytes"), static_cast<double>(fs::file_size(dir_ / "a.parquet")));

  JsonValue i = Json("inspect " + Q(dir_ / "a.parquet") + " --json");
  EXPECT_EQ(Num(i, "rows"), 2000);

  JsonValue cp = Json("cp --recursive " + Q(dir_ / "in") + " " + Q(dir_ / "copy") + " --json");
  EXPECT_EQ(Num(cp, "objects"), 1);
  EXPECT_EQ(Num(cp, "planned"), 1);
  EXPECT_EQ(cp.Find("failures")->array.size(), 0u);
  EXPECT_FALSE(cp.Find("cancelled")->boolean);

  JsonValue ls = Json("ls --recursive " + Q(dir_ / "copy") + " --json");
  EXPECT_EQ(Num(ls, "objects"), 1);
  ASSERT_EQ(ls.Find("entries")->array.size(), 1u);
  EXPECT_EQ(Str(ls.Find("entries")->array[0], "key")
                .substr(Str(ls.Find("entries")->array[0], "key").size() - 7),
            "t/a.csv");

  JsonValue p = Json("pack " + Q(dir_ / "in") + " " + Q(dir_ / "db") + " t --json");
  EXPECT_EQ(Num(p, "rows"), 2000);
  EXPECT_EQ(p.Find("files")->array.size(), 1u);
  JsonValue dry = Json("pack " + Q(dir_ / "in") + " " + Q(dir_ / "db2") + " t --dry-run --json");
  EXPECT_TRUE(dry.Find("dry_run")->boolean);

  JsonValue v = Json("version --json");
  EXPECT_EQ(Str(v, "version").substr(0, 2), "0.");
}

TEST_F(JobsCli, ErrorsAreJsonWithJson) {
  JsonValue e =
      Json("convert " + Q(dir_ / "missing.csv") + " " + Q(dir_ / "o.parquet") + " --json", 1);
  const JsonValue* err = e.Find("error");
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(Str(*err, "code"), "NotFound");
  EXPECT_NE(Str(*err, "message").find("missing.csv"), std::string::npos);
  EXPECT_EQ(Num(e, "exit_code"), 1);
  // Usage errors, whichever verb, before or after the verb.
  for (const std::string& args : std::vector<std::string>{
           "cp --jobs abc a b --json", "--json cp --jobs abc a b", "convert a.csv --json",
           "generate x.csv --bogus 1 --json", "pack a b c --file-limit lots --json"}) {
    JsonValue u = Json(args, 2);
    ASSERT_NE(u.Find("error"), nullptr) << args;
    EXPECT_EQ(Str(*u.Find("error"), "code"), "usage") << args;
    EXPECT_EQ(Num(u, "exit_code"), 2) << args;
  }
}

TEST_F(JobsCli, ExitCodeTable) {
  std::string out;
  EXPECT_EQ(RunCli("version", &out), 0) << out;
  EXPECT_EQ(RunCli("--help", &out), 0) << out;
  EXPECT_EQ(RunCli("inspect " + Q(dir_ / "nope.parquet"), &out), 1) << out;
  EXPECT_EQ(RunCli("cp " + Q(dir_ / "nope.csv") + " " + Q(dir_ / "x.csv"), &out), 1) << out;
  // 2: usage errors, found before any work, and nothing is written.
  WriteFile(dir_ / "a.csv", "a\n1\n");
  for (const std::string& args : std::vector<std::string>{
           "cp --jobs abc " + Q(dir_ / "a.csv") + " " + Q(dir_ / "b.csv"),
           "cp --jobs 0 " + Q(dir_ / "a.csv") + " " + Q(dir_ / "b.csv"),
           "cp --part-size 12parsecs " + Q(dir_ / "a.csv") + " " + Q(dir_ / "b.csv"),
           "cp " + Q(dir_ / "a.csv"),
           "convert --batch-rows x " + Q(dir_ / "a.csv") + " " + Q(dir_ / "b.parquet"),
           "convert --compression nope " + Q(dir_ / "a.csv") + " " + Q(dir_ / "b.parquet"),
           "convert --row-group-size 5xrows " + Q(dir_ / "a.csv") + " " + Q(dir_ / "b.parquet"),
           "generate " + Q(dir_ / "b.csv") + " --threads many",
           "pack " + Q(dir_) + " " + Q(dir_ / "db") + " t --lock-timeout soon",
           "pack " + Q(dir_) + " " + Q(dir_ / "db") + " t --wait -1", "ls", "nosuchverb", "",
           "--bogus version"}) {
    EXPECT_EQ(RunCli(args, &out), 2) << args << "\n" << out;
  }
  EXPECT_FALSE(fs::exists(dir_ / "b.csv"));
  EXPECT_FALSE(fs::exists(dir_ / "b.parquet"));
  EXPECT_FALSE(fs::exists(dir_ / "db"));
  EXPECT_EQ(RunCli("cp --jobs abc a b", &out), 2);
  EXPECT_NE(out.find("--jobs: not an integer: 'abc'"), std::string::npos) << out;
}

TEST_F(JobsCli, QuietIsSilentOnEveryVerb) {
  const fs::path csv = dir_ / "in" / "t" / "a.csv";
  for (const std::string& args : std::vector<std::string>{
           "generate " + Q(csv) + " --rows 500", "convert " + Q(csv) + " " + Q(dir_ / "a.parquet"),
           "inspect " + Q(dir_ / "a.parquet"), "cp " + Q(csv) + " " + Q(dir_ / "b.csv"),
           "cp --recursive " + Q(dir_ / "in") + " " + Q(dir_ / "c"), "ls " + Q(dir_),
           "pack " + Q(dir_ / "in") + " " + Q(dir_ / "db") + " t", "version"}) {
    std::string out;
    EXPECT_EQ(RunCli(args + " --quiet", &out), 0) << args << "\n" << out;
    EXPECT_EQ(out, "") << args;
    EXPECT_EQ(RunCli("--quiet " + args, &out), 0) << args << "\n" << out;  // before the verb too
    EXPECT_EQ(out, "") << args;
  }
  EXPECT_EQ(ReadFile(dir_ / "b.csv"), ReadFile(csv));
}

TEST_F(JobsCli, HelpExplainsEveryOptionWithItsDefault) {
  for (const char* verb : {"convert", "cp", "generate", "inspect", "ls", "pack", "version"}) {
    std::string help, h, dash_h;
    ASSERT_EQ(RunCli(std::string("help ") + verb, &help), 0) << verb;
    ASSERT_EQ(RunCli(std::string(verb) + " --help", &h), 0) << verb;
    ASSERT_EQ(RunCli(std::string(verb) + " -h", &dash_h), 0) << verb;
    EXPECT_EQ(help, h) << verb;
    EXPECT_EQ(help, dash_h) << verb;
    EXPECT_NE(help.find(std::string("usage: lakepack ") + verb), std::string::npos) << help;
    EXPECT_NE(help.find("exit codes"), std::string::npos) << help;
    ExpectEveryOptionNamesItsDefault(verb, help);
  }
  std::string out;
  EXPECT_EQ(RunCli("help nosuchverb", &out), 2);
  ASSERT_EQ(RunCli("help cp", &out), 0);
  for (const char* opt : {"--recursive", "--jobs N", "--parallel N", "--part-size SIZE",
                          "--max-failures N", "--endpoint-url URL", "--quiet", "--json"}) {
    EXPECT_NE(out.find(opt), std::string::npos) << opt << "\n" << out;
  }
}

// The verbs that came after the spine (files, table, lake) follow it too: one JSON report with
// --json, usage errors exit 2 before any work, --quiet is silent, help names every default.
TEST_F(JobsCli, FilesTableAndLakeFollowTheSpine) {
  const fs::path csv = dir_ / "t.csv";
  WriteFile(csv, "key,value\nb,1\na,2\n");
  const std::string root = Q(dir_ / "tables");
  const std::string schema =
      "'{\"rowKeyFields\":[{\"name\":\"key\",\"type\":\"StringType\"}],"
      "\"valueFields\":[{\"name\":\"value\",\"type\":\"LongType\"}]}'";
  EXPECT_NE(Str(Json("table create " + root + " t --schema " + schema + " --json"), "created"),
            "");
  EXPECT_EQ(Num(Json("table write " + root + " t " + Q(csv) + " --json"), "rows"), 2);
  EXPECT_EQ(Num(Json("table status " + root + " t --json"), "rows"), 2);
  EXPECT_EQ(Json("table ls " + root + " --json").Find("tables")->array.size(), 1u);
  WriteFile(dir_ / "files.csv", "id,f.csv\nr1," + csv.string() + "\n");
  EXPECT_EQ(Num(Json("files sizes " + Q(dir_ / "files.csv") + " --json"), "total_size"),
            static_cast<double>(fs::file_size(csv)));
  for (int i = 0; i < 2; ++i) {
    WriteFile(dir_ / "export" / ("p" + std::to_string(i) + ".csv"), "id,v\n1,x\n2,y\n");
  }
  std::string out;
  ASSERT_EQ(RunCli("lake manifest " + Q(dir_ / "export") + " --quiet", &out), 0) << out;
  EXPECT_EQ(out, "");
  const std::string lake = "lake run --manifest " +
                           Q(dir_ / "export" / "manifests" / "manifest-summary.json") +
                           " --staging " + Q(dir_ / "staging") + " --datalake " +
                           Q(dir_ / "lake") + " --file-size 1MB";
  EXPECT_EQ(Num(Json(lake + " --json"), "after_total_n_record"), 4);
  // Usage errors: exit 2, nothing written.
  for (const std::string& args : std::vector<std::string>{
           "table write " + root + " t " + Q(csv) + " --buffer lots",
           "table write " + root + " t " + Q(csv) + " --on-schema-mismatch maybe",
           "table nosuchcommand " + root, "files fetch " + Q(dir_ / "files.csv") + " --jobs abc",
           "files nosuchcommand x", "lake run --parallel x", "lake nosuchstep",
           "lake run --file-size 12parsecs"}) {
    EXPECT_EQ(RunCli(args, &out), 2) << args << "\n" << out;
  }
  EXPECT_EQ(Num(Json("table status " + root + " t --json"), "rows"), 2);  // nothing written
  // --quiet: nothing on success.
  for (const std::string& args : std::vector<std::string>{
           "table create " + root + " u --schema " + schema,
           "table write " + root + " u " + Q(csv), lake,
           "files run " + Q(dir_ / "files.csv") + " --into-path " + Q(dir_ / "out") +
               " -- true"}) {
    EXPECT_EQ(RunCli("--quiet " + args, &out), 0) << args << "\n" << out;
    EXPECT_EQ(out, "") << args;
  }
  // Help: every option that takes a value names its default.
  for (const char* verb : {"files", "table", "lake"}) {
    std::string help;
    ASSERT_EQ(RunCli(std::string("help ") + verb, &help), 0) << verb;
    ExpectEveryOptionNamesItsDefault(verb, help);
  }
}

// One rule for the CLI and Python (tests/python/test_spine.py checks lakepack.copy the same way).
TEST_F(JobsCli, OneObjectIntoADirectoryKeepsItsName) {
  WriteFile(dir_ / "a.csv", "a\n1\n");
  fs::create_directories(dir_ / "DIR");
  std::string out;
  ASSERT_EQ(RunCli("cp --quiet " + Q(dir_ / "a.csv") + " " + Q(dir_ / "DIR"), &out), 0) << out;
  EXPECT_EQ(ReadFile(dir_ / "DIR" / "a.csv"), "a\n1\n");
  ASSERT_EQ(RunCli("cp --quiet " + Q(dir_ / "a.csv") + " " + Q(dir_ / "NEW") + "/", &out), 0)
      << out;
  EXPECT_EQ(ReadFile(dir_ / "NEW" / "a.csv"), "a\n1\n");
  ASSERT_EQ(RunCli("cp --quiet " + Q(dir_ / "a.csv") + " " + Q(dir_ / "b.csv"), &out), 0) << out;
  EXPECT_EQ(ReadFile(dir_ / "b.csv"), "a\n1\n");
}

TEST_F(JobsCli, RecursiveCopyGoesOnPastFailuresAndNamesEach) {
  for (int i = 0; i < 3; ++i)
    WriteFile(dir_ / "src" / "a" / ("x" + std::to_string(i) + ".bin"), "xxxxxxxxxx");
  for (int i = 0; i < 20; ++i) {
    WriteFile(dir_ / "src" / "b" / ("y" + std::to_string(100 + i) + ".bin"), std::string(i, 'y'));
  }
  WriteFile(dir_ / "dst" / "a", "a file, not a directory");  // the three under a/ fail
  std::string out;
  EXPECT_EQ(RunCli("cp --recursive " + Q(dir_ / "src") + " " + Q(dir_ / "dst"), &out), 1) << out;
  for (int i = 0; i < 3; ++i) {
    EXPECT_NE(out.find("lakepack: error: copying file://" + (dir_ / "src" / "a").string() + "/x" +
                       std::to_string(i) + ".bin to "),
              std::string::npos)
        << out;
  }
  EXPECT_NE(out.find("lakepack: error: 20 of 23 objects copied (3 failed)\n"), std::string::npos)
      << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 4) << out;
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(ReadFile(dir_ / "dst" / "b" / ("y" + std::to_string(100 + i) + ".bin")),
              std::string(i, 'y'));
  }
  JsonValue j = Json("cp --recursive --json " + Q(dir_ / "src") + " " + Q(dir_ / "dst"), 1);
  EXPECT_EQ(Num(j, "objects"), 20);
  EXPECT_EQ(Num(j, "planned"), 23);
  ASSERT_EQ(j.Find("failures")->array.size(), 3u);
  EXPECT_NE(Str(j.Find("failures")->array[2], "src").find("a/x2.bin"), std::string::npos);
  // --max-failures 1 with one object at a time: the first failure stops it.
  EXPECT_EQ(
      RunCli("cp --recursive --jobs 1 --max-failures 1 " + Q(dir_ / "src") + " " + Q(dir_ / "dst"),
             &out),
      1);
  EXPECT_NE(out.find("0 of 23 objects copied (1 failed)"), std::string::npos) << out;
}

// ---- cancellation -------------------------------------------------------------------------------

// Starts the CLI with `args` (stdout and stderr to `log`), waits until `ready()` (the job is
// mid-run), sends `signo` and returns the exit code.  -1 if the job ended before it was ready.
int InterruptCli(const std::string& args, const fs::path& log, const std::function<bool()>& ready,
                 int signo = SIGINT) {
  const std::string cmd = "exec " + std::string(std::getenv("LAKEPACK_CLI")) + " " + args + " > '" +
                          log.string() + "' 2>&1";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!ready()) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return -1;  // finished first
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  ::kill(pid, signo);
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);  // killed: not 130
}

TEST_F(JobsCli, SignalsCancelEveryLongVerbAndLeaveNothingHalfWritten) {
  const fs::path log = dir_ / "log.txt";
  fs::create_directories(dir_ / "out");
  auto has_temp = [&] { return !TempFiles(dir_ / "out").empty(); };

  // generate: SIGINT while the output is being written -> 130, no output, no temp file.
  EXPECT_EQ(
      InterruptCli("generate " + Q(dir_ / "out" / "big.csv") + " --rows 100000000", log, has_temp),
      130)
      << ReadFile(log);
  EXPECT_NE(ReadFile(log).find("lakepack: interrupted: generate"), std::string::npos)
      << ReadFile(log);
  EXPECT_FALSE(fs::exists(dir_ / "out" / "big.csv"));
  EXPECT_TRUE(TempFiles(dir_ / "out").empty());
  // ... and SIGTERM -> 143.
  EXPECT_EQ(InterruptCli("generate " + Q(dir_ / "out" / "big.jsonl") + " --rows 100000000", log,
                         has_temp, SIGTERM),
            143)
      << ReadFile(log);
  EXPECT_FALSE(fs::exists(dir_ / "out" / "big.jsonl"));
  EXPECT_TRUE(TempFiles(dir_ / "out").empty());

  // convert: an input big enough to take a while.
  std::string out;
  ASSERT_EQ(RunCli("generate --quiet " + Q(dir_ / "in" / "t" / "big.csv") + " --rows 300000", &out),
            0)
      << out;
  EXPECT_EQ(InterruptCli("convert " + Q(dir_ / "in" / "t" / "big.csv") + " " +
                             Q(dir_ / "out" / "big.parquet"),
                         log, has_temp),
            130)
      << ReadFile(log);
  EXPECT_FALSE(fs::exists(dir_ / "out" / "big.parquet"));
  EXPECT_TRUE(TempFiles(dir_ / "out").empty());

  // cp --recursive: stops between (and within) objects; every object that is there is whole.
  const std::string blob = testing::RandomBytes(2 << 20, 5);
  for (int i = 0; i < 150; ++i) WriteFile(dir_ / "many" / ("f" + std::to_string(1000 + i)), blob);
  auto some_copied = [&] {
    std::error_code ec;
    return fs::exists(dir_ / "out" / "many" / "f1000", ec);
  };
  EXPECT_EQ(InterruptCli("cp --recursive --jobs 1 --parallel 1 --part-size 1MiB " +
                             Q(dir_ / "many") + " " + Q(dir_ / "out" / "many"),
                         log, some_copied),
            130)
      << ReadFile(log);
  EXPECT_NE(ReadFile(log).find(" of 150 objects copied"), std::string::npos) << ReadFile(log);
  int whole = 0;
  for (auto& e : fs::directory_iterator(dir_ / "out" / "many")) {
    ASSERT_EQ(e.path().filename().string().find(".lakepack-tmp-"), std::string::npos) << e.path();
    EXPECT_TRUE(ReadFile(e.path()) == blob) << e.path();
    ++whole;
  }
  EXPECT_GE(whole, 1);
  EXPECT_LT(whole, 150);

  // pack: cancelled after its first output file: the table is as it was (no output files).
  auto packed_one = [&] {
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir_ / "db" / "t", ec); it != fs::directory_iterator();
         it.increment(ec)) {
      if (it->path().filename().string().rfind("t_", 0) == 0) return true;
    }
    return false;
  };
  EXPECT_EQ(InterruptCli("pack " + Q(dir_ / "in") + " " + Q(dir_ / "db") + " t --file-limit 1MB",
                         log, packed_one),
            130)
      << ReadFile(log);
  EXPECT_NE(ReadFile(log).find("as it was before the run"), std::string::npos) << ReadFile(log);
  EXPECT_FALSE(packed_one());
  EXPECT_TRUE(TempFiles(dir_ / "db").empty());
}

}  // namespace
}  // namespace lakepack
