// Tests of values: display, sensitivity and JSON round trips.
#include "lang/value.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "lang/value_json.h"

namespace upgrade {
namespace {

TEST(ValueTest, DisplaysLikeThePlanLanguage) {
  EXPECT_EQ(Value("a\"b").ToDisplay(), "\"a\\\"b\"");
  EXPECT_EQ(Value(3).ToDisplay(), "3");
  EXPECT_EQ(Value(2.5).ToDisplay(), "2.5");
  EXPECT_EQ(Value(Duration(90000)).ToDisplay(), "1m30s");
  EXPECT_EQ(Value(Duration(500)).ToDisplay(), "500ms");
  EXPECT_EQ(Value(Value::List{1, "x"}).ToDisplay(), "[1, \"x\"]");
  EXPECT_EQ(Value(Value::Map{{"k", true}}).ToDisplay(), "{\"k\" = true}");
  EXPECT_EQ(Value(Unknown{}).ToDisplay(), "(known after apply)");
}

TEST(ValueTest, SensitiveValuesNeverDisplay) {
  Value secret("hunter2");
  secret.MarkSensitive();
  EXPECT_EQ(secret.ToDisplay(), "(sensitive value)");
  Value map(Value::Map{{"password", secret}});
  EXPECT_EQ(map.ToDisplay(), "{\"password\" = (sensitive value)}");
  EXPECT_TRUE(map.ContainsSensitive());
  EXPECT_EQ(secret, Value("hunter2"));
}

TEST(ValueJsonTest, RoundTripsEveryType) {
  Value original(Value::Map{{"n", 42}, {"s", "x"}, {"d", Duration(30000)}, {"b", false},
                            {"l", Value::List{nullptr, 1.5}}, {"u", Unknown{}}});
  Value decoded = ValueFromJson(ValueToJson(original, SecretPolicy::kDigest));
  EXPECT_EQ(decoded, original);
}

TEST(ValueJsonTest, SecretsAreDigestedOrRedactedNeverPlain) {
  Value secret("hunter2");
  secret.MarkSensitive();
  std::string stored = ValueToJson(secret, SecretPolicy::kDigest).dump();
  EXPECT_EQ(stored.find("hunter2"), std::string::npos);
  EXPECT_NE(stored.find("sha256:"), std::string::npos);
  EXPECT_EQ(ValueToJson(secret, SecretPolicy::kRedact).dump(), "\"(sensitive value)\"");
  EXPECT_TRUE(ValueFromJson(ValueToJson(secret, SecretPolicy::kDigest)).sensitive());
}

TEST(Sha256Test, MatchesKnownDigest) {
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace upgrade
