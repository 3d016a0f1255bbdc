// A provider that lives in memory, for the planner's and executor's unit tests: it records
// every call in order, fails on demand, can be slow on demand, and keeps its resources in a
// map the test can inspect and change (to simulate drift).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "providers/provider.h"

namespace upgrade::testing {

/// Counts a call as in progress while it lives, and keeps the most seen at one time.
class InProgress {
 public:
  InProgress(std::atomic<int>& now, std::atomic<int>& most) : now_(now) {
    int count = ++now_;
    int seen = most.load();
    while (count > seen && !most.compare_exchange_weak(seen, count)) {
    }
  }
  ~InProgress() { --now_; }
  InProgress(const InProgress&) = delete;
  InProgress& operator=(const InProgress&) = delete;

 private:
  std::atomic<int>& now_;
};

/// The in-memory provider "fake". Resource type `fake.thing` (identity `id`; attributes
/// `value` (string), `secret` (sensitive string), `replace_me` (forces replacement),
/// `absent` (bool: delete)); action `fake.action` (attributes `label` (string, required),
/// `undo` (string) and `target` (a resource the action works on)); function `fake.value(id)`
/// giving the `value` of thing `id`, or null.
/// Snapshots of things are supported and restore the thing's attributes.
///
/// Calls are recorded as "Verb target", e.g. "Read a", "Prepare a", "Apply a", "Reverse a",
/// "Release a", "Run label", "ReverseRun label", "Snapshot a", "Restore a", "Call fake.value"
/// ("Stage a" before "Apply a" when it defers the write-ahead).
class FakeProvider : public Provider {
 public:
  std::string Name() const override { return "fake"; }
  void Describe(SchemaRegistry& registry) const override;
  ReadResult Read(const ResourceConfig& resource, ProviderContext& context) override;
  DiffResult Diff(const DiffRequest& request) const override;
  PrepareResult Prepare(const Operation& operation, ProviderContext& context) override;
  ApplyResult Apply(const Operation& operation, const Value& undo,
                    ProviderContext& context) override;
  bool DefersWriteAhead(const Operation& operation) const override;
  ReverseResult Reverse(const ReverseRequest& request, ProviderContext& context) override;
  std::string CheckReverse(const ReverseRequest& request, ProviderContext& context) override;
  bool KeepsAside(const ReverseRequest& request) const override;
  std::string Release(const ReverseRequest& request, ProviderContext& context) override;
  SnapshotResult Snapshot(const ResourceConfig& resource, const Value::Map& options,
                          bool estimate_only, ProviderContext& context) override;
  std::string Restore(const ResourceConfig& resource, const Value& record,
                      ProviderContext& context) override;
  CallResult Call(const std::string& name, const std::vector<Value>& args,
                  ProviderContext& context) override;

  /// Makes `verb` on `target` fail (e.g. FailOn("Apply", "b")); "*" as target fails them all.
  /// FailOn("CheckReverse", t) makes t's reversal look impossible before a rollback starts.
  void FailOn(const std::string& verb, const std::string& target);
  /// Makes every Apply, Run and Reverse sleep this long (to observe parallelism).
  void SetDelay(std::chrono::milliseconds delay) { delay_ = delay; }
  /// Makes Apply of things call the write-ahead itself (twice), after recording "Stage target"
  /// (as a provider staging a temp file would); when it fails, the thing is left as it was.
  void DeferWriteAhead() { defers_write_ahead_ = true; }
  /// Makes the undo records of `target` keep nothing aside: Release is not called for them.
  void KeepNothingAsideFor(const std::string& target) { keeps_nothing_.insert(target); }
  /// Adds `call` to calls() (a test's own events, in order with the provider's).
  void Note(const std::string& call) { Record(call); }
  /// Calls `hook` with each call as it is recorded, on the calling thread, before the call
  /// goes on (to act in the middle of a run, as an operator would).
  void OnCall(std::function<void(const std::string& call)> hook) { on_call_ = std::move(hook); }

  /// The real system, as the test sees it: thing id -> attributes (absent: not present).
  std::map<std::string, Value::Map> things;
  /// Labels of actions that ran and were not reversed, in order.
  std::vector<std::string> actions_run;

  std::vector<std::string> calls() const;
  /// The most Apply/Run calls that were in progress at one time.
  int max_concurrent() const { return max_concurrent_; }
  /// The most Reverse calls (of changes and of actions) that were in progress at one time.
  int max_concurrent_reversals() const { return max_reversing_; }

 private:
  void Record(const std::string& call);
  bool ShouldFail(const std::string& verb, const std::string& target) const;

  mutable std::mutex mutex_;
  std::vector<std::string> calls_;
  std::set<std::pair<std::string, std::string>> failures_;
  std::chrono::milliseconds delay_{0};
  bool defers_write_ahead_ = false;
  std::set<std::string> keeps_nothing_;
  std::function<void(const std::string&)> on_call_;
  std::atomic<int> busy_{0};
  std::atomic<int> max_concurrent_{0};
  std::atomic<int> reversing_{0};
  std::atomic<int> max_reversing_{0};
};

}  // namespace upgrade::testing
