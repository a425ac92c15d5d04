// multipart_writer.h: the S3 ObjectWriter, streaming an object as a multipart upload.
//
// Write() fills a part buffer; a full part is uploaded on its own thread while the next one
// fills.  At most `max_parallel_parts` parts are in flight: Write() blocks until one finishes,
// so memory stays under (max_parallel_parts + 1) × part size.  The upload is created lazily with
// the first full part; an object that never fills one is sent by Finish() as a single PUT.
//
// Part sizes: the first is WriterOptions::part_size clamped to [5 MiB, 5 GiB] (S3's minimum and
// maximum part size), and the size doubles every 1000 parts (PartSizeFor) so an object of up to
// 1023 × 1000 × the first size fits in S3's 10,000 parts: about 4.9 TiB from 5 MiB, and S3's
// 5 TiB object limit from the default 8 MiB on.
//
// if_absent: CompleteMultipartUpload is sent with If-None-Match: * (AWS and moto 5 answer 412
// when the key exists; Ceph 16 ignores the header and overwrites, checked with boto3), and before
// completing the writer HEADs the key and gives up with AlreadyExists if it exists.  Remaining
// race on servers that ignore the header (Ceph 16): another writer that creates the key between
// that HEAD and the completion is silently overwritten.
//
// A writer destroyed or Abort()ed before Finish() aborts the multipart upload, so nothing shows.
//
// Thread-safety: a writer is used by one thread at a time (its part uploads run on threads of
// its own).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lakepack/store.h"
#include "store/s3/s3_client.h"

namespace lakepack::s3 {

constexpr int64_t kMinPartSize = int64_t{5} << 20;  // S3: every part but the last ≥ 5 MiB
constexpr int64_t kMaxPartSize = int64_t{5} << 30;  // S3: a part is at most 5 GiB
constexpr int kMaxParts = 10000;                    // S3: at most 10,000 parts per upload
constexpr int kPartsPerSizeStep = 1000;             // the part size doubles this often

// Size of part `part_number` (1-based) when the first part has `first_part_size` bytes.
int64_t PartSizeFor(int64_t first_part_size, int part_number);
// The largest object a writer can take with this first part size.
int64_t MaxObjectSize(int64_t first_part_size);

class MultipartWriter final : public ObjectWriter {
 public:
  MultipartWriter(std::shared_ptr<S3Client> client, std::string key, WriterOptions options);
  ~MultipartWriter() override;

  Status Write(const void* data, size_t size) override;
  Result<ObjectInfo> Finish() override;
  Status Abort() override;
  int64_t bytes_written() const override { return bytes_written_; }

 private:
  Status CreateUpload();
  // Hands the full buffer to an upload thread, blocking while too many are in flight.
  Status StartPart();
  void UploadPart(int part_number, std::string data);
  void JoinAll();
  Status FirstError();
  Result<ObjectInfo> Complete();

  std::shared_ptr<S3Client> client_;
  std::string key_;
  WriterOptions options_;
  int64_t first_part_size_;
  int max_parallel_;
  std::string buffer_;
  int next_part_ = 1;
  int64_t bytes_written_ = 0;
  std::string upload_id_;
  bool finished_ = false, aborted_ = false;

  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;                 // guarded by mu_
  std::map<int, std::string> etags_;  // part number → ETag; guarded by mu_
  Status error_;                      // the first part failure; guarded by mu_
  std::vector<std::string> spare_buffers_;  // emptied part buffers, reused; guarded by mu_
};

}  // namespace lakepack::s3
