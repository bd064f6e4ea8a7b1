#include "floe/ingest/decoder.h"

#include <gtest/gtest.h>

namespace floe::ingest {
namespace {

TEST(DecodeBodyTest, OneObject) {
  auto r = DecodeBody("application/json", "", R"( {"type": "a", "n": [1, 2]} )", DecodeLimits{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->events.size(), 1u);
  EXPECT_EQ(r->events[0].json, R"({"type":"a","n":[1,2]})");
}

}  // namespace
}  // namespace floe::ingest
