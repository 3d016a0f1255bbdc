// End-to-end tests of `upgrade validate` and `upgrade fmt` through the built binary: exit codes,
// the exact text on standard output and error, and the files left behind.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>

#include "tests/support/test_support.h"

namespace upgrade::testing {
namespace {

const char* kValidPlan =
    "plan \"ok\" {\n"
    "  description = \"write a file\"\n"
    "}\n"
    "\n"
    "input greeting { default = \"hello\" }\n"
    "\n"
    "resource fs.file note { path = \"/tmp/upgrade-e2e-note.txt\" }\n"
    "\n"
    "step write {\n"
    "  set note { content = input.greeting }\n"
    "}\n";

CommandResult Upgrade(const TempDir& dir, const std::vector<std::string>& args,
                      const std::string& input = "") {
  std::vector<std::string> argv = {UpgradeBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, {{"NO_COLOR", "1"}}, input, dir.path());
}

TEST(ValidateCommandTest, ValidPlanExitsZero) {
  TempDir dir;
  WriteFile(dir.Join("ok.upg"), kValidPlan);
  CommandResult result = Upgrade(dir, {"validate", "ok.upg"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "ok.upg: valid\n");
  EXPECT_EQ(result.err, "");
}

TEST(ValidateCommandTest, WarningsDoNotFail) {
  TempDir dir;
  WriteFile(dir.Join("warn.upg"), std::string(kValidPlan) + "\ninput spare {}\n");
  CommandResult result = Upgrade(dir, {"validate", "warn.upg"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, "warn.upg: valid, 1 warning\n");
  EXPECT_EQ(result.err,
            "warn.upg:13:7: warning: input 'spare' is never used\n"
            "input spare {}\n"
            "      ^~~~~\n");
}

TEST(ValidateCommandTest, ErrorsPointIntoTheFileAndExitOne) {
  TempDir dir;
  WriteFile(dir.Join("ok.upg"), kValidPlan);
  std::string bad = kValidPlan;
  bad.replace(bad.find("fs.file"), 7, "fs.fil");
  bad.replace(bad.find("input.greeting"), 14, "input.greting");
  WriteFile(dir.Join("bad.upg"), bad);
  CommandResult result = Upgrade(dir, {"validate", "ok.upg", "bad.upg"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "ok.upg: valid\nbad.upg: 2 errors, 1 warning\n");
  EXPECT_EQ(result.err,
            "bad.upg:7:10: error: unknown resource type 'fs.fil', did you mean 'fs.file'?\n"
            "resource fs.fil note { path = \"/tmp/upgrade-e2e-note.txt\" }\n"
            "         ^~~~~~\n"
            "bad.upg:10:24: error: unknown input 'greting', did you mean 'greeting'?\n"
            "  set note { content = input.greting }\n"
            "                       ^~~~~~~~~~~~~\n"
            "bad.upg:5:7: warning: input 'greeting' is never used\n"
            "input greeting { default = \"hello\" }\n"
            "      ^~~~~~~~\n");
}

TEST(ValidateCommandTest, MissingFileIsAnError) {
  TempDir dir;
  CommandResult result = Upgrade(dir, {"validate", "nowhere.upg"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "nowhere.upg: error: cannot read plan file: No such file or directory\n");
}

TEST(ValidateCommandTest, ADirectoryIsNotAPlanFile) {
  TempDir dir;
  std::filesystem::create_directories(dir.Join("plans.upg"));
  for (const char* command : {"validate", "plan"}) {
    CommandResult result = Upgrade(dir, {command, "plans.upg"});
    EXPECT_EQ(result.exit_code, 1) << command;
    EXPECT_EQ(result.err, "plans.upg: error: cannot read plan file: Is a directory\n")
        << command;
  }
}

TEST(ValidateCommandTest, JsonForEditorsAndCi) {
  TempDir dir;
  WriteFile(dir.Join("bad.upg"), "plan \"x\" {}\n\nstep s {\n  after = [nope]\n  require true\n}\n");
  CommandResult result = Upgrade(dir, {"validate", "--json", "bad.upg"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "");
  nlohmann::json out = nlohmann::json::parse(result.out);
  EXPECT_EQ(out["valid"], false);
  EXPECT_EQ(out["error_count"], 1);
  EXPECT_EQ(out["warning_count"], 0);
  ASSERT_EQ(out["files"].size(), 1u);
  EXPECT_EQ(out["files"][0]["path"], "bad.upg");
  EXPECT_EQ(out["files"][0]["valid"], false);
  ASSERT_EQ(out["diagnostics"].size(), 1u);
  const auto& diagnostic = out["diagnostics"][0];
  EXPECT_EQ(diagnostic["severity"], "error");
  EXPECT_EQ(diagnostic["path"], "bad.upg");
  EXPECT_EQ(diagnostic["line"], 4);
  EXPECT_EQ(diagnostic["column"], 12);
  EXPECT_EQ(diagnostic["end_column"], 16);
  EXPECT_EQ(diagnostic["message"], "unknown step 'nope' in after");
  EXPECT_TRUE(diagnostic["notes"].empty());
}

const char* kMessy =
    "plan \"p\"{description=\"d\"}\n"
    "resource fs.file f {path=\"/tmp/x\"}   # the file\n"
    "step s {set f {content=\"c\"}}\n";
const char* kTidy =
    "plan \"p\" { description = \"d\" }\n"
    "resource fs.file f { path = \"/tmp/x\" } # the file\n"
    "step s {\n"
    "  set f { content = \"c\" }\n"
    "}\n";

TEST(FmtCommandTest, RewritesFilesAndNamesThem) {
  TempDir dir;
  WriteFile(dir.Join("p.upg"), kMessy);
  CommandResult result = Upgrade(dir, {"fmt", "p.upg"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "p.upg\n");
  EXPECT_EQ(ReadFile(dir.Join("p.upg")), kTidy);
  result = Upgrade(dir, {"fmt", "p.upg"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, "");
}

TEST(FmtCommandTest, CheckChangesNothingAndFails) {
  TempDir dir;
  WriteFile(dir.Join("messy.upg"), kMessy);
  WriteFile(dir.Join("tidy.upg"), kTidy);
  CommandResult result = Upgrade(dir, {"fmt", "--check", "messy.upg", "tidy.upg"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "messy.upg\n");
  EXPECT_EQ(ReadFile(dir.Join("messy.upg")), kMessy);
  result = Upgrade(dir, {"fmt", "--check", "tidy.upg"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, "");
}

TEST(FmtCommandTest, DiffShowsTheChanges) {
  TempDir dir;
  WriteFile(dir.Join("p.upg"), kMessy);
  CommandResult result = Upgrade(dir, {"fmt", "--check", "--diff", "p.upg"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out,
            "p.upg\n"
            "--- a/p.upg\n"
            "+++ b/p.upg\n"
            "@@ -1,3 +1,5 @@\n"
            "-plan \"p\"{description=\"d\"}\n"
            "-resource fs.file f {path=\"/tmp/x\"}   # the file\n"
            "-step s {set f {content=\"c\"}}\n"
            "+plan \"p\" { description = \"d\" }\n"
            "+resource fs.file f { path = \"/tmp/x\" } # the file\n"
            "+step s {\n"
            "+  set f { content = \"c\" }\n"
            "+}\n");
}

TEST(FmtCommandTest, SyntaxErrorLeavesTheFileAlone) {
  TempDir dir;
  WriteFile(dir.Join("bad.upg"), "step s {\n  set f {content=}\n}\n");
  CommandResult result = Upgrade(dir, {"fmt", "bad.upg"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err,
            "bad.upg:2:18: error: expected an expression\n"
            "  set f {content=}\n"
            "                 ^\n");
  EXPECT_EQ(ReadFile(dir.Join("bad.upg")), "step s {\n  set f {content=}\n}\n");
}

TEST(FmtCommandTest, FoldersAndStandardInput) {
  TempDir dir;
  WriteFile(dir.Join("a.upg"), kTidy);
  std::string sub = dir.Join("plans");
  RunCommand({"mkdir", "-p", sub + "/deeper"});
  WriteFile(sub + "/deeper/b.upg", kMessy);
  WriteFile(sub + "/notes.txt", "not a plan {");
  CommandResult result = Upgrade(dir, {"fmt", "."});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "./plans/deeper/b.upg\n");
  EXPECT_EQ(ReadFile(sub + "/deeper/b.upg"), kTidy);
  result = Upgrade(dir, {"fmt", "-"}, kMessy);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, kTidy);
}

}  // namespace
}  // namespace upgrade::testing
