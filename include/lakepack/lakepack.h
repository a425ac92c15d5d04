// lakepack/lakepack.h: the whole public C++ API of liblakepack in one include.
//
// Link with the CMake target lakepack::lakepack (find_package(lakepack)); see
// examples/cpp_consumer/.  Each header below says what it offers, its thread-safety and the
// REQUIRES: of its calls.  Everything is in namespace lakepack (jobs in lakepack::format, ::gen,
// ::ops, ::pack, ::files, ::lake, ::sorted).  Errors are Status / Result<T> (status.h); nothing
// throws.  Arrow types (arrow::RecordBatch, arrow::Schema, ...) are the pyarrow wheel's Arrow C++
// the library was built with.
#pragma once

#include "lakepack/block_writer.h"    // ParquetBlockWriter: row groups of an enforced size
#include "lakepack/convert.h"         // ops::Convert: csv / jsonl / parquet to any of them
#include "lakepack/copy.h"            // ops::Copy: objects between local disk and S3
#include "lakepack/data_generator.h"  // gen::DataGenerator: deterministic fake records
#include "lakepack/du.h"              // ops::DiskUsage, ops::Stat: totals under a prefix, one object
#include "lakepack/files.h"           // files::*: tables of file URLs
#include "lakepack/format.h"          // format names, codecs, the schema-mismatch policy
#include "lakepack/generate.h"        // gen::RunGenerateJob: fake data into one file
#include "lakepack/head.h"            // ops::ReadObject, ops::HeadRows: bytes or first rows
#include "lakepack/inspect.h"         // format::InspectFile: schema, rows, Parquet layout
#include "lakepack/job.h"             // CancelToken, Progress, JobContext
#include "lakepack/lake.h"            // lake::*: database snapshots into a partitioned lake
#include "lakepack/move.h"            // ops::Move: copy, verify, delete the sources
#include "lakepack/pack.h"            // pack::Pack: a table's files into exactly sized files
#include "lakepack/pack_admin.h"      // pack::PackStatus, PackUnlock, PackGc: the pack state
#include "lakepack/reader.h"          // format::OpenBatchReader
#include "lakepack/remove.h"          // ops::Remove: an object or a prefix
#include "lakepack/sorted.h"          // sorted::*: sorted key-value tables
#include "lakepack/status.h"          // Status, Result<T>
#include "lakepack/store.h"           // ObjectStore, OpenStore
#include "lakepack/sync.h"            // ops::Sync: copy what differs (size, MD5), --delete
#include "lakepack/writer.h"          // format::OpenBatchWriter
