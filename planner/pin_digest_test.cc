// Tests of the pin of a state: the digest a saved plan is checked against.
#include "planner/plan.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "lang/value_json.h"

namespace upgrade::testing {
namespace {

/// Attributes with a nested map, a list and a secret.
Value Attributes() {
  Value secret("hunter2");
  secret.MarkSensitive();
  return Value(Value::Map{
      {"path", Value("/etc/app.conf")},
      {"size", Value(42.0)},
      {"nested", Value(Value::Map{{"b", Value(1.5)}, {"a", Value(Value::List{Value(true), Value()})}})},
      {"secret", secret},
  });
}

TEST(PinDigestTest, IsTheDigestOfTheStatesCanonicalJsonWithoutSensitivityMarks) {
  State state;
  state.exists = true;
  state.attributes = Attributes().as_map();
  Value unmarked = Attributes();
  unmarked.as_map()["secret"].MarkSensitive(false);
  nlohmann::json canonical = {{"exists", true},
                              {"attributes", ValueToJson(unmarked, SecretPolicy::kDigest)}};
  EXPECT_EQ(PinDigest(state), "sha256:" + Sha256Hex(canonical.dump()));
  State absent;
  EXPECT_EQ(PinDigest(absent),
            "sha256:" + Sha256Hex(R"({"attributes":{},"exists":false})"));
}

}  // namespace
}  // namespace upgrade::testing
