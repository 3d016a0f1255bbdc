// Tests of the direct JSON writer: its text must be nlohmann's compact dump() byte for byte,
// since pins and secret digests hash it.
#include "lang/json_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "lang/value_json.h"

namespace upgrade::testing {
namespace {

std::string Written(const Value& value) {
  std::string out;
  JsonWriter(out).Digested(value);
  return out;
}

Value Sample() {
  Value secret("hunter2");
  secret.MarkSensitive();
  Value::Map nested{{"b", Value(1.5)}, {"a", Value(Value::List{Value(true), Value()})}};
  return Value(Value::Map{
      {"text", Value(std::string("q\"uote\\ tab\t nl\n cr\r bs\b ff\f ctl\x01 del\x7f /"))},
      {"utf8", Value("h\xc3\xa9llo \xe2\x82\xac")},
      {"int", Value(42.0)},
      {"negative", Value(-7.0)},
      {"fraction", Value(0.1)},
      {"big", Value(1e300)},
      {"wait", Value(Duration(1500))},
      {"later", Value(Unknown{})},
      {"secret", secret},
      {"nested", Value(nested)},
      {"", Value("")},
  });
}

TEST(JsonWriterTest, WritesWhatNlohmannDumpsByteForByte) {
  Value value = Sample();
  EXPECT_EQ(Written(value), ValueToJson(value, SecretPolicy::kDigest).dump());
}

TEST(JsonWriterTest, ASecretIsWrittenAsItsDigestOnly) {
  std::string text = Written(Sample());
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
  Value secret("hunter2");
  secret.MarkSensitive();
  EXPECT_EQ(SecretDigestOf(secret),
            ValueToJson(secret, SecretPolicy::kDigest)["$sensitive"].get<std::string>());
}

TEST(JsonWriterTest, MembersAndArraysAreSeparatedLikeCompactJson) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Member("a", 1);
  w.Key("b");
  w.BeginArray();
  w.BeginArray();
  w.EndArray();
  w.Null();
  w.BeginObject();
  w.EndObject();
  w.EndArray();
  w.Member("c", "x");
  w.EndObject();
  EXPECT_EQ(out, R"({"a":1,"b":[[],null,{}],"c":"x"})");
}

}  // namespace
}  // namespace upgrade::testing
