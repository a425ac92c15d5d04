// s3_admin.cc: bucket-level S3 requests the ObjectStore interface does not offer (S3Uploader's
// create_bucket_if_not_exists).
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <string>

#include "errors.h"
#include "store/s3/s3_client.h"

namespace nb = nanobind;

namespace lakepack::py {
namespace {

// HEAD the bucket; PUT it if the server says it does not exist.  Returns true if it was created.
bool CreateBucketIfNotExists(const std::string& bucket, const StoreOptions& so) {
  Result<bool> created = Status::Internal("unset");
  {
    nb::gil_scoped_release release;
    created = [&]() -> Result<bool> {
      LP_ASSIGN_OR_RETURN(auto client, s3::S3Client::Make(bucket, so));
      auto head = client->Call(s3::NewRequest("HEAD", ""));
      if (head.ok()) return false;
      if (!head.status().IsNotFound()) return head.status();
      s3::CallInfo info;
      auto put = client->Call(s3::NewRequest("PUT", ""), &info);
      if (put.ok()) return true;
      // Another creator won the race (or a retry of ours did): the bucket exists now.
      if (info.error_code == "BucketAlreadyOwnedByYou") return false;
      return put.status();
    }();
  }
  return ValueOrThrow(std::move(created));
}

}  // namespace

void RegisterS3Admin(nb::module_& m) {
  m.def("create_bucket_if_not_exists", &CreateBucketIfNotExists, nb::arg("bucket"),
        nb::arg("options"));
}

}  // namespace lakepack::py
