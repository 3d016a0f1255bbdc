// Crash injection at every journal point: the journal "dies" at its Nth record (written, or
// lost with the write; on a power loss, with every record not synced yet), and then
// `apply --resume` or rollback works from what is on disk alone.
// Nothing may be lost and nothing done twice: every action runs exactly once in the end, and a
// rollback leaves every thing as it was before the run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "executor/executor.h"
#include "executor/executor_test_support.h"
#include "executor/rollback.h"
#include "tests/support/test_support.h"

namespace upgrade::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// s1 -> (s2, s3) -> s4, with changes and reversible actions.
TestPlan Diamond() {
  TestPlan plan;
  plan.Thing("a").Thing("b").Thing("c");
  plan.Step("s1").Set("a", {{"value", Value("a1")}});
  plan.Step("s2", {"s1"}).Set("b", {{"value", Value("b1")}}).Run("act", "unact");
  plan.Step("s3", {"s1"}).Set("c", {{"value", Value("c1")}});
  plan.Step("s4", {"s2", "s3"}).Run("final", "unfinal").Set("a", {{"value", Value("a2")}});
  return plan;
}

void Seed(FakeProvider& fake) { fake.things["a"] = {{"value", Value("a0")}}; }

// The number of records a full run of Diamond writes.
int FullRunRecords() {
  FakeSystem system;
  Seed(*system.fake);
  TestStepRuntime runtime(*system.fake);
  TestPlan builder = Diamond();
  Plan plan = builder.Build(*system.fake, runtime);
  FakeChangeRunner runner(system.registry);
  MemoryJournal journal;
  ExecutorOptions options;
  options.parallelism = 1;
  Executor executor(plan, runner, runtime, journal, options);
  EXPECT_EQ(executor.Apply("run1").status, RunStatus::kSucceeded);
  return static_cast<int>(journal.records().size());
}

struct CrashedRun {
  FakeSystem system;
  TestStepRuntime runtime{*system.fake};
  FakeChangeRunner runner{system.registry};
  Plan plan;
  TempDir dir;
  std::string path = dir.Join("journal.jsonl");
};

// Applies Diamond with a crash at record `n` (none when n is 0); false when the crash left no
// journal at all.
bool CrashAt(CrashedRun& run, int n, bool write_it, int parallelism,
             CrashKind kind = CrashKind::kKill) {
  Seed(*run.system.fake);
  TestPlan builder = Diamond();
  run.plan = builder.Build(*run.system.fake, run.runtime);
  FileJournal journal(run.path);
  if (n > 0) journal.CrashAt(n, write_it, kind);
  ExecutorOptions options;
  options.parallelism = parallelism;
  Executor executor(run.plan, run.runner, run.runtime, journal, options);
  if (n > 0) {
    EXPECT_THROW(executor.Apply("run1"), SimulatedCrash);
  } else {
    EXPECT_EQ(executor.Apply("run1").status, RunStatus::kSucceeded);
  }
  std::vector<JournalRecord> records;
  std::string error;
  return ReadJournal(run.path, &records, &error);
}

void ExpectFinal(FakeProvider& fake) {
  EXPECT_EQ(fake.things["a"]["value"], Value("a2"));
  EXPECT_EQ(fake.things["b"]["value"], Value("b1"));
  EXPECT_EQ(fake.things["c"]["value"], Value("c1"));
  EXPECT_THAT(fake.actions_run, ElementsAre("act", "final"));
}

void ExpectInitial(FakeProvider& fake) {
  EXPECT_EQ(fake.things.size(), 1u);
  EXPECT_EQ(fake.things["a"]["value"], Value("a0"));
  EXPECT_THAT(fake.actions_run, IsEmpty());
}

void RollBackFromDisk(CrashedRun& run, int parallelism = 1) {
  JournalView view = ViewJournal(ReadBack(run.path));
  RollbackPlan plan = PlanRollback(view, run.plan.resources);
  EXPECT_THAT(plan.irreversible, IsEmpty());
  FileJournal journal(run.path);
  RollbackOutcome outcome =
      ExecuteRollback(plan, run.runner, journal, nullptr, false, nullptr, parallelism);
  EXPECT_TRUE(outcome.ok) << outcome.error;
}

// Rolls back per `plan` into the journal on disk, crashing at its record `n` (written or lost).
void RollBackWithACrashAt(CrashedRun& run, const RollbackPlan& plan, int n, bool write_it,
                          CrashKind kind = CrashKind::kKill, int parallelism = 1) {
  FileJournal journal(run.path);
  journal.CrashAt(n, write_it, kind);
  EXPECT_THROW(ExecuteRollback(plan, run.runner, journal, nullptr, false, nullptr, parallelism),
               SimulatedCrash);
}

std::string Describe(int n, bool write_it, CrashKind kind) {
  return "crash at record " + std::to_string(n) + (write_it ? " (written)" : " (lost)") +
         (kind == CrashKind::kPowerLoss ? " by power loss" : "");
}

class CrashTest : public ::testing::TestWithParam<std::tuple<bool, int, CrashKind>> {};

TEST_P(CrashTest, ResumeAfterACrashAtEveryRecordFinishesTheRunExactlyOnce) {
  auto [write_it, parallelism, kind] = GetParam();
  int total = FullRunRecords();
  ASSERT_EQ(total, 35);
  for (int n = 1; n <= total; ++n) {
    SCOPED_TRACE(Describe(n, write_it, kind));
    CrashedRun run;
    if (!CrashAt(run, n, write_it, parallelism, kind)) {
      ExpectInitial(*run.system.fake);  // died before its first record: nothing happened
      continue;
    }
    FileJournal journal(run.path);
    ExecutorOptions options;
    options.parallelism = parallelism;
    Executor executor(run.plan, run.runner, run.runtime, journal, options);
    RunResult result = executor.Resume(ReadBack(run.path));
    if (result.status != RunStatus::kSucceeded) {
      EXPECT_EQ(result.error, "run run1 already succeeded; there is nothing to resume");
    }
    ExpectFinal(*run.system.fake);
    // What any attempt kept aside is let go of once the run succeeds, the crashed one's too.
    for (const OpStatus& op : ViewJournal(ReadBack(run.path)).ops) {
      if (op.done && op.reversible) {
        EXPECT_TRUE(op.released) << op.op;
      }
    }
    // And the resumed run still rolls back to exactly where it started.
    RollBackFromDisk(run);
    ExpectInitial(*run.system.fake);
  }
}

TEST_P(CrashTest, RollbackAfterACrashAtEveryRecordRestoresTheStart) {
  auto [write_it, parallelism, kind] = GetParam();
  int total = FullRunRecords();
  for (int n = 1; n <= total; ++n) {
    SCOPED_TRACE(Describe(n, write_it, kind));
    CrashedRun run;
    if (!CrashAt(run, n, write_it, parallelism, kind)) {
      ExpectInitial(*run.system.fake);  // nothing reached the disk: nothing was changed
      continue;
    }
    // What the crashed run did is not taken for a change made since by someone else.
    JournalView view = ViewJournal(ReadBack(run.path));
    RollbackPlan plan = PlanRollback(view, run.plan.resources);
    EXPECT_EQ(FindDrift(view, run.runner, &plan), "");
    EXPECT_THAT(plan.drifted, IsEmpty());
    RollBackFromDisk(run);
    ExpectInitial(*run.system.fake);
  }
}

INSTANTIATE_TEST_SUITE_P(
    KilledOrPowerLost, CrashTest,
    ::testing::Values(std::make_tuple(true, 1, CrashKind::kKill),
                      std::make_tuple(false, 1, CrashKind::kKill),
                      std::make_tuple(true, 3, CrashKind::kKill),
                      std::make_tuple(false, 3, CrashKind::kKill),
                      std::make_tuple(true, 1, CrashKind::kPowerLoss),
                      std::make_tuple(true, 3, CrashKind::kPowerLoss)));

// The records a rollback of a full run of Diamond appends, in order (one at a time).
std::vector<JournalRecord> RollbackRecords() {
  CrashedRun run;
  EXPECT_TRUE(CrashAt(run, 0, true, 1));
  RollbackPlan plan = PlanRollback(ViewJournal(ReadBack(run.path)), run.plan.resources);
  MemoryJournal journal;
  EXPECT_TRUE(ExecuteRollback(plan, run.runner, journal, nullptr, false).ok);
  return journal.records();
}

TEST(CrashTest, CrashDuringRollbackIsFinishedByRollingBackAgainRunningNoUndoTwice) {
  // A full run has 6 operations to reverse: rollback_begin, 6 x (intent, done), rollback_end.
  // A change's reverse_done is synced with the next record, an action's at once: after a power
  // loss the next rollback may reverse a change again (Reverse is idempotent), but it runs an
  // action's undo again only when the crash took that undo's own reverse_done.
  std::vector<JournalRecord> records = RollbackRecords();
  ASSERT_EQ(records.size(), 14u);
  for (CrashKind kind : {CrashKind::kKill, CrashKind::kPowerLoss}) {
    for (int n = 1; n <= 14; ++n) {
      bool write_it = kind == CrashKind::kPowerLoss || n % 2 == 0;
      SCOPED_TRACE(Describe(n, write_it, kind) + " of the rollback");
      CrashedRun run;
      ASSERT_TRUE(CrashAt(run, 0, true, 1));
      JournalView view = ViewJournal(ReadBack(run.path));
      RollbackPlan plan = PlanRollback(view, run.plan.resources);
      RollBackWithACrashAt(run, plan, n, write_it, kind);
      RollBackFromDisk(run);
      ExpectInitial(*run.system.fake);
      const JournalRecord& cut = records[static_cast<size_t>(n - 1)];
      bool cut_lost = kind == CrashKind::kPowerLoss || !write_it;
      std::vector<std::string> calls = run.system.fake->calls();
      for (const OpStatus& op : view.ops) {
        if (op.kind != "action") continue;
        bool lost_its_end = cut_lost && cut.type == "reverse_done" && cut.op == op.op;
        std::string label = op.undo.GetString("label");
        EXPECT_EQ(std::count(calls.begin(), calls.end(), "ReverseRun " + label),
                  lost_its_end ? 2 : 1)
            << label;
      }
    }
  }
}

TEST(CrashTest, ARollbackSyncsTheEndOfAnActionsUndoButNotOfAChangesReversal) {
  // rollback_begin, a reverse_intent per operation (6), the reverse_done of the 2 actions,
  // rollback_end: the 4 changes' reverse_done reach the disk with the records after them.
  CrashedRun run;
  ASSERT_TRUE(CrashAt(run, 0, true, 1));
  RollbackPlan plan = PlanRollback(ViewJournal(ReadBack(run.path)), run.plan.resources);
  FileJournal journal(run.path);
  ASSERT_TRUE(ExecuteRollback(plan, run.runner, journal, nullptr, false).ok);
  EXPECT_EQ(journal.syncs(), 1 + 6 + 2 + 1);
  ExpectInitial(*run.system.fake);
}

// The same with s2 and s3 applied at once, so that their operations are reversed at once:
// a crash cuts several reversals short together.
TEST(CrashTest, CrashDuringAParallelRollbackIsFinishedByRollingBackAgain) {
  {
    CrashedRun run;
    run.system.fake->SetDelay(std::chrono::milliseconds(5));
    ASSERT_TRUE(CrashAt(run, 0, true, 3));
    RollBackFromDisk(run, 3);
    ExpectInitial(*run.system.fake);
    ASSERT_EQ(run.system.fake->max_concurrent_reversals(), 2);
  }
  for (int n = 1; n <= 14; ++n) {
    SCOPED_TRACE("parallel rollback crash at record " + std::to_string(n));
    CrashedRun run;
    run.system.fake->SetDelay(std::chrono::milliseconds(5));
    ASSERT_TRUE(CrashAt(run, 0, true, 3));
    RollbackPlan plan = PlanRollback(ViewJournal(ReadBack(run.path)), run.plan.resources);
    RollBackWithACrashAt(run, plan, n, n % 2 == 0, CrashKind::kKill, 3);
    RollBackFromDisk(run, 3);
    ExpectInitial(*run.system.fake);
  }
}

TEST(CrashTest, AReversalCutShortIsNotTakenForAChangeMadeSinceTheRun) {
  // Records of the rollback: rollback_begin, then (reverse_intent, reverse_done) per operation.
  // Dropping a reverse_done leaves its operation reversed on the system but not in the journal:
  // the resource no longer matches the run's last state for it, which is the rollback's doing.
  for (int n = 3; n <= 13; n += 2) {
    SCOPED_TRACE("rollback crash at record " + std::to_string(n) + " (lost)");
    CrashedRun run;
    ASSERT_TRUE(CrashAt(run, 0, true, 1));
    RollbackPlan plan = PlanRollback(ViewJournal(ReadBack(run.path)), run.plan.resources);
    RollBackWithACrashAt(run, plan, n, false);
    JournalView view = ViewJournal(ReadBack(run.path));
    RollbackPlan again = PlanRollback(view, run.plan.resources);
    EXPECT_EQ(FindDrift(view, run.runner, &again), "");
    EXPECT_THAT(again.drifted, IsEmpty());
    EXPECT_THAT(RenderRollbackPlan(again, false), HasSubstr(" (a rollback began to reverse it)\n"));
    RollBackFromDisk(run);
    ExpectInitial(*run.system.fake);
  }
}

TEST(CrashTest, AChangeMadeAfterARollbackStoppedIsStillNamed) {
  CrashedRun run;
  ASSERT_TRUE(CrashAt(run, 0, true, 1));
  RollbackPlan plan = PlanRollback(ViewJournal(ReadBack(run.path)), run.plan.resources);
  RollBackWithACrashAt(run, plan, 3, true);  // the first reversal is done and recorded
  run.system.fake->things["c"]["value"] = Value("changed by hand");
  JournalView view = ViewJournal(ReadBack(run.path));
  RollbackPlan again = PlanRollback(view, run.plan.resources);
  EXPECT_EQ(FindDrift(view, run.runner, &again), "");
  EXPECT_THAT(again.drifted, ElementsAre("fake.thing c"));
}

TEST(ResumeTest, IrreversibleActionCutShortStopsTheResumeNamingIt) {
  FakeSystem system;
  TestStepRuntime runtime(*system.fake);
  TestPlan builder;
  builder.Thing("a");
  builder.Step("s1").Set("a", {{"value", Value("1")}}).Run("drop-table");
  Plan plan = builder.Build(*system.fake, runtime);
  FakeChangeRunner runner(system.registry);
  TempDir dir;
  std::string path = dir.Join("journal.jsonl");
  {
    // Records: header, run_begin, step_begin, intent, prepared, done, intent, prepared, then
    // the done of drop-table is lost: it ran, but the journal does not know.
    FileJournal journal(path);
    journal.CrashAt(9, false);
    Executor executor(plan, runner, runtime, journal);
    EXPECT_THROW(executor.Apply("run1"), SimulatedCrash);
  }
  EXPECT_THAT(system.fake->actions_run, ElementsAre("drop-table"));
  FileJournal journal(path);
  Executor executor(plan, runner, runtime, journal);
  RunResult result = executor.Resume(ReadBack(path));
  EXPECT_EQ(result.status, RunStatus::kStopped);
  EXPECT_EQ(result.error,
            "operation s1#1 (step s1: run fake.action) was cut short and cannot be reversed; "
            "check it by hand, then run `upgrade rollback --run run1`");
  EXPECT_THAT(system.fake->actions_run, ElementsAre("drop-table"));
}

}  // namespace
}  // namespace upgrade::testing
