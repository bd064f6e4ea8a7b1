// Runs the ObjectStore conformance suite against every store floe has.
#include "floe/common/clock.h"
#include "floe/io/fault_store.h"
#include "floe/io/local_store.h"
#include "floe/io/memory_store.h"
#include "support/temp_dir.h"
#include "unit/io/object_store_conformance.h"

namespace floe::testing {
namespace {

StoreUnderTest MakeLocal() {
  auto dir = std::make_shared<TempDir>("floe-local-store");
  auto store = LocalStore::Make(dir->path());
  if (!store.ok()) ADD_FAILURE() << store.status().ToString();
  return {std::shared_ptr<ObjectStore>(std::move(store).value()),
          "file://" + dir->path() + "/objects/", dir};
}

StoreUnderTest MakeMemory() {
  auto clock = std::make_shared<FakeClock>(1'700'000'000'000'000);
  auto store = std::make_shared<MemoryStore>(clock.get());
  return {store, "mem://bucket/prefix/", clock};
}

// The fault-injecting wrapper with no faults set must be transparent.
StoreUnderTest MakeFaultFree() {
  StoreUnderTest inner = MakeMemory();
  auto wrapper = std::make_shared<FaultInjectingStore>(inner.store.get(), 42);
  auto keep = std::make_shared<std::pair<StoreUnderTest, std::shared_ptr<void>>>(inner, nullptr);
  return {wrapper, inner.base, keep};
}

INSTANTIATE_TEST_SUITE_P(Stores, ObjectStoreConformanceTest,
                         ::testing::Values(StoreFactoryParam{"Local", MakeLocal},
                                           StoreFactoryParam{"Memory", MakeMemory},
                                           StoreFactoryParam{"FaultFree", MakeFaultFree}),
                         StoreParamName);

}  // namespace
}  // namespace floe::testing
