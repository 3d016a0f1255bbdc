// End-to-end tests of apply and rollback through the binary on the real file system: the tree
// comes back byte for byte, the quickstart plans `No changes.` after applying, a missing
// terminal and bad flags are refused, and secrets never reach state, journal or log.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/e2e/engine_e2e_util.h"
#include "tests/support/test_support.h"

namespace upgrade::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kEditPlan = R"(plan "edit" {
  description = "change, delete, edit, create"
}
input root { type = "string" }
resource fs.file      existing { path = "${input.root}/etc/app.conf" }
resource fs.file      doomed   { path = "${input.root}/etc/old.conf" }
resource fs.yaml      compose  { path = "${input.root}/compose.yaml" }
resource fs.directory cache    { path = "${input.root}/cache" }
resource fs.file      fresh    { path = "${input.root}/cache/new.txt" }
step edit   { set existing { content = "port = 8080\n"  mode = "0600" } }
step remove { set doomed { absent = true } }
step yaml   { set compose { values = { "services.web.image" = "web:v2" } } }
step create { set cache { mode = "0700" } }
step fill {
  after = [create]
  set fresh { content = "hello\n" }
}
)";

class EngineApplyTest : public ::testing::Test {
 protected:
  EngineApplyTest() {
    root_ = dir_.Join("root");
    state_ = dir_.Join("state");
    plan_ = dir_.Join("edit.upg");
  }

  CommandResult Upgrade(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), UpgradeBinary());
    return RunCommand(args, {{"NO_COLOR", "1"}}, input);
  }

  void SeedTree() {
    std::filesystem::create_directories(root_ + "/etc");
    WriteFile(root_ + "/etc/app.conf", "port = 80\n");
    std::filesystem::permissions(root_ + "/etc/app.conf", std::filesystem::perms(0644));
    WriteFile(root_ + "/etc/old.conf", "legacy = true\n");
    std::filesystem::permissions(root_ + "/etc/old.conf", std::filesystem::perms(0600));
    WriteFile(root_ + "/compose.yaml",
              "# the stack\nservices:\n  web:\n    image: web:v1  # pinned\n    ports: [80]\n");
    WriteFile(plan_, kEditPlan);
  }

  TempDir dir_;
  std::string root_, state_, plan_;
};

TEST_F(EngineApplyTest, ApplyThenRollbackLeavesTheTreeByteIdentical) {
  SeedTree();
  auto before = TreeOf(root_);
  CommandResult apply =
      Upgrade({"apply", plan_, "--var", "root=" + root_, "--state", state_, "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_THAT(apply.out, HasSubstr("Apply complete! Run "));
  EXPECT_THAT(apply.out, HasSubstr("step fill: ok ("));
  EXPECT_EQ(ReadFile(root_ + "/etc/app.conf"), "port = 8080\n");
  EXPECT_FALSE(std::filesystem::exists(root_ + "/etc/old.conf"));
  EXPECT_THAT(ReadFile(root_ + "/compose.yaml"), HasSubstr("web:v2"));
  EXPECT_EQ(ReadFile(root_ + "/cache/new.txt"), "hello\n");
  EXPECT_NE(TreeOf(root_), before);

  CommandResult rollback = Upgrade({"rollback", "--state", state_, "--auto-approve"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  EXPECT_THAT(rollback.out, HasSubstr("Rollback: 5 to reverse.\n"));
  EXPECT_THAT(rollback.out, HasSubstr("Rollback complete! Run "));
  EXPECT_EQ(TreeOf(root_), before);

  CommandResult again = Upgrade({"rollback", "--state", state_, "--auto-approve"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_THAT(again.out, HasSubstr("was already rolled back; nothing to do.\n"));

  CommandResult history = Upgrade({"history", "--state", state_});
  EXPECT_EQ(history.exit_code, 0);
  EXPECT_THAT(history.out, HasSubstr("  rolled back  5 steps  "));
}

// An irreversible command refuses the rollback; --force puts back the rest and says, in its
// last words, in the journal and in history, that the run was rolled back only in part.
TEST_F(EngineApplyTest, AForcedRollbackNamesWhatItLeftAndEndsRolledBackInPart) {
  SeedTree();
  WriteFile(plan_, R"(plan "notify" {}
input root { type = "string" }
resource fs.file config { path = "${input.root}/etc/app.conf" }
step edit { set config { content = "port = 8080\n" } }
step notify {
  after = [edit]
  run exec.command { argv = ["true"] }
}
)");
  auto before = TreeOf(root_);
  ASSERT_EQ(Upgrade({"apply", plan_, "--var", "root=" + root_, "--state", state_,
                     "--auto-approve"}).exit_code, 0);
  CommandResult refused = Upgrade({"rollback", "--state", state_, "--auto-approve"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("step notify: run exec.command"));
  EXPECT_EQ(ReadFile(root_ + "/etc/app.conf"), "port = 8080\n");

  CommandResult forced = Upgrade({"rollback", "--state", state_, "--auto-approve", "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.out << forced.err;
  EXPECT_THAT(forced.out, HasSubstr("Rollback complete, except what --force left as the run "
                                    "left it:\n  step notify: run exec.command\nRun "));
  EXPECT_THAT(forced.out, HasSubstr(" was rolled back in part.\n"));
  EXPECT_THAT(forced.out, Not(HasSubstr("Rollback complete!")));
  EXPECT_EQ(TreeOf(root_), before);
  CommandResult history = Upgrade({"history", "--state", state_});
  EXPECT_THAT(history.out, HasSubstr("  rolled back in part  2 steps  "));
}

TEST_F(EngineApplyTest, ShowAndStateDescribeTheRun) {
  SeedTree();
  ASSERT_EQ(Upgrade({"apply", plan_, "--var", "root=" + root_, "--state", state_,
                     "--auto-approve"}).exit_code, 0);
  CommandResult show = Upgrade({"show", "--state", state_});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr(": succeeded\n"));
  EXPECT_THAT(show.out, HasSubstr("  plan:     " + plan_));
  EXPECT_THAT(show.out, HasSubstr("  fill"));
  EXPECT_THAT(show.out, HasSubstr("update fs.file existing"));
  EXPECT_THAT(show.out, HasSubstr("delete fs.file doomed"));
  CommandResult list = Upgrade({"state", "list", "--state", state_});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_THAT(list.out, HasSubstr("fs.file existing\n"));
  EXPECT_THAT(list.out, Not(HasSubstr("doomed")));  // deleted: no longer managed
  CommandResult state = Upgrade({"state", "show", "existing", "--state", state_});
  EXPECT_EQ(state.exit_code, 0) << state.err;
  EXPECT_THAT(state.out, HasSubstr("# fs.file existing\n"));
  EXPECT_THAT(state.out, HasSubstr("  mode = \"0600\"\n"));
  CommandResult missing = Upgrade({"state", "show", "nope", "--state", state_});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "error: no resource nope in " + state_ + "/state.json\n");
}

TEST_F(EngineApplyTest, QuickstartAppliesPlansNoChangesAndRollsBackToEmpty) {
  std::string quickstart = SourceDir() + "/examples/quickstart.upg";
  std::filesystem::create_directories(root_);
  std::vector<std::string> vars = {"--var", "root=" + root_, "--state", state_};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), vars.begin(), vars.end());
    return Upgrade(args);
  };
  CommandResult apply = with({"apply", quickstart, "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(ReadFile(root_ + "/data/seed.txt"), "seeded\n");
  CommandResult plan = with({"plan", quickstart});
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("No changes."));
  CommandResult rollback = Upgrade({"rollback", "--auto-approve", "--state", state_});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  EXPECT_TRUE(TreeOf(root_).empty()) << ::testing::PrintToString(TreeOf(root_));
}

TEST_F(EngineApplyTest, RelativePathsAreTakenFromThePlansDirectoryWhereverUpgradeRuns) {
  std::filesystem::create_directories(dir_.Join("plans"));
  std::filesystem::create_directories(dir_.Join("elsewhere"));
  WriteFile(dir_.Join("plans/site.upg"), R"(plan "site" {}
resource fs.file conf { path = "out/app.conf" }
step write { set conf { content = "port = 8080\n" } }
)");
  auto upgrade_in = [](const std::string& cwd, std::vector<std::string> args) {
    args.insert(args.begin(), UpgradeBinary());
    return RunCommand(args, {{"NO_COLOR", "1"}}, "", cwd);
  };
  CommandResult apply = upgrade_in(dir_.path(), {"apply", "plans/site.upg", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(ReadFile(dir_.Join("plans/out/app.conf")), "port = 8080\n");
  EXPECT_FALSE(std::filesystem::exists(dir_.Join("out")));

  CommandResult plan = upgrade_in(dir_.Join("elsewhere"), {"plan", "../plans/site.upg"});
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("No changes."));
  CommandResult rollback = upgrade_in(
      dir_.Join("elsewhere"), {"rollback", "--state", "../plans/.upgrade", "--auto-approve"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.Join("plans/out/app.conf")));
}

TEST_F(EngineApplyTest, NoTerminalWithoutAutoApproveIsRefused) {
  SeedTree();
  auto before = TreeOf(root_);
  CommandResult apply = Upgrade({"apply", plan_, "--var", "root=" + root_, "--state", state_},
                                "yes\n");
  EXPECT_EQ(apply.exit_code, 1);
  EXPECT_THAT(apply.err, HasSubstr("error: no terminal to ask for approval on; pass "
                                   "--auto-approve to proceed without asking\n"));
  EXPECT_EQ(TreeOf(root_), before);
  EXPECT_FALSE(std::filesystem::exists(state_ + "/runs"));
}

TEST_F(EngineApplyTest, BadFlagsAndBadVarsAreClearErrors) {
  SeedTree();
  CommandResult on_failure = Upgrade({"apply", plan_, "--var", "root=" + root_, "--state",
                                      state_, "--on-failure", "maybe", "--auto-approve"});
  EXPECT_EQ(on_failure.exit_code, 1);
  EXPECT_EQ(on_failure.err, "error: --on-failure must be rollback or stop, not \"maybe\"\n");
  CommandResult unknown = Upgrade({"apply", plan_, "--var", "root=" + root_, "--var",
                                   "roots=/x", "--state", state_, "--auto-approve"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("roots"));
  CommandResult no_equals = Upgrade({"apply", plan_, "--var", "root", "--state", state_,
                                     "--auto-approve"});
  EXPECT_EQ(no_equals.exit_code, 1);
  EXPECT_THAT(no_equals.err, HasSubstr("error"));
  CommandResult parallelism = Upgrade({"apply", plan_, "--parallelism", "0"});
  EXPECT_EQ(parallelism.exit_code, 1);
  EXPECT_THAT(parallelism.err, HasSubstr("--parallelism"));
  CommandResult reversals = Upgrade({"rollback", "--state", state_, "--parallelism", "0"});
  EXPECT_EQ(reversals.exit_code, 1);
  EXPECT_EQ(reversals.err,
            "error: --parallelism: Value 0 not in range 1 to 1000\n"
            "note: run 'upgrade rollback --help' for usage\n");
  CommandResult flag = Upgrade({"apply", plan_, "--no-such-flag"});
  EXPECT_EQ(flag.exit_code, 1);
  EXPECT_EQ(flag.err,
            "error: the following argument was not expected: --no-such-flag\n"
            "note: run 'upgrade apply --help' for usage\n");
  EXPECT_FALSE(std::filesystem::exists(state_ + "/runs"));
  EXPECT_EQ(ReadFile(root_ + "/etc/app.conf"), "port = 80\n");
}

TEST_F(EngineApplyTest, SecretsNeverReachStateJournalOrLog) {
  const std::string secret = "Tr0ub4dor-e2e-secret";
  WriteFile(plan_, R"(plan "secrets" {}
input root  { type = "string" }
input token { sensitive = true }
resource fs.file creds { path = "${input.root}/creds"  sensitive = true }
step write { set creds { content = "token=${input.token}\n"  mode = "0600" } }
step use {
  after = [write]
  run exec.command {
    argv = ["sh", "-c", "test -n \"$TOKEN\""]
    env  = { TOKEN = input.token }
    undo = ["true"]
  }
}
)");
  std::filesystem::create_directories(root_);
  CommandResult apply = Upgrade({"apply", plan_, "--var", "root=" + root_, "--var",
                                 "token=" + secret, "--state", state_, "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(ReadFile(root_ + "/creds"), "token=" + secret + "\n");
  EXPECT_THAT(apply.out + apply.err, Not(HasSubstr(secret)));
  std::string stored = AllBytesUnder(state_);
  EXPECT_THAT(stored, HasSubstr("\"type\":\"done\""));  // the journal is in there
  EXPECT_THAT(stored, Not(HasSubstr(secret)));
  // The undo of `use` carries the token in its environment: rollback takes it again.
  CommandResult rollback = Upgrade({"rollback", "--state", state_, "--auto-approve", "--var",
                                    "token=" + secret});
  EXPECT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  EXPECT_FALSE(std::filesystem::exists(root_ + "/creds"));
  EXPECT_THAT(AllBytesUnder(state_), Not(HasSubstr(secret)));
}

}  // namespace
}  // namespace upgrade::testing
