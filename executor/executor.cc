// The executor: window and stale-plan checks, DAG scheduling with bounded parallelism, the
// write-ahead protocol per operation, verify gates, and what happens after a failure.
#include "executor/executor.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <thread>

#include "executor/rollback.h"
#include "lang/value_json.h"
#include "state/atomic_file.h"

namespace upgrade {
namespace {

std::string Describe(const PlannedOperation& op) {
  switch (op.kind) {
    case PlannedOperation::Kind::kChange:
      return std::string(ChangeActionName(op.operation.change.action)) + " " +
             op.operation.resource.type + " " + op.operation.resource.name;
    case PlannedOperation::Kind::kAction:
      return "run " + op.operation.resource.type;
    case PlannedOperation::Kind::kSnapshot:
      return "snapshot " + op.snapshot_of.type + " " + op.snapshot_of.name;
  }
  return op.id;
}

const char* KindName(PlannedOperation::Kind kind) {
  switch (kind) {
    case PlannedOperation::Kind::kChange: return "change";
    case PlannedOperation::Kind::kAction: return "action";
    case PlannedOperation::Kind::kSnapshot: return "snapshot";
  }
  return "?";
}

std::string CheckName(const PlannedCheck& check) {
  std::string what = check.is_verify ? "verify" : "require";
  if (!check.message.empty()) return what + " \"" + check.message + "\"";
  if (check.range.begin.Known()) return what + " at " + check.range.begin.ToString();
  return what;
}

spdlog::logger* Log(ChangeRunner& runner) { return runner.context().log; }

}  // namespace

const char* RunStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::kSucceeded: return "succeeded";
    case RunStatus::kRolledBack: return "rolled back";
    case RunStatus::kStopped: return "stopped";
    case RunStatus::kRollbackFailed: return "rollback failed";
    case RunStatus::kRefused: return "refused";
  }
  return "?";
}

bool InWindow(const MaintenanceWindow& window, std::chrono::system_clock::time_point now) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(now) +
                        static_cast<std::time_t>(window.utc_offset_minutes) * 60;
  std::tm local{};
  gmtime_r(&seconds, &local);
  int minute = local.tm_hour * 60 + local.tm_min;
  auto day_ok = [&](int weekday) {
    if (window.weekdays.empty()) return true;
    for (int day : window.weekdays) {
      if (day == weekday) return true;
    }
    return false;
  };
  if (window.start_minute <= window.end_minute) {
    return day_ok(local.tm_wday) && minute >= window.start_minute && minute < window.end_minute;
  }
  // Crosses midnight: the part after midnight belongs to the previous day's window.
  if (minute >= window.start_minute) return day_ok(local.tm_wday);
  if (minute < window.end_minute) return day_ok((local.tm_wday + 6) % 7);
  return false;
}

Executor::Executor(const Plan& plan, ChangeRunner& runner, StepRuntime& runtime,
                   Journal& journal, ExecutorOptions options, RunObserver* observer)
    : plan_(plan),
      runner_(runner),
      runtime_(runtime),
      journal_(journal),
      options_(std::move(options)),
      observer_(observer) {
  if (options_.parallelism < 1) options_.parallelism = 1;
}

std::chrono::system_clock::time_point Executor::Now() const {
  return options_.now ? options_.now() : std::chrono::system_clock::now();
}

std::string Executor::Record(JournalRecord record, Durability durability) {
  if (record.time.empty()) record.time = NowRfc3339();  // the same in memory as in the file
  std::string error = journal_.Append(record, durability);
  if (error.empty()) {
    std::lock_guard<std::mutex> guard(mutex_);
    records_.push_back(std::move(record));
  }
  return error;
}

std::string Executor::Record(const std::string& type, const std::string& step,
                             const std::string& op, std::string text, Value::Map data,
                             Durability durability) {
  JournalRecord record;
  record.type = type;
  record.step = step;
  record.op = op;
  record.text = std::move(text);
  record.data = std::move(data);
  return Record(std::move(record), durability);
}

std::map<std::string, State> Executor::LiveStates() {
  std::lock_guard<std::mutex> guard(mutex_);
  return live_;
}

std::optional<State> Executor::LiveStateSource::Find(const std::string& instance) const {
  std::lock_guard<std::mutex> guard(executor_.mutex_);
  auto it = executor_.live_.find(instance);
  if (it == executor_.live_.end()) return std::nullopt;
  return it->second;
}

// Reads every resource of the plan, `parallelism` at a time; the first error in plan order wins.
std::string Executor::RefreshAll() {
  std::vector<const ResourceConfig*> resources;
  for (const auto& entry : plan_.resources) resources.push_back(&entry.second);
  std::vector<ReadResult> reads(resources.size());
  std::atomic<size_t> next{0};
  auto read_some = [&] {
    for (size_t i = next++; i < resources.size(); i = next++) reads[i] = runner_.Read(*resources[i]);
  };
  size_t readers = std::min(static_cast<size_t>(options_.parallelism), resources.size());
  std::vector<std::thread> threads;
  for (size_t i = 1; i < readers; ++i) threads.emplace_back(read_some);
  read_some();
  for (auto& thread : threads) thread.join();
  std::lock_guard<std::mutex> guard(mutex_);
  for (size_t i = 0; i < resources.size(); ++i) {
    const ResourceConfig& resource = *resources[i];
    if (!reads[i].error.empty()) {
      return "cannot read " + resource.type + " " + resource.name + ": " + reads[i].error;
    }
    live_[resource.name] = std::move(reads[i].state);
  }
  return "";
}

std::string Executor::CheckPins() {
  std::string error = RefreshAll();
  if (!error.empty()) return error;
  std::vector<std::string> stale;
  for (const Pin& pin : plan_.pins) {
    auto live = live_.find(pin.resource);
    if (live == live_.end() || PinDigest(live->second) != pin.digest) {
      auto resource = plan_.resources.find(pin.resource);
      stale.push_back(resource == plan_.resources.end()
                          ? pin.resource
                          : resource->second.type + " " + pin.resource);
    }
  }
  if (stale.empty()) return "";
  std::string names;
  for (const auto& name : stale) names += (names.empty() ? "" : ", ") + name;
  return "the plan is stale: " + names + (stale.size() == 1 ? " has" : " have") +
         " changed since it was planned; run `upgrade plan` again";
}

std::string Executor::CheckWindow(const std::string& step) const {
  if (!plan_.program || !plan_.program->plan.window) return "";
  const MaintenanceWindow& window = *plan_.program->plan.window;
  if (InWindow(window, Now())) return "";
  return (step.empty() ? std::string("the run") : "step " + step) +
         " cannot start outside the maintenance window " + window.text;
}

RunResult Executor::Apply(const std::string& run_id) {
  run_id_ = run_id;
  RunResult refused;
  refused.error = CheckWindow("");
  if (refused.error.empty()) refused.error = options_.check_pins ? CheckPins() : RefreshAll();
  if (!refused.error.empty()) return refused;
  JournalRecord header = JournalHeader(run_id, plan_.plan_path);
  header.data["kind"] = Value("apply");
  // Nothing changes before the first `prepared`, whose sync takes these along.
  std::string error = Record(std::move(header), Durability::kWritten);
  if (error.empty()) {
    error = Record("run_begin", "", "", "",
                   {{"parallelism", Value(options_.parallelism)},
                    {"steps", Value(static_cast<int>(plan_.steps.size()))}});
  }
  if (!error.empty()) {
    refused.error = error;
    return refused;
  }
  if (Log(runner_)) Log(runner_)->info("run {} started", run_id);
  return RunSteps({});
}

RunResult Executor::RunSteps(const std::set<std::string>& completed) {
  QueueSteps(completed);
  size_t workers = std::min(static_cast<size_t>(options_.parallelism), unfinished_);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < workers; ++i) threads.emplace_back(&Executor::WorkOnSteps, this);
  for (auto& thread : threads) thread.join();
  if (crashed_) throw SimulatedCrash{static_cast<int>(records_.size())};
  if (!failed_ && interrupted_ && unfinished_ > 0) return StopInterrupted();
  if (!failed_ && unfinished_ > 0) {
    failed_ = true;
    first_error_ = "internal error: " + std::to_string(unfinished_) +
                   " steps wait for steps that are not in the plan";
  }
  return failed_ ? HandleFailure() : Finish();
}

std::string Executor::Interrupt() {
  std::lock_guard<std::mutex> guard(mutex_);
  interrupted_ = true;
  changed_.notify_all();
  if (rolling_back_) return "the automatic rollback goes on";
  return "no new step starts; the running ones finish, then the run stops";
}

// Every step that started has finished; the rest wait for a resume (or a rollback).
RunResult Executor::StopInterrupted() {
  RunResult result;
  result.status = RunStatus::kStopped;
  result.error = "interrupted: " + std::to_string(unfinished_) + " of " +
                 std::to_string(plan_.steps.size()) + " steps did not run";
  Record("run_end", "", "", result.error, {{"outcome", Value("stopped")}},
         Durability::kSynced);
  if (Log(runner_)) Log(runner_)->warn("run {} {}", run_id_, result.error);
  result.states = LiveStates();
  return result;
}

void Executor::QueueSteps(const std::set<std::string>& completed) {
  std::map<std::string, size_t> index_of;
  for (size_t i = 0; i < plan_.steps.size(); ++i) index_of[plan_.steps[i].id] = i;
  waiting_on_.assign(plan_.steps.size(), 0);
  dependents_.assign(plan_.steps.size(), {});
  ready_.clear();
  unfinished_ = 0;
  for (size_t i = 0; i < plan_.steps.size(); ++i) {
    const PlannedStep& step = plan_.steps[i];
    if (completed.count(step.id)) continue;
    ++unfinished_;
    for (const auto& dep : step.depends_on) {
      if (completed.count(dep)) continue;
      ++waiting_on_[i];
      auto it = index_of.find(dep);
      if (it != index_of.end()) dependents_[it->second].push_back(i);
    }
    if (waiting_on_[i] == 0) ready_.insert(i);
  }
}

// One worker: takes the first ready step in plan order until none is left, or a step failed
// (no new step starts then; the running ones finish).
void Executor::WorkOnSteps() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    changed_.wait(lock,
                  [this] { return failed_ || interrupted_ || !ready_.empty() || running_ == 0; });
    if (failed_ || interrupted_ || ready_.empty()) break;
    size_t index = *ready_.begin();
    ready_.erase(ready_.begin());
    const PlannedStep& step = plan_.steps[index];
    std::string outside = CheckWindow(step.id);
    if (!outside.empty()) {
      failed_ = true;
      first_error_ = outside;
      changed_.notify_all();
      break;
    }
    ++running_;
    lock.unlock();
    bool crashed = false;
    std::string error = RunStepCaught(step, &crashed);
    lock.lock();
    StepEnded(index, error, crashed);
  }
}

std::string Executor::RunStepCaught(const PlannedStep& step, bool* crashed) {
  std::string error;
  auto began = std::chrono::steady_clock::now();
  if (observer_) observer_->StepStarted(step.id, step.title);
  StepProgressScope progress_scope(step.id);
  try {
    error = RunStep(step);
  } catch (const SimulatedCrash&) {
    *crashed = true;
    error = "simulated crash";
  } catch (const std::exception& e) {
    error = std::string("internal error: ") + e.what();
  }
  auto elapsed = std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - began);
  if (observer_ && !*crashed) observer_->StepFinished(step.id, error.empty(), error, elapsed);
  return error;
}

// Called with the lock held.
void Executor::StepEnded(size_t index, const std::string& error, bool crashed) {
  --running_;
  if (crashed) crashed_ = true;
  if (error.empty()) {
    --unfinished_;
    for (size_t dependent : dependents_[index]) {
      if (--waiting_on_[dependent] == 0) ready_.insert(dependent);
    }
  } else if (!failed_) {
    failed_ = true;
    first_error_ = error;
    failed_step_ = plan_.steps[index].id;
  }
  changed_.notify_all();
}

std::string Executor::RunStep(const PlannedStep& step) {
  std::string error = Record("step_begin", step.id, "");
  if (!error.empty()) return error;
  if (Log(runner_)) Log(runner_)->info("step {} started", step.id);
  error = RunChecks(step, step.requires_);
  if (error.empty()) error = ReadTouched(step);
  if (error.empty()) {
    Diagnostics diagnostics;
    std::vector<PlannedOperation> ops =
        runtime_.CompileOperations(step, live_source_, runner_.context(), diagnostics);
    for (const auto& diagnostic : diagnostics.items()) {
      if (diagnostic.severity != Severity::kError) continue;
      error = (diagnostic.range.begin.Known() ? diagnostic.range.begin.ToString() + ": " : "") +
              "error: " + diagnostic.message;
      break;
    }
    for (size_t i = 0; error.empty() && i < ops.size(); ++i) {
      if (done_ops_.count(ops[i].id)) continue;
      error = RunOperation(step, ops[i]);
    }
  }
  if (error.empty()) error = RunChecks(step, step.verifies);
  if (Log(runner_)) {
    if (error.empty()) Log(runner_)->info("step {} finished", step.id);
    else Log(runner_)->error("step {} failed: {}", step.id, error);
  }
  std::string end_error = Record("step_end", step.id, "", error,
                                 {{"outcome", Value(error.empty() ? "ok" : "failed")}});
  return error.empty() ? end_error : error;
}

std::string Executor::ReadTouched(const PlannedStep& step) {
  for (const auto& op : step.operations) {
    const ResourceConfig* resource = nullptr;
    if (op.kind == PlannedOperation::Kind::kChange) resource = &op.operation.resource;
    if (op.kind == PlannedOperation::Kind::kSnapshot) resource = &op.snapshot_of;
    if (!resource) continue;
    ReadResult read = runner_.Read(*resource);
    if (!read.error.empty()) {
      return "cannot read " + resource->type + " " + resource->name + ": " + read.error;
    }
    std::lock_guard<std::mutex> guard(mutex_);
    live_[resource->name] = read.state;
  }
  return "";
}

std::string Executor::RunChecks(const PlannedStep& step, const std::vector<PlannedCheck>& checks) {
  for (const auto& check : checks) {
    std::string error = RunVerify(step, check);
    if (!error.empty()) return error;
  }
  return "";
}

// Evaluates one require (once) or verify (until it holds, `within` has passed, or it failed in a
// way no retry can mend).
std::string Executor::RunVerify(const PlannedStep& step, const PlannedCheck& check) {
  const auto deadline = Now() + check.within;
  const Duration every = check.every.count() > 0 ? check.every : Duration(1000);
  for (int attempt = 1;; ++attempt) {
    CheckOutcome outcome = runtime_.EvaluateCheck(step, check, live_source_, runner_.context());
    bool held = outcome.error.empty() && outcome.held.value_or(false);
    std::string error =
        Record("check", step.id, "", outcome.error,
               {{"kind", Value(check.is_verify ? "verify" : "require")},
                {"held", Value(held)},
                {"attempt", Value(attempt)}});
    if (!error.empty()) return error;
    if (held) return "";
    bool retry = check.is_verify && !outcome.lasting && Now() + every <= deadline;
    if (!retry) {
      std::string why = !outcome.error.empty() ? outcome.error : outcome.explanation;
      return CheckName(check) + " failed" +
             (attempt > 1 ? " after " + std::to_string(attempt) + " attempts" : "") +
             (why.empty() ? "" : ": " + why);
    }
    if (options_.sleep) {
      options_.sleep(every);
    } else {
      std::this_thread::sleep_for(every);
    }
  }
}

std::string Executor::RunOperation(const PlannedStep& step, const PlannedOperation& planned) {
  PlannedOperation op = planned;
  // The planner decided reversibility and snapshot cover; keep its verdict if compiling anew
  // did not repeat it.
  for (const auto& original : step.operations) {
    if (original.id == op.id && op.covered_by.empty()) op.covered_by = original.covered_by;
  }
  const bool is_change = op.kind == PlannedOperation::Kind::kChange;
  if (is_change && op.operation.change.action == ChangeAction::kNone) return "";
  const ResourceConfig& resource =
      op.kind == PlannedOperation::Kind::kSnapshot ? op.snapshot_of : op.operation.resource;
  Value::Map intent = {
      {"kind", Value(KindName(op.kind))},
      {"resource", Value(resource.name)},
      {"resource_type", Value(resource.type)},
      {"config", Value(resource.config)},
      {"description", Value(Describe(op))},
      {"reversible", Value(op.reversible)},
  };
  if (!op.covered_by.empty()) intent["covered_by"] = Value(op.covered_by);
  if (is_change) {
    intent["action"] = Value(ChangeActionName(op.operation.change.action));
    intent["before"] = StateToValue(op.operation.change.before);
    intent["after"] = StateToValue(op.operation.change.after);
  }
  std::string error = Record("intent", step.id, op.id, "", std::move(intent));
  if (!error.empty()) return error;
  if (Log(runner_)) Log(runner_)->info("{}: {}", op.id, Describe(op));

  if (op.kind == PlannedOperation::Kind::kSnapshot) {
    SnapshotResult snapshot = runner_.Snapshot(op.snapshot_of, op.snapshot_options);
    if (!snapshot.error.empty()) {
      Record("failed", step.id, op.id, snapshot.error);
      return Describe(op) + ": " + snapshot.error;
    }
    return Record("done", step.id, op.id, "", {{"record", snapshot.record}});
  }
  PrepareResult prepared = runner_.Prepare(op.operation);
  if (!prepared.error.empty()) {
    Record("failed", step.id, op.id, prepared.error);
    return Describe(op) + ": " + prepared.error;
  }
  // Write-ahead: the undo record is on disk before anything changes. The runner syncs it
  // just before Apply, or lets the provider do so once it has staged what changes nothing.
  error = Record("prepared", step.id, op.id, "",
                 {{"undo", prepared.undo}, {"reversible", Value(prepared.reversible)}},
                 Durability::kWritten);
  if (!error.empty()) return error;
  std::string write_ahead_error;
  ApplyResult applied = runner_.Apply(op.operation, prepared.undo, [&] {
    write_ahead_error = journal_.SyncWritten();
    return write_ahead_error;
  });
  if (!write_ahead_error.empty()) return write_ahead_error;  // nothing changed
  if (!applied.error.empty()) {
    Record("failed", step.id, op.id, applied.error);
    return Describe(op) + ": " + applied.error;
  }
  Value::Map done;
  if (!applied.undo.is_null()) done["undo"] = applied.undo;
  if (prepared.reversible && !KeptAsideSeen() &&
      runner_.KeepsAside({op.operation.kind, resource,
                          applied.undo.is_null() ? prepared.undo : applied.undo})) {
    std::lock_guard<std::mutex> guard(mutex_);
    may_have_kept_aside_ = true;
  }
  if (is_change) {
    done["state"] = StateToValue(applied.state);
    std::lock_guard<std::mutex> guard(mutex_);
    live_[resource.name] = applied.state;
  } else {
    done["output"] = applied.output;
  }
  return Record("done", step.id, op.id, "", std::move(done));
}

RunResult Executor::Finish() {
  RunResult result;
  result.status = RunStatus::kSucceeded;
  ReleaseUndoRecords(&result);
  std::string error = Record("run_end", "", "", "", {{"outcome", Value("succeeded")}},
                             Durability::kSynced);
  if (!error.empty()) result.warnings.push_back(error);
  result.states = LiveStates();
  if (Log(runner_)) Log(runner_)->info("run {} succeeded", run_id_);
  return result;
}

bool Executor::KeptAsideSeen() {
  std::lock_guard<std::mutex> guard(mutex_);
  return may_have_kept_aside_;
}

void Executor::ReleaseUndoRecords(RunResult* result) {
  if (!KeptAsideSeen()) return;
  JournalView view = ViewJournal(records_);
  for (const auto& op : view.ops) {
    if (!op.done || op.released || op.kind == "snapshot" || !op.reversible) continue;
    ReverseRequest request = ReverseRequestOf(op, plan_.resources);
    if (!runner_.KeepsAside(request)) continue;
    std::string error = runner_.Release(request);
    if (!error.empty()) {
      result->warnings.push_back("cannot release " + op.op + ": " + error);
      continue;
    }
    Record("released", op.step, op.op);
  }
}

RunResult Executor::HandleFailure() {
  RunResult result;
  result.error = first_error_;
  result.failed_step = failed_step_;
  OnFailure policy = options_.on_failure.value_or(
      plan_.program ? plan_.program->plan.on_failure : OnFailure::kRollback);
  Record("run_end", failed_step_, "", first_error_, {{"outcome", Value("failed")}},
         Durability::kSynced);
  if (Log(runner_)) Log(runner_)->error("run {} failed: {}", run_id_, first_error_);
  if (policy == OnFailure::kStop) {
    result.status = RunStatus::kStopped;
    result.states = LiveStates();
    return result;
  }
  RollbackPlan rollback = PlanRollback(ViewJournal(records_), plan_.resources);
  if (!rollback.irreversible.empty()) {
    result.status = RunStatus::kStopped;
    result.warnings.push_back("cannot roll back automatically: irreversible and no snapshot "
                              "covers it: " + rollback.irreversible.front());
    result.states = LiveStates();
    return result;
  }
  {
    std::lock_guard<std::mutex> guard(mutex_);
    rolling_back_ = true;
  }
  if (observer_) observer_->Note("rolling back run " + run_id_);
  RollbackOutcome outcome = ExecuteRollback(rollback, runner_, journal_, observer_, false,
                                            nullptr, options_.parallelism);
  std::map<std::string, State> states = LiveStates();
  for (const auto& [name, state] : outcome.states) states[name] = state;
  result.states = std::move(states);
  result.status = outcome.ok ? RunStatus::kRolledBack : RunStatus::kRollbackFailed;
  if (!outcome.ok) result.warnings.push_back(outcome.error);
  return result;
}

// Resume: an operation cut short (or failed) is reversed with its undo record so the step can
// run it again; one that cannot be reversed stops the resume, named.
std::string Executor::ReverseCutShort(const JournalView& view, RunResult* result) {
  for (const auto& op : view.ops) {
    if (op.kind == "snapshot" || !(op.InDoubt() || (op.failed && op.NeedsReversal()))) continue;
    if (!op.reversible) {
      if (op.failed) continue;  // it is known to have failed: running it again is the resume
      return "operation " + op.op + " (step " + op.step + ": " + op.description +
             ") was cut short and cannot be reversed; check it by hand, then run `upgrade "
             "rollback --run " + run_id_ + "`";
    }
    std::string error =
        Record("reverse_intent", op.step, op.op, "", {}, Durability::kSynced);
    if (!error.empty()) return error;
    ReverseRequest request = ReverseRequestOf(op, plan_.resources);
    ReverseResult reversed = runner_.Reverse(request);
    if (!reversed.error.empty()) {
      Record("reverse_failed", op.step, op.op, reversed.error);
      return "cannot reverse " + op.op + " before retrying it: " + reversed.error;
    }
    Value::Map data;
    if (request.kind == Operation::Kind::kChange) {
      data["state"] = StateToValue(reversed.state);
      std::lock_guard<std::mutex> guard(mutex_);
      live_[op.resource.name] = reversed.state;
    }
    error = Record("reverse_done", op.step, op.op, "", std::move(data),
                   ReversalEndDurability(request.kind));
    if (!error.empty()) return error;
    if (observer_) observer_->Note("reversed " + op.op + " (cut short) before retrying it");
  }
  (void)result;
  return "";
}

RunResult Executor::Resume(const std::vector<JournalRecord>& history) {
  JournalView view = ViewJournal(history);
  run_id_ = view.run_id;
  RunResult result;
  std::string status = view.Status();
  if (status == "succeeded" || status == "rolled back" || status == "rolled back in part") {
    result.error = "run " + run_id_ + " already " + status + "; there is nothing to resume";
    return result;
  }
  if (view.rollback_started) {
    result.error = "run " + run_id_ + " was rolling back; finish that with `upgrade rollback "
                   "--run " + run_id_ + "`";
    return result;
  }
  result.error = RefreshAll();
  if (!result.error.empty()) return result;
  records_ = history;
  may_have_kept_aside_ = true;  // what the earlier attempts kept aside is in `history` only
  result.error = Record("resume", "", "", "", {{"parallelism", Value(options_.parallelism)}});
  if (!result.error.empty()) return result;
  if (Log(runner_)) Log(runner_)->info("run {} resumed", run_id_);
  std::string error = ReverseCutShort(view, &result);
  if (!error.empty()) {
    Record("run_end", "", "", error, {{"outcome", Value("stopped")}}, Durability::kSynced);
    result.status = RunStatus::kStopped;
    result.error = error;
    result.states = LiveStates();
    return result;
  }
  for (const auto& op : view.ops) {
    if (op.done && !op.reversed) done_ops_.insert(op.op);
  }
  std::vector<std::string> completed = view.CompletedSteps();
  return RunSteps(std::set<std::string>(completed.begin(), completed.end()));
}

}  // namespace upgrade
