// Tests of the executor over FakeProvider: the exact order of provider calls, the parallelism
// bound, what happens after a failure (rollback order, stop, no new step), checks before and
// after a step, the window, stale plans, and secrets kept out of the journal.
#include "executor/executor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "executor/executor_test_support.h"
#include "tests/support/test_support.h"

namespace upgrade::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Contains;
using ::testing::UnorderedElementsAreArray;

std::vector<std::string> Types(const std::vector<JournalRecord>& records) {
  std::vector<std::string> types;
  for (const auto& record : records) types.push_back(record.type);
  return types;
}

// The calls after the stale-plan check, which reads every resource in parallel: its reads
// (`reads`, in any order) must come first.
std::vector<std::string> AfterStalePlanCheck(const std::vector<std::string>& calls,
                                             const std::vector<std::string>& reads) {
  size_t n = std::min(calls.size(), reads.size());
  EXPECT_THAT(std::vector<std::string>(calls.begin(), calls.begin() + n),
              UnorderedElementsAreArray(reads));
  return std::vector<std::string>(calls.begin() + n, calls.end());
}

/// Records what providers reported, with the step each report was told for.
class ProgressRecorder : public RunObserver {
 public:
  void StepProgress(const std::string& step, const std::string& text) override {
    std::lock_guard<std::mutex> guard(mutex_);
    reports_.push_back(step + ": " + text);
  }
  std::vector<std::string> reports() {
    std::lock_guard<std::mutex> guard(mutex_);
    return reports_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> reports_;
};

class ExecutorTest : public ::testing::Test {
 protected:
  ExecutorTest() : runner_(system_.registry), runtime_(*system_.fake) {}

  RunResult Run(TestPlan& builder, ExecutorOptions options = {}) {
    plan_ = builder.Build(*system_.fake, runtime_);
    Executor executor(plan_, runner_, runtime_, journal_, options);
    return executor.Apply("run1");
  }

  FakeProvider& fake() { return *system_.fake; }

  FakeSystem system_;
  FakeChangeRunner runner_;
  TestStepRuntime runtime_;
  MemoryJournal journal_;
  Plan plan_;
};

TEST_F(ExecutorTest, SuccessfulRunCallsProvidersInExactOrder) {
  fake().things["a"] = {{"value", Value("1")}};
  TestPlan plan;
  plan.Thing("a").Thing("b");
  plan.Step("s1").Set("a", {{"value", Value("2")}});
  plan.Step("s2", {"s1"}).Set("b", {{"value", Value("3")}}).Run("hello", "bye");
  RunResult result = Run(plan);
  EXPECT_EQ(result.status, RunStatus::kSucceeded) << result.error;
  EXPECT_THAT(AfterStalePlanCheck(fake().calls(), {"Read a", "Read b"}),
              ElementsAre("Read a", "Prepare a", "Apply a",         // s1
                          "Read b", "Prepare b", "Apply b",         // s2
                          "Prepare hello", "Run hello",             //
                          "Release a", "Release b", "Release hello"));
  EXPECT_EQ(fake().things["a"]["value"], Value("2"));
  EXPECT_EQ(fake().things["b"]["value"], Value("3"));
  EXPECT_THAT(Types(journal_.records()),
              ElementsAre("header", "run_begin", "step_begin", "intent", "prepared", "done",
                          "step_end", "step_begin", "intent", "prepared", "done", "intent",
                          "prepared", "done", "step_end", "released", "released", "released",
                          "run_end"));
  EXPECT_EQ(journal_.records().back().GetString("outcome"), "succeeded");
  EXPECT_EQ(result.states["b"].attributes["value"], Value("3"));
}

// The operator's Ctrl-C: the running step finishes, no other starts, the run stops as it
// stands, and a resume finishes it.
TEST_F(ExecutorTest, AnInterruptedRunFinishesTheRunningStepStopsAndResumes) {
  TestPlan plan;
  plan.Thing("a").Thing("b").Thing("c");
  plan.Step("s1").Set("a", {{"value", Value("1")}});
  plan.Step("s2").Set("b", {{"value", Value("2")}});
  plan.Step("s3", {"s1"}).Set("c", {{"value", Value("3")}});
  plan_ = plan.Build(fake(), runtime_);
  ExecutorOptions options;
  options.parallelism = 1;
  Executor executor(plan_, runner_, runtime_, journal_, options);
  fake().OnCall([&](const std::string& call) {
    if (call == "Prepare a") {
      EXPECT_EQ(executor.Interrupt(),
                "no new step starts; the running ones finish, then the run stops");
    }
  });
  RunResult result = executor.Apply("run1");
  EXPECT_EQ(result.status, RunStatus::kStopped);
  EXPECT_EQ(result.error, "interrupted: 2 of 3 steps did not run");
  EXPECT_EQ(fake().things["a"]["value"], Value("1"));  // s1 was running: it finished
  EXPECT_EQ(fake().things.count("b"), 0u);
  EXPECT_EQ(fake().things.count("c"), 0u);
  EXPECT_THAT(fake().calls(), Not(Contains("Release a")));  // nothing let go of: not done
  JournalRecord end = journal_.records().back();
  EXPECT_EQ(end.type, "run_end");
  EXPECT_EQ(end.GetString("outcome"), "stopped");
  EXPECT_EQ(end.text, "interrupted: 2 of 3 steps did not run");
  EXPECT_EQ(ViewJournal(journal_.records()).Status(), "stopped");

  fake().OnCall(nullptr);
  Executor resumed(plan_, runner_, runtime_, journal_, options);
  std::vector<JournalRecord> history = journal_.records();
  RunResult finished = resumed.Resume(history);
  EXPECT_EQ(finished.status, RunStatus::kSucceeded) << finished.error;
  EXPECT_EQ(fake().things["b"]["value"], Value("2"));
  EXPECT_EQ(fake().things["c"]["value"], Value("3"));
  std::vector<std::string> calls = fake().calls();
  EXPECT_EQ(std::count(calls.begin(), calls.end(), "Apply a"), 1);
}

TEST_F(ExecutorTest, AnInterruptDuringTheAutomaticRollbackLetsItFinish) {
  TestPlan plan;
  plan.Thing("a").Thing("b");
  plan.Step("s1").Set("a", {{"value", Value("1")}});
  plan.Step("s2", {"s1"}).Set("b", {{"value", Value("2")}});
  plan_ = plan.Build(fake(), runtime_);
  fake().FailOn("Apply", "b");
  Executor executor(plan_, runner_, runtime_, journal_);
  std::string told;
  fake().OnCall([&](const std::string& call) {
    if (call == "Reverse a") told = executor.Interrupt();
  });
  RunResult result = executor.Apply("run1");
  EXPECT_EQ(told, "the automatic rollback goes on");
  EXPECT_EQ(result.status, RunStatus::kRolledBack) << result.error;
  EXPECT_EQ(fake().things.count("a"), 0u);
}

TEST_F(ExecutorTest, AnInterruptAfterTheLastStepStartedChangesNothing) {
  TestPlan plan;
  plan.Thing("a").Thing("b");
  plan.Step("s1").Set("a", {{"value", Value("1")}});
  plan.Step("s2", {"s1"}).Set("b", {{"value", Value("2")}});
  plan_ = plan.Build(fake(), runtime_);
  Executor executor(plan_, runner_, runtime_, journal_);
  fake().OnCall([&](const std::string& call) {
    if (call == "Apply b") executor.Interrupt();
  });
  RunResult result = executor.Apply("run1");
  EXPECT_EQ(result.status, RunStatus::kSucceeded) << result.error;
  EXPECT_EQ(journal_.records().back().GetString("outcome"), "succeeded");
}

TEST_F(ExecutorTest, NothingIsReleasedOrJournaledForUndoRecordsThatKeepNothingAside) {
  fake().KeepNothingAsideFor("a");
  TestPlan plan;
  plan.Thing("a").Thing("b");
  plan.Step("s1").Set("a", {{"value", Value("2")}}).Set("b", {{"value", Value("3")}});
  RunResult result = Run(plan);
  EXPECT_EQ(result.status, RunStatus::kSucceeded) << result.error;
  EXPECT_THAT(fake().calls(), Not(Contains("Release a")));
  EXPECT_THAT(fake().calls(), Contains("Release b"));
  std::vector<std::string> released;
  for (const auto& record : journal_.records()) {
    if (record.type == "released") released.push_back(record.op);
  }
  EXPECT_THAT(released, ElementsAre("s1#1"));
}

// The journal's syncs as events among the provider's calls, each with the type of the last
// record written when it happened.
void NoteSyncs(MemoryJournal& journal, FakeProvider& fake) {
  journal.OnSync([&journal, &fake] { fake.Note("Sync after " + journal.records().back().type); });
}

TEST_F(ExecutorTest, UndoRecordIsSyncedBeforeAProviderChangesAnything) {
  fake().things["a"] = {{"value", Value("1")}};
  NoteSyncs(journal_, fake());
  TestPlan plan;
  plan.Thing("a");
  plan.Step("s1").Set("a", {{"value", Value("2")}});
  RunResult result = Run(plan);
  EXPECT_EQ(result.status, RunStatus::kSucceeded) << result.error;
  EXPECT_THAT(AfterStalePlanCheck(fake().calls(), {"Read a"}),
              ElementsAre("Read a", "Prepare a", "Sync after prepared", "Apply a", "Release a",
                          "Sync after run_end"));
}

TEST_F(ExecutorTest, ProviderThatDefersTheWriteAheadStagesWhileTheUndoRecordIsSynced) {
  fake().things["a"] = {{"value", Value("1")}};
  fake().DeferWriteAhead();
  NoteSyncs(journal_, fake());
  TestPlan plan;
  plan.Thing("a");
  plan.Step("s1").Set("a", {{"value", Value("2")}}).Run("hello");
  RunResult result = Run(plan);
  EXPECT_EQ(result.status, RunStatus::kSucceeded) << result.error;
  // Actions are not deferred: their undo record is synced before they run.
  EXPECT_THAT(AfterStalePlanCheck(fake().calls(), {"Read a"}),
              ElementsAre("Read a", "Prepare a", "Stage a", "Sync after prepared", "Apply a",
                          "Prepare hello", "Sync after prepared", "Run hello", "Release a",
                          "Sync after run_end"));
  EXPECT_EQ(fake().things["a"]["value"], Value("2"));
}

TEST_F(ExecutorTest, JournalThatCannotSyncStopsTheStepBeforeAnythingChanges) {
  fake().things["a"] = {{"value", Value("1")}};
  fake().DeferWriteAhead();
  journal_.FailSyncs("cannot write journal /j: Input/output error");
  TestPlan plan;
  plan.Thing("a");
  plan.Step("s1").Set("a", {{"value", Value("2")}});
  ExecutorOptions options;
  options.on_failure = OnFailure::kStop;
  RunResult result = Run(plan, options);
  EXPECT_EQ(result.status, RunStatus::kStopped);
  EXPECT_EQ(result.error, "cannot write journal /j: Input/output error");
  EXPECT_THAT(AfterStalePlanCheck(fake().calls(), {"Read a"}),
              ElementsAre("Read a", "Prepare a", "Stage a"));
  EXPECT_EQ(fake().things["a"]["value"], Value("1"));
}

TEST_F(ExecutorTest, UnchangedResourceIsNeitherPreparedNorApplied) {
  fake().things["a"] = {{"value", Value("1")}};
  TestPlan plan;
  plan.Thing("a");
  plan.Step("s1").Set("a", {{"value", Value("1")}});
  RunResult result = Run(plan);
  EXPECT_EQ(result.status, RunStatus::kSucceeded);
  EXPECT_THAT(fake().calls(), ElementsAre("Read a", "Read a"));
}

TEST_F(ExecutorTest, IndependentStepsRunInParallelUpToTheBound) {
  TestPlan plan;
  for (int i = 0; i < 8; ++i) {
    std::string name = "t" + std::to_string(i);
    plan.Thing(name).Step("s" + std::to_string(i)).Set(name, {{"value", Value("x")}});
  }
  fake().SetDelay(std::chrono::milliseconds(60));
  ExecutorOptions options;
  options.parallelism = 3;
  RunResult result = Run(plan, options);
  EXPECT_EQ(result.status, RunStatus::kSucceeded) << result.error;
  EXPECT_EQ(fake().max_concurrent(), 3);
  EXPECT_EQ(fake().things.size(), 8u);
}

TEST_F(ExecutorTest, ParallelismOneRunsStepsOneAtATime) {
  TestPlan plan;
  for (int i = 0; i < 4; ++i) {
    std::string name = "t" + std::to_string(i);
    plan.Thing(name).Step("s" + std::to_string(i)).Set(name, {{"value", Value("x")}});
  }
  fake().SetDelay(std::chrono::milliseconds(20));
  ExecutorOptions options;
  options.parallelism = 1;
  EXPECT_EQ(Run(plan, options).status, RunStatus::kSucceeded);
  EXPECT_EQ(fake().max_concurrent(), 1);
}

TEST_F(ExecutorTest, DependentStepWaitsForItsDependency) {
  TestPlan plan;
  plan.Thing("a").Thing("b");
  plan.Step("first").Set("a", {{"value", Value("1")}});
  plan.Step("second", {"first"}).Set("b", {{"value", Value("2")}});
  fake().SetDelay(std::chrono::milliseconds(30));
  ExecutorOptions options;
  options.parallelism = 4;
  EXPECT_EQ(Run(plan, options).status, RunStatus::kSucceeded);
  EXPECT_EQ(fake().max_concurrent(), 1);
}

TEST_F(ExecutorTest, FailureRollsBackInReverseOrder) {
  fake().things["a"] = {{"value", Value("a0")}};
  fake().things["b"] = {{"value", Value("b0")}};
  TestPlan plan;
  plan.Thing("a").Thing("b").Thing("c");
  plan.Step("s1").Set("a", {{"value", Value("a1")}});
  plan.Step("s2", {"s1"}).Set("b", {{"value", Value("b1")}}).Run("act", "unact");
  plan.Step("s3", {"s2"}).Set("c", {{"value", Value("c1")}});
  fake().FailOn("Apply", "c");
  RunResult result = Run(plan);
  EXPECT_EQ(result.status, RunStatus::kRolledBack);
  EXPECT_EQ(result.failed_step, "s3");
  EXPECT_EQ(result.error, "create fake.thing c: fake: injected failure of Apply c");
  EXPECT_THAT(AfterStalePlanCheck(fake().calls(), {"Read a", "Read b", "Read c"}),
              ElementsAre("Read a", "Prepare a", "Apply a",
                          "Read b", "Prepare b", "Apply b", "Prepare act", "Run act", "Read c",
                          "Prepare c", "Apply c",
                          // rollback: latest first, the failed (maybe partial) one included
                          "Reverse c", "ReverseRun act", "Reverse b", "Reverse a"));
  EXPECT_EQ(fake().things["a"]["value"], Value("a0"));
  EXPECT_EQ(fake().things["b"]["value"], Value("b0"));
  EXPECT_EQ(fake().things.count("c"), 0u);
  EXPECT_TRUE(fake().actions_run.empty());
  EXPECT_EQ(journal_.records().back().type, "rollback_end");
  EXPECT_EQ(journal_.records().back().GetString("outcome"), "rolled back");
}

TEST_F(ExecutorTest, OnFailureStopLeavesEverythingAsItIs) {
  TestPlan plan;
  plan.Thing("a").Thing("b");
  plan.OnFailure(OnFailure::kStop);
  plan.Step("s1").Set("a", {{"value", Value("1")}});
  plan.Step("s2", {"s1"}).Set("b", {{"value", Value("2")}});
  fake().FailOn("Apply", "b");
  RunResult result = Run(plan);
  EXPECT_EQ(result.status, RunStatus::kStopped);
  EXPECT_THAT(fake().calls(), Not(Contains(HasSubstr("Reverse"))));
  EXPECT_EQ(fake().things["a"]["value"], Value("1"));
  EXPECT_EQ(journal_.records().back().GetString("outcome"), "failed");
}

TEST_F(ExecutorTest, OptionOverridesThePlansOnFailure) {
  TestPlan plan;
  plan.Thing("a").Thing("b");
  plan.Step("s1").Set("a", {{"value", Value("1")}});
  plan.Step("s2", {"s1"}).Set("b", {{"value", Value("2")}});
  fake().FailOn("Apply", "b");
  ExecutorOptions options;
  options.on_failure = OnFailure::kStop;
  EXPECT_EQ(Run(plan, options).status, RunStatus::kStopped);
  EXPECT_EQ(fake().things.count("a"), 1u);
}

TEST_F(ExecutorTest, NoNewStepStartsAfterAFailureButRunningOnesFinish) {
  // Every Apply takes 150 ms: "fails" fails at 150 ms while "slow" (two changes) runs until
  // 300 ms, and "later" waits for a free worker that only "fails" would have given it.
  TestPlan plan;
  plan.Thing("a").Thing("b").Thing("b2").Thing("c");
  plan.Step("fails").Set("a", {{"value", Value("1")}});
  plan.Step("slow").Set("b", {{"value", Value("1")}}).Set("b2", {{"value", Value("1")}});
  plan.Step("later").Set("c", {{"value", Value("1")}});
  fake().FailOn("Apply", "a");
  fake().SetDelay(std::chrono::milliseconds(150));
  ExecutorOptions options;
  options.parallelism = 2;
  RunResult result = Run(plan, options);
  EXPECT_EQ(result.status, RunStatus::kRolledBack);
  std::vector<std::string> calls = fake().calls();
  EXPECT_THAT(calls, Contains("Apply b2"));        // was running: it finished
  EXPECT_THAT(calls, Contains("Reverse b2"));      // and was rolled back
  EXPECT_THAT(calls, Not(Contains("Prepare c")));  // never started
  EXPECT_EQ(fake().things.size(), 0u);
}

TEST_F(ExecutorTest, ProviderProgressIsToldAsTheProgressOfTheStepThatCalled) {
  TestPlan plan;
  plan.Thing("a").Thing("b");
  plan.Step("s1").Set("a", {{"value", Value("1")}});
  plan.Step("s2").Set("b", {{"value", Value("1")}}).Run("hello");
  ProgressRecorder recorder;
  runner_.SetStepProgressSink([&recorder](const std::string& step, const std::string& text) {
    recorder.StepProgress(step, text);
  });
  plan_ = plan.Build(*system_.fake, runtime_);
  ExecutorOptions options;
  options.parallelism = 2;
  Executor executor(plan_, runner_, runtime_, journal_, options, &recorder);
  ASSERT_EQ(executor.Apply("run1").status, RunStatus::kSucceeded);
  // Each report from the calling thread and one from a thread of the provider's own.
  EXPECT_THAT(recorder.reports(),
              UnorderedElementsAreArray({"s1: Apply a: started", "s1: Apply a: half",
                                         "s2: Apply b: started", "s2: Apply b: half",
                                         "s2: Run hello: started", "s2: Run hello: half"}));
}

TEST_F(ExecutorTest, RequireIsCheckedAgainRightBeforeTheStep) {
  TestPlan plan;
  plan.Thing("a").Thing("gate");
  plan.Step("s1").Set("a", {{"value", Value("1")}});
  plan.Step("s2", {"s1"})
      .Require("gate must be open",
               [this](const StateSource&) {
                 return fake().things.count("gate") > 0;
               })
      .Set("a", {{"value", Value("2")}});
  RunResult result = Run(plan);
  EXPECT_EQ(result.status, RunStatus::kRolledBack);
  EXPECT_EQ(result.error, "require \"gate must be open\" failed: condition was false");
  EXPECT_THAT(fake().calls(), Contains("Reverse a"));
  EXPECT_EQ(fake().things.count("a"), 0u);
}

TEST_F(ExecutorTest, VerifyIsRetriedUntilItHolds) {
  TestPlan plan;
  plan.Thing("a");
  int attempts = 0;
  plan.Step("s1")
      .Set("a", {{"value", Value("1")}})
      .Verify("third time lucky",
              [&attempts](const StateSource&) { return ++attempts >= 3; },
              Duration(60000), Duration(5000));
  std::vector<Duration> sleeps;
  ExecutorOptions options;
  options.sleep = [&sleeps](Duration d) { sleeps.push_back(d); };
  RunResult result = Run(plan, options);
  EXPECT_EQ(result.status, RunStatus::kSucceeded) << result.error;
  EXPECT_EQ(attempts, 3);
  EXPECT_THAT(sleeps, ElementsAre(Duration(5000), Duration(5000)));
}

TEST_F(ExecutorTest, VerifyThatNeverHoldsFailsTheStepAfterItsDeadline) {
  TestPlan plan;
  plan.Thing("a");
  plan.Step("s1")
      .Set("a", {{"value", Value("1")}})
      .Verify("never", [](const StateSource&) { return false; },
              Duration(20), Duration(10));
  RunResult result = Run(plan);
  EXPECT_EQ(result.status, RunStatus::kRolledBack);
  EXPECT_THAT(result.error, HasSubstr("verify \"never\" failed after"));
  EXPECT_EQ(fake().things.count("a"), 0u);
}

MaintenanceWindow SaturdayTwoToFour() {
  MaintenanceWindow window;
  window.text = "Sat 02:00-04:00 UTC";
  window.weekdays = {6};
  window.start_minute = 120;
  window.end_minute = 240;
  return window;
}

// 2026-11-21 is a Saturday.
std::chrono::system_clock::time_point At(int hour, int minute) {
  std::tm tm{};
  tm.tm_year = 2026 - 1900;
  tm.tm_mon = 10;
  tm.tm_mday = 21;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

TEST(WindowTest, InsideAndOutside) {
  MaintenanceWindow window = SaturdayTwoToFour();
  EXPECT_TRUE(InWindow(window, At(2, 0)));
  EXPECT_TRUE(InWindow(window, At(3, 59)));
  EXPECT_FALSE(InWindow(window, At(4, 0)));
  EXPECT_FALSE(InWindow(window, At(1, 59)));
  EXPECT_FALSE(InWindow(window, At(2, 30) + std::chrono::hours(24)));  // Sunday
  MaintenanceWindow overnight = window;
  overnight.start_minute = 23 * 60;
  overnight.end_minute = 60;
  EXPECT_TRUE(InWindow(overnight, At(23, 30)));
  EXPECT_TRUE(InWindow(overnight, At(0, 30) + std::chrono::hours(24)));  // Sunday, from Sat
  EXPECT_FALSE(InWindow(overnight, At(0, 30)));                           // from Friday
  MaintenanceWindow shifted = window;
  shifted.utc_offset_minutes = 120;  // 02:00-04:00 at +02:00 is 00:00-02:00 UTC
  EXPECT_TRUE(InWindow(shifted, At(0, 30)));
  EXPECT_FALSE(InWindow(shifted, At(2, 30)));
}

TEST_F(ExecutorTest, OutsideTheWindowNothingStarts) {
  TestPlan plan;
  plan.Thing("a").Window(SaturdayTwoToFour());
  plan.Step("s1").Set("a", {{"value", Value("1")}});
  ExecutorOptions options;
  options.now = [] { return At(5, 0); };
  RunResult result = Run(plan, options);
  EXPECT_EQ(result.status, RunStatus::kRefused);
  EXPECT_EQ(result.error,
            "the run cannot start outside the maintenance window Sat 02:00-04:00 UTC");
  EXPECT_TRUE(fake().calls().empty());
  EXPECT_TRUE(journal_.records().empty());
}

TEST_F(ExecutorTest, NoStepStartsAfterTheWindowCloses) {
  TestPlan plan;
  plan.Thing("a").Thing("b").Window(SaturdayTwoToFour());
  plan.Step("s1").Set("a", {{"value", Value("1")}});
  plan.Step("s2", {"s1"}).Set("b", {{"value", Value("1")}});
  ExecutorOptions options;
  auto now = At(3, 59);
  options.now = [&now] { return now; };
  options.parallelism = 1;
  // Close the window while s1 runs: the fake's Apply of a moves the clock on.
  plan_ = plan.Build(fake(), runtime_);
  struct ClockRunner : FakeChangeRunner {
    using FakeChangeRunner::FakeChangeRunner;
    std::chrono::system_clock::time_point* now = nullptr;
    ApplyResult Apply(const Operation& op, const Value& undo,
                      const WriteAhead& write_ahead) override {
      *now += std::chrono::minutes(5);
      return FakeChangeRunner::Apply(op, undo, write_ahead);
    }
  } runner(system_.registry);
  runner.now = &now;
  Executor executor(plan_, runner, runtime_, journal_, options);
  RunResult result = executor.Apply("run1");
  EXPECT_EQ(result.status, RunStatus::kRolledBack);
  EXPECT_EQ(result.error,
            "step s2 cannot start outside the maintenance window Sat 02:00-04:00 UTC");
  EXPECT_THAT(fake().calls(), Not(Contains("Apply b")));
  EXPECT_EQ(fake().things.count("a"), 0u);
}

TEST_F(ExecutorTest, StalePlanIsRefusedNamingTheResource) {
  fake().things["a"] = {{"value", Value("1")}};
  TestPlan plan;
  plan.Thing("a").Thing("b");
  plan.Step("s1").Set("a", {{"value", Value("2")}});
  plan_ = plan.Build(fake(), runtime_);
  fake().things["a"]["value"] = Value("changed behind our back");
  Executor executor(plan_, runner_, runtime_, journal_);
  RunResult result = executor.Apply("run1");
  EXPECT_EQ(result.status, RunStatus::kRefused);
  EXPECT_EQ(result.error,
            "the plan is stale: fake.thing a has changed since it was planned; run `upgrade "
            "plan` again");
  EXPECT_THAT(fake().calls(), UnorderedElementsAreArray({"Read a", "Read b"}));
}

TEST_F(ExecutorTest, IrreversibleActionWithoutSnapshotBlocksAutomaticRollback) {
  TestPlan plan;
  plan.Thing("a").Thing("b");
  plan.Step("s1").Set("a", {{"value", Value("1")}}).Run("drop-table");
  plan.Step("s2", {"s1"}).Set("b", {{"value", Value("1")}});
  fake().FailOn("Apply", "b");
  RunResult result = Run(plan);
  EXPECT_EQ(result.status, RunStatus::kStopped);
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_EQ(result.warnings[0],
            "cannot roll back automatically: irreversible and no snapshot covers it: step s1: "
            "run fake.action");
  EXPECT_THAT(fake().calls(), Not(Contains(HasSubstr("Reverse"))));
}

TEST_F(ExecutorTest, SnapshotCoveringAnIrreversibleActionIsRestoredOnRollback) {
  fake().things["db"] = {{"value", Value("rows")}};
  TestPlan plan;
  plan.Thing("db").Thing("b");
  plan.Step("backup").Snapshot("db");
  plan.Step("migrate", {"backup"}).Run("migrate-data");
  plan.Step("s3", {"migrate"}).Set("b", {{"value", Value("1")}});
  fake().FailOn("Apply", "b");
  RunResult result = Run(plan);
  EXPECT_EQ(result.status, RunStatus::kRolledBack) << result.error;
  std::vector<std::string> calls = fake().calls();
  std::vector<std::string> tail(calls.end() - 2, calls.end());
  EXPECT_THAT(tail, ElementsAre("Reverse b", "Restore db"));
  EXPECT_THAT(calls, Contains("Snapshot db"));
}

TEST_F(ExecutorTest, SecretsNeverReachTheJournal) {
  TestPlan plan;
  plan.Thing("a");
  plan.Step("s1").Set("a", {{"secret", Value("pa55w0rd-xyz").MarkSensitive()}});
  EXPECT_EQ(Run(plan).status, RunStatus::kSucceeded);
  for (const auto& record : journal_.records()) {
    EXPECT_THAT(JournalRecordToLine(record), Not(HasSubstr("pa55w0rd-xyz")));
  }
  EXPECT_EQ(fake().things["a"]["secret"], Value("pa55w0rd-xyz"));
}

}  // namespace
}  // namespace upgrade::testing
