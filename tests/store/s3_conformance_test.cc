// The ObjectStore conformance suite (store_conformance.h) on the S3 backend against the test
// server, plainly and with ~10% injected faults (503s, and responses dropped after the server did
// the work).  Skipped without a server unless LAKEPACK_REQUIRE_S3=1 (then it fails).
#include <cstdlib>

#include "store/store_conformance.h"

namespace lakepack::testing {
namespace {

// Opens `kind` ("s3" or "s3-faulty") or skips when no server is configured or required.
std::unique_ptr<Scratch> S3Scratch(const std::string& kind) {
  const std::vector<std::string> kinds = StoreKinds();
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) return nullptr;
  return std::make_unique<Scratch>(kind);
}

class S3StoreConformance : public StoreConformanceTest {
 protected:
  std::unique_ptr<Scratch> MakeScratch() override { return S3Scratch("s3"); }
  std::string SkipReason() const override { return "no test S3 server (LAKEPACK_TEST_S3 unset)"; }
  std::string UriScheme() const override { return "s3://"; }
};

class FaultyS3StoreConformance : public S3StoreConformance {
 protected:
  std::unique_ptr<Scratch> MakeScratch() override { return S3Scratch("s3-faulty"); }
};

LAKEPACK_STORE_CONFORMANCE_TESTS(S3StoreConformance)
LAKEPACK_STORE_CONFORMANCE_TESTS(FaultyS3StoreConformance)

}  // namespace
}  // namespace lakepack::testing
