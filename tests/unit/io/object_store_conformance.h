#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "floe/io/object_store.h"

namespace floe::testing {

// One store under test: the store, a location prefix no other test uses, and whatever must stay
// alive while the store is used (temp folders, clocks).
struct StoreUnderTest {
  std::shared_ptr<ObjectStore> store;
  std::string base;  // e.g. "file:///tmp/x/" or "mem://bucket/run1/"; ends with '/'
  std::shared_ptr<void> keep_alive;
  // The store writes objects in place, so a reader may see one half written (s3rver does; S3
  // never does). Skips the test that checks for torn reads.
  bool torn_reads_possible = false;
};

struct StoreFactoryParam {
  std::string name;
  std::function<StoreUnderTest()> make;
};

// The conformance suite every ObjectStore must pass (object_store_conformance.cc). A new store
// joins with:
//   INSTANTIATE_TEST_SUITE_P(S3, ObjectStoreConformanceTest,
//                            ::testing::Values(StoreFactoryParam{"s3", MakeS3UnderTest}),
//                            StoreParamName);
class ObjectStoreConformanceTest : public ::testing::TestWithParam<StoreFactoryParam> {
 protected:
  void SetUp() override { under_test_ = GetParam().make(); }
  ObjectStore& store() { return *under_test_.store; }
  std::string Loc(const std::string& key) const { return under_test_.base + key; }

  StoreUnderTest under_test_;
};

inline std::string StoreParamName(const ::testing::TestParamInfo<StoreFactoryParam>& info) {
  return info.param.name;
}

}  // namespace floe::testing
