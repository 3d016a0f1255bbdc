// End-to-end tests of what happens around a dying apply: kill -9 during a slow step, then
// `apply --resume` (taking over the dead holder's lock) finishes it, and rollback restores the
// start; Ctrl-C, which lets the running step (or reversal) finish and stops, and a second
// one, which stops at once; a live holder's lock refuses a second apply, naming it;
// force-unlock; and a saved plan refused as stale when a resource changed since it was made.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/e2e/engine_e2e_util.h"
#include "tests/support/test_support.h"

namespace upgrade::testing {
namespace {

using ::testing::HasSubstr;

constexpr const char* kSlowPlan = R"(plan "slow" {}
input root { type = "string" }
resource fs.file first  { path = "${input.root}/first.txt" }
resource fs.file last   { path = "${input.root}/last.txt" }
step write { set first { content = "one\n" } }
step slow {
  after = [write]
  run exec.command {
    argv = ["sh", "-c", "echo started >> ../starts.log; sleep 3; echo done > slow.txt"]
    cwd  = input.root
    undo = ["rm", "-f", "slow.txt"]
  }
}
step finish {
  after = [slow]
  set last { content = "two\n" }
}
)";

class EngineCrashTest : public ::testing::Test {
 protected:
  EngineCrashTest() {
    root_ = dir_.Join("root");
    state_ = dir_.Join("state");
    plan_ = dir_.Join("slow.upg");
    std::filesystem::create_directories(root_);
    WriteFile(plan_, kSlowPlan);
  }

  CommandResult Upgrade(std::vector<std::string> args) {
    args.insert(args.begin(), UpgradeBinary());
    return RunCommand(args, {{"NO_COLOR", "1"}});
  }

  // Starts an apply and waits until the slow command is under way (its undo is journaled).
  pid_t StartSlowApply() {
    pid_t pid = Spawn({UpgradeBinary(), "apply", plan_, "--var", "root=" + root_, "--state",
                       state_, "--auto-approve"},
                      dir_.Join("apply.log"));
    EXPECT_TRUE(WaitForJournalLine(state_, {"\"op\":\"slow#0\"", "\"type\":\"prepared\""}, 60))
        << ReadFile(dir_.Join("apply.log"));
    // The undo is journaled before the command starts: wait until the command itself runs.
    EXPECT_TRUE(WaitForText(dir_.Join("starts.log"), "started\n"));
    EXPECT_EQ(ReadFile(dir_.Join("starts.log")), "started\n");
    return pid;
  }

  // Waits up to 60 s until the file at `path` holds `text`; true when it does.
  static bool WaitForText(const std::string& path, const std::string& text) {
    for (int i = 0; i < 1200; ++i) {
      if (ReadFile(path).find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // Sends Ctrl-C's signal to the process group of `pid` and waits for it to end: its exit code
  // (128+N when a signal N ended it) and, in `*log`, what it printed into `log_file`.
  int InterruptAndWait(pid_t pid, const std::string& log_file, std::string* log) {
    kill(-pid, SIGINT);
    int status = 0;
    EXPECT_EQ(waitpid(pid, &status, 0), pid);
    *log = ReadFile(dir_.Join(log_file));
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  }

  void KillHard(pid_t pid) {
    kill(-pid, SIGKILL);  // the whole group: upgrade and the command it runs
    int status = 0;
    waitpid(pid, &status, 0);
  }

  TempDir dir_;
  std::string root_, state_, plan_;
};

TEST_F(EngineCrashTest, KillDuringASlowStepThenResumeThenRollback) {
  pid_t pid = StartSlowApply();
  KillHard(pid);
  EXPECT_EQ(ReadFile(root_ + "/first.txt"), "one\n");
  EXPECT_FALSE(std::filesystem::exists(root_ + "/last.txt"));

  CommandResult history = Upgrade({"history", "--state", state_});
  EXPECT_THAT(history.out, HasSubstr("  interrupted  "));

  CommandResult resume = Upgrade({"apply", "--resume", "--state", state_});
  ASSERT_EQ(resume.exit_code, 0) << resume.out << resume.err;
  EXPECT_THAT(resume.err, HasSubstr("note: took over the lock of "));
  EXPECT_THAT(resume.out, HasSubstr("reversed slow#0 (cut short) before retrying it"));
  EXPECT_THAT(resume.out, HasSubstr("Apply complete!"));
  EXPECT_EQ(ReadFile(root_ + "/slow.txt"), "done\n");
  EXPECT_EQ(ReadFile(root_ + "/last.txt"), "two\n");
  // Written once by the run, and once more only because it was cut short and retried.
  EXPECT_EQ(ReadFile(dir_.Join("starts.log")), "started\nstarted\n");

  CommandResult rollback = Upgrade({"rollback", "--state", state_, "--auto-approve"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  EXPECT_TRUE(TreeOf(root_).empty()) << ::testing::PrintToString(TreeOf(root_));
}

// Ctrl-C (SIGINT to upgrade's process group, which the commands it runs are not in): the slow
// step finishes, the next does not start, and the run stops to be resumed.
TEST_F(EngineCrashTest, CtrlCLetsTheRunningStepFinishThenStopsForAResume) {
  pid_t pid = StartSlowApply();
  std::string log;
  EXPECT_EQ(InterruptAndWait(pid, "apply.log", &log), 1) << log;
  EXPECT_THAT(log, HasSubstr("interrupt received: no new step starts; the running ones finish, "
                             "then the run stops (send it again to stop at once)\n"));
  EXPECT_THAT(log, HasSubstr("step slow: ok ("));
  EXPECT_THAT(log, HasSubstr("error: interrupted: 1 of 3 steps did not run\n"));
  EXPECT_THAT(log, HasSubstr(" stopped.\nTo resume it:    upgrade apply --resume --run "));
  EXPECT_EQ(ReadFile(root_ + "/slow.txt"), "done\n");
  EXPECT_FALSE(std::filesystem::exists(root_ + "/last.txt"));
  EXPECT_THAT(Upgrade({"history", "--state", state_}).out, HasSubstr("  stopped  "));

  CommandResult resume = Upgrade({"apply", "--resume", "--state", state_});
  ASSERT_EQ(resume.exit_code, 0) << resume.out << resume.err;
  EXPECT_EQ(ReadFile(root_ + "/last.txt"), "two\n");
  EXPECT_EQ(ReadFile(dir_.Join("starts.log")), "started\n");  // the slow step ran once
}

TEST_F(EngineCrashTest, ASecondCtrlCStopsAtOnce) {
  pid_t pid = StartSlowApply();
  kill(-pid, SIGINT);
  EXPECT_TRUE(WaitForText(dir_.Join("apply.log"), "interrupt received"));
  std::string log;
  EXPECT_EQ(InterruptAndWait(pid, "apply.log", &log), 128 + SIGINT) << log;
  EXPECT_THAT(log, HasSubstr("upgrade: stopping at once (the journal keeps what was done)\n"));
  EXPECT_THAT(Upgrade({"history", "--state", state_}).out, HasSubstr("  interrupted  "));
  CommandResult resume = Upgrade({"apply", "--resume", "--state", state_});
  ASSERT_EQ(resume.exit_code, 0) << resume.out << resume.err;
  EXPECT_EQ(ReadFile(root_ + "/last.txt"), "two\n");
}

// Ctrl-C during `upgrade rollback`: the reversal under way (a slow undo command) finishes, the
// next does not start, and rolling back again finishes the job.
TEST_F(EngineCrashTest, CtrlCDuringARollbackFinishesTheReversalAndStops) {
  WriteFile(plan_, R"(plan "slow-undo" {}
input root { type = "string" }
resource fs.file first { path = "${input.root}/first.txt" }
step write { set first { content = "one\n" } }
step mark {
  after = [write]
  run exec.command {
    argv = ["sh", "-c", "echo done > mark.txt"]
    cwd  = input.root
    undo = ["sh", "-c", "echo undoing >> ../undo.log; sleep 2; rm -f mark.txt"]
  }
}
)");
  ASSERT_EQ(Upgrade({"apply", plan_, "--var", "root=" + root_, "--state", state_,
                     "--auto-approve"}).exit_code, 0);
  pid_t pid = Spawn({UpgradeBinary(), "rollback", "--state", state_, "--auto-approve"},
                    dir_.Join("rollback.log"));
  EXPECT_TRUE(WaitForText(dir_.Join("undo.log"), "undoing\n"));
  std::string log;
  EXPECT_EQ(InterruptAndWait(pid, "rollback.log", &log), 1) << log;
  EXPECT_THAT(log, HasSubstr("interrupt received: the reversals under way finish, then the "
                             "rollback stops (send it again to stop at once)\n"));
  EXPECT_THAT(log, HasSubstr("error: interrupted: 1 of 2 rollback items not done\n"));
  EXPECT_THAT(log, HasSubstr("To finish it: upgrade rollback --run "));
  EXPECT_FALSE(std::filesystem::exists(root_ + "/mark.txt"));  // its undo ran to the end
  EXPECT_EQ(ReadFile(root_ + "/first.txt"), "one\n");           // the next was not begun
  EXPECT_THAT(Upgrade({"history", "--state", state_}).out, HasSubstr("  rollback interrupted  "));

  CommandResult again = Upgrade({"rollback", "--state", state_, "--auto-approve"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_TRUE(TreeOf(root_).empty()) << ::testing::PrintToString(TreeOf(root_));
  EXPECT_EQ(ReadFile(dir_.Join("undo.log")), "undoing\n");  // the undo ran once
}

TEST_F(EngineCrashTest, KillThenRollbackRestoresTheStart) {
  pid_t pid = StartSlowApply();
  KillHard(pid);
  CommandResult rollback = Upgrade({"rollback", "--state", state_, "--auto-approve"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  EXPECT_THAT(rollback.out, HasSubstr("(was cut short)"));
  EXPECT_TRUE(TreeOf(root_).empty()) << ::testing::PrintToString(TreeOf(root_));
}

TEST_F(EngineCrashTest, HeldLockRefusesASecondApplyNamingTheHolder) {
  pid_t pid = StartSlowApply();
  CommandResult second =
      Upgrade({"apply", plan_, "--var", "root=" + root_, "--state", state_, "--auto-approve"});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_THAT(second.err, HasSubstr("error: state " + state_ + " is locked by "));
  EXPECT_THAT(second.err, HasSubstr(", pid " + std::to_string(pid) + ", run "));
  CommandResult rollback = Upgrade({"rollback", "--state", state_, "--auto-approve"});
  EXPECT_EQ(rollback.exit_code, 1);
  EXPECT_THAT(rollback.err, HasSubstr("is locked by "));

  CommandResult unlock = Upgrade({"force-unlock", "--state", state_});
  EXPECT_EQ(unlock.exit_code, 0) << unlock.err;
  EXPECT_THAT(unlock.out, HasSubstr("Removed the lock of " + state_ + " held by "));
  EXPECT_THAT(unlock.out, HasSubstr(", pid " + std::to_string(pid)));
  KillHard(pid);
  CommandResult again = Upgrade({"force-unlock", "--state", state_});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.err, "error: state " + state_ + " is not locked\n");
}

TEST_F(EngineCrashTest, StaleSavedPlanIsRefusedNamingTheResource) {
  WriteFile(plan_, R"(plan "stale" {}
input root { type = "string" }
resource fs.file config { path = "${input.root}/app.conf" }
step write { set config { content = "new\n" } }
)");
  WriteFile(root_ + "/app.conf", "old\n");
  std::string saved = dir_.Join("saved.plan");
  CommandResult plan =
      Upgrade({"plan", plan_, "--var", "root=" + root_, "--state", state_, "--out", saved});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  WriteFile(root_ + "/app.conf", "changed by hand\n");
  CommandResult apply = Upgrade({"apply", saved, "--state", state_, "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1);
  EXPECT_THAT(apply.err, HasSubstr("config"));
  EXPECT_THAT(apply.err, HasSubstr("stale"));
  EXPECT_EQ(ReadFile(root_ + "/app.conf"), "changed by hand\n");
}

}  // namespace
}  // namespace upgrade::testing
