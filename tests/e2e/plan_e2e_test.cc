// `upgrade plan` and `upgrade graph` through the built binary on the real filesystem: what the
// operator sees, the exit codes of --detailed-exitcode, secrets kept out of every output, and
// clear errors for bad --var values.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/test_support.h"

namespace upgrade::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kPlan = R"(plan "e2e" {}

input root {}
input token {
  default   = env("E2E_TOKEN", "none")
  sensitive = true
}
input copies {
  type    = number
  default = 1
}

resource fs.file config { path = "${input.root}/app.conf" }
resource fs.file token {
  path      = "${input.root}/token"
  sensitive = true
}

step write "Write the configuration" {
  set config { content = "copies = ${input.copies}\n" }
}

step secret {
  after = [write]
  set token { content = input.token }
}
)";

class PlanE2eTest : public ::testing::Test {
 protected:
  PlanE2eTest() {
    WriteFile(dir_.Join("plan.upg"), kPlan);
    root_ = dir_.Join("root");
    RunCommand({"mkdir", "-p", root_});
  }

  CommandResult Plan(std::vector<std::string> extra) {
    std::vector<std::string> argv = {UpgradeBinary(), "plan", dir_.Join("plan.upg"),
                                     "--var", "root=" + root_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunCommand(argv, {{"E2E_TOKEN", "s3cr3t-value"}});
  }

  TempDir dir_;
  std::string root_;
};

TEST_F(PlanE2eTest, NewFilesArePlannedAsCreatesWithExitCodeTwo) {
  CommandResult result = Plan({"--detailed-exitcode"});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_THAT(result.out, HasSubstr("Step 1/2: write \"Write the configuration\"\n"));
  EXPECT_THAT(result.out, HasSubstr("Step 2/2: secret (after write)\n"));
  EXPECT_THAT(result.out, HasSubstr("  + resource \"fs.file\" \"config\" {\n"));
  EXPECT_THAT(result.out, HasSubstr("= \"copies = 1\\n\""));
  EXPECT_THAT(result.out, HasSubstr("(sensitive value)"));
  EXPECT_THAT(result.out, HasSubstr("Plan: 2 to add, 0 to change, 0 to destroy, 0 to run, "
                                    "0 snapshots.\n"));
  EXPECT_THAT(result.out, HasSubstr("Rollback: 2 of 2 steps reversible\n"));
  EXPECT_THAT(result.out, Not(HasSubstr("s3cr3t")));
  // Planning touches nothing.
  EXPECT_EQ(RunCommand({"ls", "-A", root_}).out, "");
}

TEST_F(PlanE2eTest, WithoutDetailedExitcodeChangesExitZero) {
  EXPECT_EQ(Plan({}).exit_code, 0);
}

TEST_F(PlanE2eTest, FilesAlreadyRightMeanNoChangesAndExitZero) {
  WriteFile(root_ + "/app.conf", "copies = 1\n");
  WriteFile(root_ + "/token", "s3cr3t-value");
  CommandResult result = Plan({"--detailed-exitcode"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.out, "No changes. The systems already match the plan.\n");
}

TEST_F(PlanE2eTest, ChangedContentIsAnUpdateShowingOldAndNew) {
  WriteFile(root_ + "/app.conf", "copies = 1\n");
  WriteFile(root_ + "/token", "old-token-value");
  CommandResult result = Plan({"--detailed-exitcode", "--var", "copies=3"});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_THAT(result.out, HasSubstr("  # config will be updated in-place\n"));
  EXPECT_THAT(result.out, HasSubstr("\"copies = 1\\n\" -> \"copies = 3\\n\""));
  EXPECT_THAT(result.out, HasSubstr("  # token will be updated in-place\n"));
  EXPECT_THAT(result.out, Not(HasSubstr("old-token-value")));
  EXPECT_THAT(result.out, Not(HasSubstr("s3cr3t")));
  EXPECT_THAT(result.out, HasSubstr("Plan: 0 to add, 2 to change, 0 to destroy"));
}

TEST_F(PlanE2eTest, JsonHasActionsAndNoSecrets) {
  WriteFile(root_ + "/token", "old-token-value");
  CommandResult result = Plan({"--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, Not(HasSubstr("s3cr3t")));
  EXPECT_THAT(result.out, Not(HasSubstr("old-token-value")));
  nlohmann::json json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["format_version"], "1.0");
  ASSERT_EQ(json["resource_changes"].size(), 2u);
  EXPECT_EQ(json["resource_changes"][0]["address"], "config");
  EXPECT_EQ(json["resource_changes"][0]["change"]["actions"], nlohmann::json({"create"}));
  EXPECT_EQ(json["resource_changes"][1]["change"]["actions"], nlohmann::json({"update"}));
  EXPECT_EQ(json["variables"]["token"]["value"], "(sensitive value)");
  EXPECT_EQ(json["pins"].size(), 2u);
  EXPECT_TRUE(json["window"].is_null());
}

TEST_F(PlanE2eTest, OutSavesAPlanFileWithoutSecrets) {
  std::string out = dir_.Join("saved.plan");
  CommandResult result = Plan({"--out", out});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("Saved the plan to: " + out + "\n"));
  EXPECT_THAT(result.out, HasSubstr("upgrade apply " + out + "\n"));
  std::string saved = ReadFile(out);
  EXPECT_THAT(saved, HasSubstr("\"kind\": \"upgrade-plan\""));
  EXPECT_THAT(saved, Not(HasSubstr("s3cr3t")));
}

TEST_F(PlanE2eTest, VarWithoutEqualsIsAClearError) {
  CommandResult result = Plan({"--var", "copies"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_THAT(result.err, HasSubstr("error: --var needs NAME=VALUE, got 'copies'"));
}

TEST_F(PlanE2eTest, VarOfTheWrongTypeIsAClearError) {
  CommandResult result = Plan({"--var", "copies=many", "--detailed-exitcode"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err,
              HasSubstr("error: invalid value for input 'copies': expected a number, got \"many\""));
}

TEST_F(PlanE2eTest, UnknownVarIsAnErrorWithASuggestion) {
  CommandResult result = Plan({"--var", "copiez=2"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("unknown input 'copiez'"));
  EXPECT_THAT(result.err, HasSubstr("copies"));
}

TEST_F(PlanE2eTest, MissingRequiredInputIsAnError) {
  CommandResult result = RunCommand({UpgradeBinary(), "plan", dir_.Join("plan.upg")});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("input 'root' is required"));
}

TEST_F(PlanE2eTest, VarFileGivesInputs) {
  WriteFile(dir_.Join("vars"), "# inputs\nroot = \"" + root_ + "\"\ncopies = 5\n");
  CommandResult result = RunCommand({UpgradeBinary(), "plan", dir_.Join("plan.upg"),
                                     "--var-file", dir_.Join("vars")});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("\"copies = 5\\n\""));
}

TEST_F(PlanE2eTest, GraphPrintsTheStepsInDot) {
  CommandResult result = RunCommand({UpgradeBinary(), "graph", dir_.Join("plan.upg"), "--var",
                                     "root=" + root_});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "digraph steps {\n  rankdir = LR;\n  node [shape = box];\n"
            "  \"write\" [label = \"write\\nWrite the configuration\"];\n"
            "  \"secret\" [label = \"secret\"];\n"
            "  \"write\" -> \"secret\";\n}\n");
}

}  // namespace
}  // namespace upgrade::testing
