// lakepack/pack.h: the pack job — packs the files of a table into evenly and exactly sized output
// files `OUTPUT_BASE/TABLE/[k1=v1/...]TABLE[_SUFFIX]_N.EXT`, streaming, idempotently and
// crash-safely.
//
// One run (Pack):
//   1. Reads the state directory `OUTPUT_BASE/TABLE/_lakepack/pack/<partition><STEM>.<EXT>/`
//      (see state.h; its intents and commits are txlog logs): the highest commit, and an intent
//      without commit if a run is in progress or crashed.  A live one (on this host: its process
//      exists; elsewhere: its lease, `lock_timeout`, counted from the intent or its last renewal,
//      lease-G, has not expired) makes this run fail with "another packer is working on TABLE"; an
//      abandoned one is recovered.
//   2. Lists the partition and the inputs and plans (plan.h): new inputs, the latest file, and
//      whether it is rewritten.  --dry-run stops here and reports the plan.
//   3. Writes intent-G with put-if-absent (the lock: of two racing packers exactly one wins; the
//      loser fails with AlreadyExists and a clear message, nothing written).
//   4. Recovery only: deletes the output files the crashed run may have written (N above the
//      latest N it recorded).
//   5. If the latest file is rewritten: preserves its original bytes by a server-side copy to
//      `base-G-NAME` in the state directory (recorded in intent-G, which was written first; a
//      recovery reuses the abandoned run's copy).  Its rows are read from that copy only.
//   6. Streams the base rows, then every new input's rows in input-URI order, cast to the target
//      schema, into files N0, N0+1, ... in order (rolling_writer.h: exact sizes).  Each output
//      object is committed atomically by the store.  A producer thread reads and parses the
//      inputs (across input files) into a queue of about one row group (batch_queue.h) while the
//      calling thread encodes and writes, so parsing overlaps encoding.  Meanwhile a LeaseKeeper
//      (txlog/lease.h) renews the lock's lease, so a run longer than lock_timeout keeps it.
//   7. Checks no other packer took over (intent-(G+1) absent), writes commit-G (put-if-absent):
//      the cumulative packed inputs and the manifest of output files.
//   8. Deletes the base copy (and any left by earlier crashed runs): garbage once committed.
// A crash anywhere before 7 leaves the committed state as it was plus files that step 4 of the
// next run deletes and rewrites; the latest file's original rows survive in the base copy.  So
// after the re-run the table holds exactly the rows of an uninterrupted run.
//
// Target schema: the schema file if given, else the latest file's (when it exists), else the
// first input's; then, before anything is written, every input's own columns (a CSV header and
// first block, a JSON Lines first block, a Parquet footer) are folded in under
// on_schema_mismatch (fail / union / drop; a column of type null widens to any type).  CSV/JSONL
// inputs are read with their own columns at the target's types and every batch is cast to it
// (errors name the input and column).  Parquet inputs are cast only with cast_parquet; otherwise a
// Parquet input of other types is an error that names the column and suggests --cast-parquet.
//
// Thread-safety: Pack may run concurrently from several threads or processes on different or the
// same tables (the state objects arbitrate).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lakepack/format.h"
#include "lakepack/reader.h"
#include "lakepack/store.h"

namespace lakepack::pack {

// An ordered list of partition keys and values, as given by `--partition k=v` (repeatable).  (The
// same alias as pack/naming.h's.)
using Partition = std::vector<std::pair<std::string, std::string>>;

// 0.256 GB in decimal bytes: the reference's default file_limit_gigabytes.
constexpr int64_t kDefaultFileLimitBytes = 256'000'000;
// The smallest limit taken without `force`: a limit under 1 MB makes a file every few rows (the
// probe's `--file-limit 1` wrote 200 files for 200 rows); it is almost always a forgotten unit.
constexpr int64_t kMinFileLimitBytes = 1'000'000;
// A crashed run on another host is presumed dead after this long (the reference has no lock).
constexpr int64_t kDefaultLockTimeoutSeconds = 15 * 60;
// Upper bound of lock_timeout_seconds and wait_seconds (ten years, state.h's kMaxLeaseMs); more is
// a usage error, not an overflow.
constexpr int64_t kMaxLockTimeoutSeconds = int64_t{10} * 366 * 24 * 3600;

struct PackOptions {
  std::string input_base;   // URI or path; inputs are INPUT_BASE/TABLE/** (recursive)
  std::string output_base;  // URI or path; outputs go to OUTPUT_BASE/TABLE/<partition>
  std::string table;
  std::string suffix;
  int64_t file_limit_bytes = kDefaultFileLimitBytes;
  bool force = false;  // accept a file_limit_bytes under kMinFileLimitBytes
  // Filter: csv, tsv, jsonl, parquet, snappy.parquet...; "" = every file of a known format.
  // Matched case-insensitively, a compression suffix aside: csv takes "a.CSV" and "b.csv.gz".
  std::string in_ext;
  std::string out_ext = "snappy.parquet";
  Partition partition;               // ordered k=v
  std::string input_partition_name;  // reported: the values of this key among the inputs
  std::string schema_file;           // URI or path of a JSON schema file (lakepack's schema JSON)
  bool cast_parquet = false;
  // An input whose columns differ from the target schema (see below and lakepack/format.h):
  // kFail (the default) fails the run before anything is written, naming the input and the
  // columns; kUnion adds the new columns (nullable) to the target, so the rewritten latest file
  // and every later file carry them, and rows without them hold null; kDrop keeps the target's
  // columns (extra ones dropped, missing ones null).
  format::SchemaMismatch on_schema_mismatch = format::SchemaMismatch::kFail;
  // CSV / JSON Lines inputs: bytes parsed at a time (format::ReadOptions::block_size, which also
  // bounds type inference), e.g. from S3DataPacker's read_chunksize; 0 means the reader's
  // default.  Parquet inputs are read in batches of their row groups whatever this is.
  int64_t read_block_bytes = 0;
  // How every CSV input of the run is read (one dialect per run; ".tsv" inputs default to tabs).
  // Output files, and the latest file a run rewrites, are lakepack's own CSV and are always read
  // with the default dialect.
  format::CsvDialect csv;
  // The latest output file under the limit: rewritten with the new rows first (false, the
  // default: the reference's semantics, every file but the last full) or kept as it is, the new
  // rows starting the next N (true, `--append-mode new-file`: no run re-reads old bytes, for
  // landing zones that grow by small increments; files then may end under the limit).
  bool append_new_file = false;
  bool dry_run = false;
  int64_t lock_timeout_seconds = kDefaultLockTimeoutSeconds;
  // Retry (up to this long) when another packer holds the table, instead of failing.
  int64_t wait_seconds = 0;
  StoreOptions store;
  // Called after each output file is committed (progress); may be empty.  A run cancelled or
  // failed later may take such a file back (see `cancelled`).
  std::function<void(const std::string& uri, int64_t rows, int64_t bytes)> on_file;
  // Cancellation (e.g. Ctrl-C in the Python binding); may be empty.  Polled on the thread that
  // called Pack: before the run takes its lock, between batches (so between files too) and before
  // the commit, and while --wait retries.  When it returns true, Pack aborts the open output
  // file, deletes the files this run committed, puts the latest file's original bytes back if
  // the run had already rewritten it, removes its lease, base copy and intent (the lock), so the
  // table is exactly as before the run, and returns a kCancelled Status.  (Exception: a run that
  // recovers a crashed one has already deleted that run's partial files; the crashed run's
  // intent is left for the next run to recover.)  If that clean-up fails, the Status is still
  // kCancelled, says so, and the intent stays: the next run recovers as after a crash.
  std::function<bool()> cancelled;

  // Checks names, extensions, partition entries and the limit (under kMinFileLimitBytes only with
  // `force`); errors name the option.
  Status Validate() const;
};

struct PackReport {
  struct File {
    std::string uri;
    int64_t rows = 0;
    int64_t bytes = 0;
  };
  std::vector<File> files;                          // written by this run, in N order
  std::vector<std::string> inputs;                  // packed by this run (URIs)
  std::vector<std::string> input_partition_values;  // of input_partition_name, distinct, sorted
  int64_t already_packed = 0;
  int64_t input_bytes = 0;
  int64_t rows = 0;
  bool rewrote_latest = false;
  bool recovered = false;   // this run recovered a crashed one
  int64_t generation = -1;  // the state generation committed (-1: none)
  double seconds = 0;
  std::string plan_text;             // DescribePlan (always filled; printed by --dry-run)
  std::vector<StoreTraffic> stores;  // the S3 stores' requests and bytes during the run
};

// Runs one pack (Pack calls options.Validate() itself).  REQUIRES: the callbacks, if set, may be
// called from the calling thread until Pack returns.
Result<PackReport> Pack(const PackOptions& options);

}  // namespace lakepack::pack
