// FormatPlan: the canonical layout, comments kept, and fmt(fmt(x)) == fmt(x) over every golden
// input that parses; UnifiedDiff's hunks.
#include "lang/format.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "lang/loader.h"
#include "tests/support/test_support.h"

namespace upgrade {
namespace {

std::string Format(const std::string& text) {
  Diagnostics diagnostics;
  auto formatted = FormatPlan("test.upg", text, diagnostics);
  EXPECT_TRUE(formatted.has_value()) << text;
  return formatted.value_or("");
}

TEST(FormatTest, CanonicalLayout) {
  std::string input =
      "plan   \"p\"{description=\"d\"\nwindow=\"daily 01:00-03:00 UTC\"}\n"
      "input a\n"
      "resource fs.file f {path=\"/x\"   mode=420}\n\n\n\n"
      "step s \"title\" {after=[a,b]\nrequire  x==1&&!y \"msg\"\n"
      "set f[each.key]{content=\"c\"}\nverify http.get(\"u\").status==200{within=2m every=5s}}\n";
  std::string expected =
      "plan \"p\" {\n"
      "  description = \"d\"\n"
      "  window      = \"daily 01:00-03:00 UTC\"\n"
      "}\n"
      "input a\n"
      "resource fs.file f { path = \"/x\"  mode = 420 }\n"
      "\n"
      "step s \"title\" {\n"
      "  after = [a, b]\n"
      "  require x == 1 && !y \"msg\"\n"
      "  set f[each.key] { content = \"c\" }\n"
      "  verify http.get(\"u\").status == 200 { within = 2m  every = 5s }\n"
      "}\n";
  EXPECT_EQ(Format(input), expected);
  EXPECT_EQ(Format(expected), expected);
}

TEST(FormatTest, KeepsCommentsAndHeredocs) {
  std::string input =
      "# header\n\n"
      "step s { # trailing the brace\n"
      "    // own line\n"
      "  run postgres.sql {\n"
      "    sql = <<-EOT\n"
      "          select 1;\n"
      "            -- indented\n"
      "        EOT\n"
      "  database = db # after db\n"
      "  }\n"
      "  # before the end\n"
      "}\n"
      "# footer\n";
  std::string expected =
      "# header\n\n"
      "step s { # trailing the brace\n"
      "  // own line\n"
      "  run postgres.sql {\n"
      "    sql      = <<EOT\n"
      "      select 1;\n"
      "        -- indented\n"
      "    EOT\n"
      "    database = db # after db\n"
      "  }\n"
      "  # before the end\n"
      "}\n"
      "# footer\n";
  EXPECT_EQ(Format(input), expected);
  EXPECT_EQ(Format(expected), expected);
}

TEST(FormatTest, MultiLineListsAndMaps) {
  std::string input =
      "let l = [\n  1, # one\n  2\n]\nlet m = {\n  a = 1\n  \"b c\" = [1,2]\n}\n";
  std::string expected =
      "let l = [\n  1, # one\n  2,\n]\nlet m = {\n  a = 1\n  \"b c\" = [1, 2]\n}\n";
  EXPECT_EQ(Format(input), expected);
  EXPECT_EQ(Format(expected), expected);
}

TEST(FormatTest, SyntaxErrorsAreDiagnostics) {
  Diagnostics diagnostics;
  EXPECT_FALSE(FormatPlan("bad.upg", "step s {\n  apply x\n}\n", diagnostics).has_value());
  ASSERT_EQ(diagnostics.items().size(), 1u);
  EXPECT_EQ(diagnostics.items()[0].range.begin.line, 2);
}

TEST(FormatTest, IdempotentOverEveryGoldenInput) {
  int formatted_files = 0;
  for (const char* folder : {"tests/lang/ok", "tests/lang/fail", "examples", "stdlib-plans"}) {
    std::string dir = testing::SourceDir() + "/" + folder;
    if (!std::filesystem::exists(dir)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      if (entry.path().extension() != ".upg") continue;
      std::string text = testing::ReadFile(entry.path().string());
      Diagnostics diagnostics;
      auto once = FormatPlan(entry.path().string(), text, diagnostics);
      if (!once) continue;  // the syntax-error goldens
      auto twice = FormatPlan(entry.path().string(), *once, diagnostics);
      ASSERT_TRUE(twice.has_value()) << entry.path() << " formatted into:\n" << *once;
      EXPECT_EQ(*twice, *once) << entry.path();
      // Formatting keeps the meaning: the IR of both texts is the same.
      Diagnostics ignored;
      auto before = ParseProgram("x.upg", text, ignored);
      auto after = ParseProgram("x.upg", *once, ignored);
      EXPECT_EQ(before.has_value(), after.has_value()) << entry.path();
      if (before && after) {
        EXPECT_EQ(before->steps.size(), after->steps.size());
        for (std::size_t i = 0; i < before->lets.size() && i < after->lets.size(); ++i) {
          EXPECT_EQ(ExprToString(before->lets[i].value), ExprToString(after->lets[i].value));
        }
      }
      ++formatted_files;
    }
  }
  EXPECT_GT(formatted_files, 5);
}

TEST(FormatTest, UnifiedDiff) {
  EXPECT_EQ(UnifiedDiff("p.upg", "a\n", "a\n"), "");
  EXPECT_EQ(UnifiedDiff("p.upg", "1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\nfive\n6\n7\n8\n"),
            "--- a/p.upg\n+++ b/p.upg\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
  EXPECT_EQ(UnifiedDiff("p.upg", "a\n", "a\nb\n"), "--- a/p.upg\n+++ b/p.upg\n@@ -1,1 +1,2 @@\n a\n+b\n");
}

}  // namespace
}  // namespace upgrade
