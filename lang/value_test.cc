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

TEST(ValueTest, AppendDisplayAppendsWhatToDisplayShows) {
  Value secret("s3cr3t");
  secret.MarkSensitive();
  std::string out = "before ";
  Value("q\"uote \\ nl\n tab\t cr\r ${x} $y \x01 h\xc3\xa9").AppendDisplay(out);
  EXPECT_EQ(out, "before \"q\\\"uote \\\\ nl\\n tab\\t cr\\r ${x} $y \x01 h\xc3\xa9\"");
  for (const Value& value :
       {Value("plain"), Value(""), Value(3.0), Value(2.5), Value(true), Value(),
        Value(Duration(90000)), Value(Value::List{Value("a\n"), Value(1.0)}),
        Value(Value::Map{{"k\"", Value("v")}}), secret}) {
    std::string appended = "before ";
    value.AppendDisplay(appended);
    EXPECT_EQ(appended, "before " + value.ToDisplay());
  }
  std::string list;
  Value(Value::List{Value("a\n"), Value(1.0), secret}).AppendDisplay(list);
  EXPECT_EQ(list, "[\"a\\n\", 1, (sensitive value)]");
}

}  // namespace
}  // namespace upgrade
