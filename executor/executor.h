// The executor: applies a Plan to the real systems, and is the central header of executor/.
//
// One run, in order:
//   1. the maintenance window: no step starts outside it;
//   2. the stale-plan check: every resource is read again, and a pinned one whose state
//      changed since planning refuses the plan, naming it;
//   3. the steps, in DAG order, on `parallelism` workers that take the first ready step in plan
//      order; for each: its `require`s checked again, its operations compiled against the live
//      states, each operation journaled intent -> Prepare -> prepared (synced) -> Apply -> done
//      (or failed), then its `verify`s, retried every `every` for up to `within`;
//   4. on success: every undo record released, run_end;
//      on failure: no new step starts, running ones finish, then rollback (rollback.h) or stop;
//      interrupted by the operator: no new step starts, running ones finish, then stop.
// Resume continues an interrupted run from its journal: an operation cut short is reversed with
// its undo record and applied again, one that cannot be reversed stops the resume, naming it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "executor/change_runner.h"
#include "executor/journal.h"
#include "executor/journal_view.h"
#include "executor/run_observer.h"
#include "executor/step_runtime.h"
#include "planner/plan.h"

namespace upgrade {

/// How to run.
struct ExecutorOptions {
  int parallelism = 10;                  ///< steps running at once, at least 1
  std::optional<OnFailure> on_failure;   ///< overrides the plan's `on_failure`
  bool check_pins = true;                ///< refuse a plan whose pinned states changed
  /// The clock for the window and for verify deadlines; the system clock when empty.
  std::function<std::chrono::system_clock::time_point()> now;
  /// Pause between verify attempts; std::this_thread::sleep_for when empty.
  std::function<void(Duration)> sleep;
};

/// How a run ended.
enum class RunStatus {
  kSucceeded,       ///< every step ran and passed its checks
  kRolledBack,      ///< a step failed and everything was put back
  kStopped,         ///< a step failed and the run stopped (on_failure = stop, or no rollback)
  kRollbackFailed,  ///< a step failed and the rollback failed too
  kRefused,         ///< nothing was started: window, stale plan, lock, nothing to resume
};

/// "succeeded", "rolled back", "stopped", "rollback failed", "refused".
const char* RunStatusName(RunStatus status);

/// The outcome of Apply or Resume.
struct RunResult {
  RunStatus status = RunStatus::kRefused;
  std::string error;        ///< the first failure, or why it was refused
  std::string failed_step;  ///< the step that failed first, if any
  std::map<std::string, State> states;  ///< every resource as last seen, for state.json
  std::vector<std::string> warnings;    ///< e.g. a Release that failed
};

/// Applies one plan. Not reusable: one Executor per run.
class Executor {
 public:
  Executor(const Plan& plan, ChangeRunner& runner, StepRuntime& runtime, Journal& journal,
           ExecutorOptions options = {}, RunObserver* observer = nullptr);

  /// A fresh run with id `run_id`; the journal is empty. A SimulatedCrash thrown by the
  /// journal passes through (after every running step stopped).
  RunResult Apply(const std::string& run_id);

  /// Continues the run whose journal so far is `history` (appending to the same journal).
  RunResult Resume(const std::vector<JournalRecord>& history);

  /// From any thread while Apply or Resume runs (the operator pressed Ctrl-C): no new step
  /// starts, the running ones finish, and the run stops as it stands (kStopped, run_end
  /// "stopped"), to be resumed or rolled back. A run whose steps had all started ends as usual;
  /// an automatic rollback already under way goes on. Returns what will happen, for the
  /// operator.
  std::string Interrupt();

 private:
  /// The live states as a running step sees them: looked up one at a time, under the lock.
  class LiveStateSource : public StateSource {
   public:
    explicit LiveStateSource(Executor& executor) : executor_(executor) {}
    std::optional<State> Find(const std::string& instance) const override;

   private:
    Executor& executor_;
  };

  std::string Record(JournalRecord record, Durability durability);
  std::string Record(const std::string& type, const std::string& step, const std::string& op,
                     std::string text = "", Value::Map data = {},
                     Durability durability = Durability::kWritten);
  std::string RefreshAll();
  std::string CheckPins();
  std::string CheckWindow(const std::string& step) const;
  RunResult RunSteps(const std::set<std::string>& completed);
  void QueueSteps(const std::set<std::string>& completed);
  void WorkOnSteps();
  void StepEnded(size_t index, const std::string& error, bool crashed);
  std::string RunStepCaught(const PlannedStep& step, bool* crashed);
  std::string RunStep(const PlannedStep& step);
  std::string RunChecks(const PlannedStep& step, const std::vector<PlannedCheck>& checks);
  std::string RunVerify(const PlannedStep& step, const PlannedCheck& check);
  std::string RunOperation(const PlannedStep& step, const PlannedOperation& op);
  std::string ReadTouched(const PlannedStep& step);
  RunResult Finish();
  RunResult HandleFailure();
  RunResult StopInterrupted();
  void ReleaseUndoRecords(RunResult* result);
  bool KeptAsideSeen();
  std::string ReverseCutShort(const JournalView& view, RunResult* result);
  std::map<std::string, State> LiveStates();
  std::chrono::system_clock::time_point Now() const;

  const Plan& plan_;
  ChangeRunner& runner_;
  StepRuntime& runtime_;
  Journal& journal_;
  ExecutorOptions options_;
  RunObserver* observer_;
  std::string run_id_;

  LiveStateSource live_source_{*this};

  std::mutex mutex_;  // guards everything below
  std::condition_variable changed_;
  std::vector<JournalRecord> records_;  // the journal so far, history included
  std::map<std::string, State> live_;
  std::set<std::string> done_ops_;      // applied in an earlier attempt of this run
  // Whether an operation may have kept something aside for Release: one done in this process
  // whose provider said so, or any done before a resume. When not, Finish has nothing to read.
  bool may_have_kept_aside_ = false;
  // The schedule, by index into plan_.steps: how many dependencies each step still waits for,
  // who waits for it, and the steps ready to start, first in plan order first.
  std::vector<int> waiting_on_;
  std::vector<std::vector<size_t>> dependents_;
  std::set<size_t> ready_;
  size_t unfinished_ = 0;
  int running_ = 0;
  bool failed_ = false;
  bool interrupted_ = false;
  bool rolling_back_ = false;  // the automatic rollback after a failure has begun
  bool crashed_ = false;
  std::string first_error_;
  std::string failed_step_;
};

/// True when `now` falls inside `window`.
bool InWindow(const MaintenanceWindow& window, std::chrono::system_clock::time_point now);

}  // namespace upgrade
