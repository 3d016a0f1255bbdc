// Dotted-path YAML edits: typed parsing, in-place scalar edits that keep comments and quoting,
// and re-emitting when keys are added or removed.
#include "providers/fs/yaml_edit.h"

#include <gtest/gtest.h>

namespace upgrade::fs {
namespace {

const char* kCompose = R"(# Production stack: edit with care
version: "3.8"
services:
  web:
    image: registry.local/web:v1   # pinned by upgrade
    ports: ["8080:8080", "9090:9090"]
    environment:
      PORT: "8080"
      DEBUG: 'false'
  db:
    image: postgres:15
    command: >
      postgres -c fsync=on
)";

Value Parse(const std::string& text) {
  Value document;
  std::string error;
  EXPECT_TRUE(ParseYamlDocument(text, &document, &error)) << error;
  return document;
}

YamlEditResult Edit(const std::string& text, std::map<std::string, Value> set,
                    std::vector<std::string> remove = {}) {
  return EditYamlText(text, YamlEdits{std::move(set), std::move(remove)});
}

TEST(YamlEditTest, ParsesScalarsWithTheirTypes) {
  Value document = Parse("a: 1\nb: \"1\"\nc: true\nd: 'true'\ne:\nf: 1.5\ng: yes\nh: [x, 2]\n");
  EXPECT_EQ(document.Get("a"), Value(1));
  EXPECT_EQ(document.Get("b"), Value("1"));
  EXPECT_EQ(document.Get("c"), Value(true));
  EXPECT_EQ(document.Get("d"), Value("true"));
  EXPECT_TRUE(document.Get("e").is_null());
  EXPECT_EQ(document.Get("f"), Value(1.5));
  EXPECT_EQ(document.Get("g"), Value("yes"));
  EXPECT_EQ(document.Get("h"), Value(Value::List{"x", 2}));
  EXPECT_EQ(Parse(""), Value(Value::Map{}));
}

TEST(YamlEditTest, ReportsSyntaxErrorsWithLineAndColumn) {
  Value document;
  std::string error;
  EXPECT_FALSE(ParseYamlDocument("a: [1, 2\nb: 3\n", &document, &error));
  EXPECT_EQ(error.rfind("yaml: line ", 0), 0u) << error;
}

TEST(YamlEditTest, ReplacesOneScalarAndKeepsEverythingElse) {
  YamlEditResult result = Edit(kCompose, {{"services.web.image", "registry.local/web:v2"}});
  ASSERT_EQ(result.error, "");
  EXPECT_TRUE(result.comments_kept);
  std::string expected = kCompose;
  expected.replace(expected.find("web:v1"), 6, "web:v2");
  EXPECT_EQ(result.text, expected);
}

TEST(YamlEditTest, KeepsQuotingStyleAndStringness) {
  YamlEditResult result = Edit(kCompose, {{"services.web.environment.PORT", "9000"},
                                          {"services.web.environment.DEBUG", "it's on"},
                                          {"version", "3.9"}});
  ASSERT_EQ(result.error, "");
  EXPECT_TRUE(result.comments_kept);
  EXPECT_NE(result.text.find("PORT: \"9000\"\n"), std::string::npos) << result.text;
  EXPECT_NE(result.text.find("DEBUG: 'it''s on'\n"), std::string::npos) << result.text;
  EXPECT_NE(result.text.find("version: \"3.9\"\n"), std::string::npos) << result.text;
  EXPECT_EQ(Parse(result.text).Get("services").Get("web").Get("environment").Get("PORT"),
            Value("9000"));
}

TEST(YamlEditTest, QuotesPlainStringsThatWouldReadAsOtherTypes) {
  YamlEditResult result = Edit("a: x  # note\nb: y\nc: z\n",
                               {{"a", "8080"}, {"b", "yes"}, {"c", 42}});
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.text, "a: \"8080\"  # note\nb: \"yes\"\nc: 42\n");
}

TEST(YamlEditTest, EditsInsideFlowSequencesAndByIndex) {
  YamlEditResult result = Edit(kCompose, {{"services.web.ports.1", "9191:9191"}});
  ASSERT_EQ(result.error, "");
  EXPECT_TRUE(result.comments_kept);
  EXPECT_NE(result.text.find("ports: [\"8080:8080\", \"9191:9191\"]"), std::string::npos)
      << result.text;
  YamlEditResult block = Edit("list:\n  - a   # first\n  - b\n", {{"list.0", "c"}});
  EXPECT_EQ(block.text, "list:\n  - c   # first\n  - b\n");
}

TEST(YamlEditTest, HandlesTextBeforeTheScalarThatIsNotAscii) {
  YamlEditResult result = Edit("name: \xc3\xa9t\xc3\xa9  # \xe2\x82\xac\nimage: a:1\n",
                               {{"image", "a:2"}});
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.text, "name: \xc3\xa9t\xc3\xa9  # \xe2\x82\xac\nimage: a:2\n");
}

TEST(YamlEditTest, ReemitsWhenKeysAreAddedOrDeletedKeepingOrderAndValues) {
  YamlEditResult result = Edit(kCompose, {{"services.web.restart", "always"}},
                               {"services.db.command"});
  ASSERT_EQ(result.error, "");
  EXPECT_FALSE(result.comments_kept);
  Value document = Parse(result.text);
  EXPECT_EQ(document.Get("services").Get("web").Get("restart"), Value("always"));
  EXPECT_TRUE(document.Get("services").Get("db").Get("command").is_null());
  EXPECT_EQ(document.Get("services").Get("web").Get("environment").Get("PORT"), Value("8080"));
  EXPECT_EQ(document.Get("version"), Value("3.8"));
  EXPECT_LT(result.text.find("version"), result.text.find("services"));
  EXPECT_LT(result.text.find("web:"), result.text.find("db:"));
}

TEST(YamlEditTest, ReplacesBlockScalarsByReemitting) {
  YamlEditResult result = Edit(kCompose, {{"services.db.command", "postgres"}});
  ASSERT_EQ(result.error, "");
  EXPECT_FALSE(result.comments_kept);
  EXPECT_EQ(Parse(result.text).Get("services").Get("db").Get("command"), Value("postgres"));
}

TEST(YamlEditTest, RefusesPathsThroughScalars) {
  Value document = Parse(kCompose), result;
  std::string error;
  EXPECT_FALSE(ApplyYamlEdits(document, YamlEdits{{{"version.major", 3}}, {}}, &result, &error));
  EXPECT_EQ(error, "version.major: version is a string, not a map");
  EXPECT_FALSE(
      ApplyYamlEdits(document, YamlEdits{{{"services.web.ports.5", "x"}}, {}}, &result, &error));
  EXPECT_EQ(error, "services.web.ports.5: index 5 is past the end of the list");
}

TEST(YamlEditTest, SetsNestedMapsAndListsAsValues) {
  YamlEditResult result =
      Edit("a: 1\n", {{"b.c", Value(Value::Map{{"d", Value(Value::List{1, "2"})}})}});
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(Parse(result.text).Get("b").Get("c").Get("d"), Value(Value::List{1, "2"}));
  EXPECT_EQ(YamlValueAt(Parse(result.text), "b.c.d.1"), Value("2"));
  EXPECT_TRUE(YamlValueAt(Parse(result.text), "b.x").is_null());
}

TEST(YamlEditTest, RefusesStreamsOfSeveralDocuments) {
  Value document;
  std::string error;
  EXPECT_FALSE(ParseYamlDocument("a: 1\n---\nb: 2\n", &document, &error));
  EXPECT_EQ(error, "yaml: files with several documents are not supported");
  EXPECT_EQ(Edit("a: 1\n---\nb: 2\n", {{"a", 2}}).error,
            "yaml: files with several documents are not supported");
}

TEST(YamlEditTest, EditsDocumentsWhoseRootIsAList) {
  YamlEditResult result = Edit("- a\n- b\n", {{"1", "c"}});
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.text, "- a\n- c\n");
}

}  // namespace
}  // namespace upgrade::fs
