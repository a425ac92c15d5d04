// compressed_input.h: the one way lakepack opens a gzip- or zstd-compressed input (a CSV or JSON
// Lines file compressed as a whole: "x.csv.gz", "x.jsonl.zst").  Every reader (convert, inspect,
// pack, the lake's snapshot exports, Python) opens its input with OpenDecodedInput, so a
// compressed file reads exactly as its plain text does, through the same readers.
//
// The decompressed text is presented as an arrow::io::RandomAccessFile, streamed through Arrow's
// codecs (arrow::io::CompressedInputStream) with bounded memory, never decompressed whole into
// memory or onto disk:
//   - reads at or after the furthest point decompressed so far decompress on from there;
//   - reads up to kWindowBytes behind it are served from the last decompressed bytes, kept for
//     that (the JSON Lines reader's parallel blocks each look back one byte and ahead past their
//     end; its blocks in flight fit in the window);
//   - a read further back starts decompressing again from the beginning (the readers do this only
//     to re-read a small prefix for type inference, or to find the line of an error);
//   - GetSize() decompresses the whole file once, keeping nothing, and remembers the size.  The
//     CSV reader never asks (StreamFromStart, IsEmptyInput); the JSON Lines reader cuts the file
//     into blocks by size, so a compressed JSON Lines file is decompressed twice.
// Corrupt or truncated compressed data is kInvalidData: "not valid gzip data (after N bytes of
// text): <codec's message>"; the caller prefixes the file's name.
//
// Thread-safety: every method may be called from any thread; reads are serialised.
#pragma once

#include <memory>
#include <string>

#include "arrow/io/interfaces.h"
#include "lakepack/format.h"
#include "lakepack/store.h"

namespace lakepack::format {

// `key` in `store`, decompressed if `compression` says so (kNone: OpenInputFile's plain file).
Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenDecodedInput(
    std::shared_ptr<ObjectStore> store, const std::string& key, InputCompression compression);

// `file` from its first byte as a stream of its own: for a decompressed input a new decompression
// of it (no size needed, no disturbance of other readers of `file`); otherwise a view of `file`.
arrow::Result<std::shared_ptr<arrow::io::InputStream>> StreamFromStart(
    const std::shared_ptr<arrow::io::RandomAccessFile>& file);

// True when `file` holds no byte.  A decompressed input: when its text is empty (one short read,
// not GetSize()).
arrow::Result<bool> IsEmptyInput(const std::shared_ptr<arrow::io::RandomAccessFile>& file);

}  // namespace lakepack::format
