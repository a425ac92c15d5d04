// The ObjectStore conformance suite (store_conformance.h) on the local-disk backend.
#include "store/store_conformance.h"

namespace lakepack::testing {
namespace {

class LocalStoreConformance : public StoreConformanceTest {
 protected:
  std::unique_ptr<Scratch> MakeScratch() override { return std::make_unique<Scratch>("local"); }
  std::string UriScheme() const override { return "file:///"; }
};

LAKEPACK_STORE_CONFORMANCE_TESTS(LocalStoreConformance)

}  // namespace
}  // namespace lakepack::testing
