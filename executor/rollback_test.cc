// Tests of rollback planned from a journal: order (and what may be reversed at once), refusal of
// irreversible changes, drift.
#include "executor/rollback.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "executor/executor.h"
#include "executor/executor_test_support.h"

namespace upgrade::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class RollbackTest : public ::testing::Test {
 protected:
  RollbackTest() : runner_(system_.registry), runtime_(*system_.fake) {}

  void ApplyPlan(TestPlan& builder) {
    plan_ = builder.Build(*system_.fake, runtime_);
    Executor executor(plan_, runner_, runtime_, journal_);
    ASSERT_EQ(executor.Apply("run1").status, RunStatus::kSucceeded);
  }

  // s1 (a) and s2 (b) applied at once, then s3 (c) after both; each change takes 50 ms.
  void ApplyTwoAtOnceThenAThird() {
    TestPlan builder;
    builder.Thing("a").Thing("b").Thing("c");
    builder.Step("s1").Set("a", {{"value", Value("a1")}});
    builder.Step("s2").Set("b", {{"value", Value("b1")}});
    builder.Step("s3", {"s1", "s2"}).Set("c", {{"value", Value("c1")}});
    plan_ = builder.Build(*system_.fake, runtime_);
    system_.fake->SetDelay(std::chrono::milliseconds(50));
    ExecutorOptions options;
    options.parallelism = 2;
    Executor executor(plan_, runner_, runtime_, journal_, options);
    ASSERT_EQ(executor.Apply("run1").status, RunStatus::kSucceeded);
  }

  FakeSystem system_;
  FakeChangeRunner runner_;
  TestStepRuntime runtime_;
  MemoryJournal journal_;
  Plan plan_;
};

TEST_F(RollbackTest, SucceededRunIsReversedLatestFirst) {
  system_.fake->things["a"] = {{"value", Value("a0")}};
  TestPlan builder;
  builder.Thing("a").Thing("b");
  builder.Step("s1").Set("a", {{"value", Value("a1")}});
  builder.Step("s2", {"s1"}).Set("b", {{"value", Value("b1")}}).Run("act", "unact");
  ApplyPlan(builder);
  JournalView view = ViewJournal(journal_.records());
  RollbackPlan plan = PlanRollback(view, plan_.resources);
  EXPECT_EQ(RenderRollbackPlan(plan, false),
            "Rollback of run run1:\n"
            "  < reverse step s2: run fake.action\n"
            "  < reverse step s2: create fake.thing b\n"
            "  < reverse step s1: update fake.thing a\n"
            "Rollback: 3 to reverse.\n");
  EXPECT_EQ(FindDrift(view, runner_, &plan), "");
  EXPECT_TRUE(plan.drifted.empty());
  size_t before = system_.fake->calls().size();
  RollbackOutcome outcome = ExecuteRollback(plan, runner_, journal_, nullptr, false);
  ASSERT_TRUE(outcome.ok) << outcome.error;
  std::vector<std::string> calls = system_.fake->calls();
  EXPECT_THAT(std::vector<std::string>(calls.begin() + before, calls.end()),
              ElementsAre("ReverseRun act", "Reverse b", "Reverse a"));
  EXPECT_EQ(system_.fake->things["a"]["value"], Value("a0"));
  EXPECT_EQ(system_.fake->things.count("b"), 0u);
  EXPECT_EQ(ViewJournal(journal_.records()).Status(), "rolled back");
  // Rolling back again finds nothing left to do.
  EXPECT_TRUE(PlanRollback(ViewJournal(journal_.records()), plan_.resources).items.empty());
}

TEST_F(RollbackTest, ResourceChangedSinceTheRunIsNamed) {
  TestPlan builder;
  builder.Thing("a").Thing("b");
  builder.Step("s1").Set("a", {{"value", Value("a1")}}).Set("b", {{"value", Value("b1")}});
  ApplyPlan(builder);
  system_.fake->things["b"]["value"] = Value("edited by hand");
  JournalView view = ViewJournal(journal_.records());
  RollbackPlan plan = PlanRollback(view, plan_.resources);
  EXPECT_EQ(FindDrift(view, runner_, &plan), "");
  EXPECT_THAT(plan.drifted, ElementsAre("fake.thing b"));
  EXPECT_THAT(RenderRollbackPlan(plan, false),
              HasSubstr("  ~ changed fake.thing b changed since the run touched it\n"));
}

TEST_F(RollbackTest, AReversalThatCannotSucceedNowIsRefusedBeforeAnythingIsReversed) {
  system_.fake->things["a"] = {{"value", Value("a0")}};
  TestPlan builder;
  builder.Thing("a").Thing("b");
  builder.Step("s1").Set("a", {{"value", Value("a1")}});
  builder.Step("s2", {"s1"}).Set("b", {{"value", Value("b1")}});
  ApplyPlan(builder);
  system_.fake->FailOn("CheckReverse", "a");  // what its Reverse needs is gone
  RollbackPlan plan = PlanRollback(ViewJournal(journal_.records()), plan_.resources);
  CheckReversals(runner_, &plan);
  EXPECT_THAT(plan.unreversible,
              ElementsAre("step s1: update fake.thing a: fake: injected failure of "
                          "CheckReverse a"));
  EXPECT_EQ(RenderRollbackPlan(plan, false),
            "Rollback of run run1:\n"
            "  < reverse step s2: create fake.thing b\n"
            "  < reverse step s1: update fake.thing a\n"
            "  ! cannot reverse step s1: update fake.thing a: fake: injected failure of "
            "CheckReverse a\n"
            "Rollback: 2 to reverse, 1 that cannot be reversed now.\n");
  size_t before = system_.fake->calls().size();
  RollbackOutcome refused = ExecuteRollback(plan, runner_, journal_, nullptr, false);
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(refused.error, "cannot roll back run run1: step s1: update fake.thing a: fake: "
                           "injected failure of CheckReverse a");
  EXPECT_EQ(system_.fake->calls().size(), before);  // b was not reversed either
  EXPECT_EQ(system_.fake->things["b"]["value"], Value("b1"));
  // --force reverses the rest and leaves a as the run left it.
  RollbackOutcome forced = ExecuteRollback(plan, runner_, journal_, nullptr, true);
  ASSERT_TRUE(forced.ok) << forced.error;
  std::vector<std::string> calls = system_.fake->calls();
  EXPECT_THAT(std::vector<std::string>(calls.begin() + before, calls.end()),
              ElementsAre("Reverse b"));
  EXPECT_EQ(system_.fake->things.count("b"), 0u);
  EXPECT_EQ(system_.fake->things["a"]["value"], Value("a1"));
  EXPECT_THAT(forced.left_in_place,
              ElementsAre("step s1: update fake.thing a: fake: injected failure of "
                          "CheckReverse a"));
  EXPECT_EQ(ViewJournal(journal_.records()).Status(), "rolled back in part");
}

TEST_F(RollbackTest, SecretsCompareByDigestSoAnUnchangedSecretIsNoDrift) {
  TestPlan builder;
  builder.Thing("a");
  builder.Step("s1").Set("a", {{"secret", Value("topsecret").MarkSensitive()}});
  ApplyPlan(builder);
  JournalView view = ViewJournal(journal_.records());
  RollbackPlan plan = PlanRollback(view, plan_.resources);
  EXPECT_EQ(FindDrift(view, runner_, &plan), "");
  EXPECT_TRUE(plan.drifted.empty());
  system_.fake->things["a"]["secret"] = Value("rotated");
  plan.drifted.clear();
  EXPECT_EQ(FindDrift(view, runner_, &plan), "");
  EXPECT_THAT(plan.drifted, ElementsAre("fake.thing a"));
}

TEST_F(RollbackTest, IrreversibleChangeWithoutSnapshotIsRefusedNamingIt) {
  TestPlan builder;
  builder.Thing("a");
  builder.Step("s1").Set("a", {{"value", Value("1")}});
  builder.Step("s2", {"s1"}).Run("drop-table");
  ApplyPlan(builder);
  RollbackPlan plan = PlanRollback(ViewJournal(journal_.records()), plan_.resources);
  EXPECT_THAT(plan.irreversible, ElementsAre("step s2: run fake.action"));
  RollbackOutcome outcome = ExecuteRollback(plan, runner_, journal_, nullptr, false);
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.error,
            "cannot roll back run run1: irreversible and no snapshot covers it: step s2: run "
            "fake.action");
  EXPECT_EQ(system_.fake->things.count("a"), 1u);
  // --force reverses what it can and leaves the irreversible action in place.
  outcome = ExecuteRollback(plan, runner_, journal_, nullptr, true);
  EXPECT_TRUE(outcome.ok) << outcome.error;
  EXPECT_EQ(system_.fake->things.count("a"), 0u);
  EXPECT_THAT(system_.fake->actions_run, ElementsAre("drop-table"));
  // It ends "rolled back in part", naming what it left, and a resume is refused.
  EXPECT_THAT(outcome.left_in_place, ElementsAre("step s2: run fake.action"));
  JournalRecord end = journal_.records().back();
  EXPECT_EQ(end.type, "rollback_end");
  EXPECT_EQ(end.GetString("outcome"), "rolled back in part");
  EXPECT_EQ(end.Get("left_in_place"), Value(Value::List{Value("step s2: run fake.action")}));
  EXPECT_EQ(ViewJournal(journal_.records()).Status(), "rolled back in part");
  FakeSystem fresh;
  TestStepRuntime runtime(*fresh.fake);
  FakeChangeRunner runner(fresh.registry);
  Executor executor(plan_, runner, runtime, journal_);
  std::vector<JournalRecord> history = journal_.records();
  RunResult resumed = executor.Resume(history);
  EXPECT_EQ(resumed.error, "run run1 already rolled back in part; there is nothing to resume");
  EXPECT_TRUE(fresh.fake->calls().empty());
}

TEST_F(RollbackTest, FailedReverseStopsAndIsRetriedByRollingBackAgain) {
  TestPlan builder;
  builder.Thing("a").Thing("b");
  builder.Step("s1").Set("a", {{"value", Value("1")}});
  builder.Step("s2", {"s1"}).Set("b", {{"value", Value("1")}});
  ApplyPlan(builder);
  system_.fake->FailOn("Reverse", "a");
  RollbackPlan plan = PlanRollback(ViewJournal(journal_.records()), plan_.resources);
  RollbackOutcome outcome = ExecuteRollback(plan, runner_, journal_, nullptr, false);
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.error,
            "cannot reverse step s1: create fake.thing a: fake: injected failure of Reverse a");
  EXPECT_EQ(ViewJournal(journal_.records()).Status(), "rollback failed");
  // The second attempt only has `a` left.
  FakeSystem fresh;
  RollbackPlan again = PlanRollback(ViewJournal(journal_.records()), plan_.resources);
  ASSERT_EQ(again.items.size(), 1u);
  EXPECT_EQ(again.items[0].op.op, "s1#0");
}

// The operator's Ctrl-C during a rollback: the reversal under way finishes, no other starts,
// the run stays "rollback interrupted", and rolling back again finishes it.
TEST_F(RollbackTest, AnInterruptedRollbackFinishesItsReversalStopsAndIsFinishedLater) {
  TestPlan builder;
  builder.Thing("a").Thing("b");
  builder.Step("s1").Set("a", {{"value", Value("1")}});
  builder.Step("s2", {"s1"}).Set("b", {{"value", Value("1")}});
  ApplyPlan(builder);
  std::atomic<bool> stop{false};
  system_.fake->OnCall([&stop](const std::string& call) {
    if (call == "Reverse b") stop = true;
  });
  RollbackPlan plan = PlanRollback(ViewJournal(journal_.records()), plan_.resources);
  RollbackOutcome outcome = ExecuteRollback(plan, runner_, journal_, nullptr, false, &stop);
  EXPECT_FALSE(outcome.ok);
  EXPECT_TRUE(outcome.interrupted);
  EXPECT_EQ(outcome.error, "interrupted: 1 of 2 rollback items not done");
  EXPECT_EQ(system_.fake->things.count("b"), 0u);  // its reversal finished
  EXPECT_EQ(system_.fake->things.count("a"), 1u);  // and the next did not start
  EXPECT_EQ(journal_.records().back().type, "reverse_done");
  EXPECT_EQ(ViewJournal(journal_.records()).Status(), "rollback interrupted");

  system_.fake->OnCall(nullptr);
  RollbackPlan again = PlanRollback(ViewJournal(journal_.records()), plan_.resources);
  ASSERT_EQ(again.items.size(), 1u);
  EXPECT_TRUE(ExecuteRollback(again, runner_, journal_, nullptr, false).ok);
  EXPECT_EQ(system_.fake->things.count("a"), 0u);
  EXPECT_EQ(ViewJournal(journal_.records()).Status(), "rolled back");
}

// What may be reversed at once is read from the journal alone: an operation waits for those
// that began after it ended (a later step may have built on it) and for later changes of its
// resource; operations that ran at once do not wait for each other.
TEST(RollbackOrderTest, AnItemWaitsForWhatBeganAfterItEndedAndForItsResource) {
  JournalView view;
  auto ran = [&view](const std::string& name, const std::string& resource, size_t began,
                     size_t prepared, size_t ended) {
    OpStatus op;
    op.op = name + "#0";
    op.step = name;
    op.kind = "change";
    op.resource.name = resource;
    op.resource.type = "fake.thing";
    op.prepared = op.done = true;
    op.began_at = began;
    op.position = prepared;
    op.ended_at = ended;
    view.ops.push_back(op);
  };
  ran("x", "r1", 1, 2, 4);
  ran("y", "r2", 2, 3, 6);   // beside x
  ran("z", "r3", 7, 8, 9);   // after x and y ended
  ran("w", "r1", 8, 9, 10);  // beside z, and x's resource again
  RollbackPlan plan = PlanRollback(view, {});
  std::vector<std::string> steps;
  std::vector<size_t> starts_after;
  for (const RollbackItem& item : plan.items) {
    steps.push_back(item.op.step);
    starts_after.push_back(item.starts_after);
  }
  EXPECT_THAT(steps, ElementsAre("w", "z", "y", "x"));
  EXPECT_THAT(starts_after, ElementsAre(0u, 0u, 2u, 2u));
}

TEST_F(RollbackTest, OperationsThatRanAtOnceAreReversedAtOnceAfterWhatFollowedThem) {
  ASSERT_NO_FATAL_FAILURE(ApplyTwoAtOnceThenAThird());
  ASSERT_EQ(system_.fake->max_concurrent(), 2);  // s1 and s2 ran at once

  RollbackPlan plan = PlanRollback(ViewJournal(journal_.records()), plan_.resources);
  ASSERT_EQ(plan.items.size(), 3u);
  EXPECT_EQ(plan.items[0].op.step, "s3");
  EXPECT_EQ(plan.items[1].starts_after, 1u);
  EXPECT_EQ(plan.items[2].starts_after, 1u);
  size_t before = system_.fake->calls().size();
  RollbackOutcome outcome = ExecuteRollback(plan, runner_, journal_, nullptr, false, nullptr, 2);
  ASSERT_TRUE(outcome.ok) << outcome.error;
  std::vector<std::string> calls = system_.fake->calls();
  calls.erase(calls.begin(), calls.begin() + static_cast<std::ptrdiff_t>(before));
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0], "Reverse c");
  EXPECT_THAT(std::vector<std::string>(calls.begin() + 1, calls.end()),
              ::testing::UnorderedElementsAre("Reverse a", "Reverse b"));
  EXPECT_EQ(system_.fake->max_concurrent_reversals(), 2);
  EXPECT_TRUE(system_.fake->things.empty());
  EXPECT_EQ(ViewJournal(journal_.records()).Status(), "rolled back");
}

// After a failure no item starts; the ones under way finish, and the run's journal says which.
TEST_F(RollbackTest, AFailedReversalStartsNoOtherAndLetsTheOnesUnderWayFinish) {
  ASSERT_NO_FATAL_FAILURE(ApplyTwoAtOnceThenAThird());
  system_.fake->FailOn("Reverse", "c");
  RollbackPlan plan = PlanRollback(ViewJournal(journal_.records()), plan_.resources);
  RollbackOutcome outcome = ExecuteRollback(plan, runner_, journal_, nullptr, false, nullptr, 2);
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.error,
            "cannot reverse step s3: create fake.thing c: fake: injected failure of Reverse c");
  EXPECT_EQ(system_.fake->things.size(), 3u);  // a and b waited for c, and did not start
  EXPECT_EQ(ViewJournal(journal_.records()).Status(), "rollback failed");
}

}  // namespace
}  // namespace upgrade::testing
