// Rollback planning (from the journal alone) and execution (itself journaled).
#include "executor/rollback.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "lang/value_json.h"

namespace upgrade {
namespace {

std::string Label(const OpStatus& op) {
  return "step " + op.step + ": " + (op.description.empty() ? op.op : op.description);
}

// The journal holds secrets as digests; pass the live state through the same encoding so a
// secret compares by its digest.
bool SameJournalState(const State& live, const Value& recorded) {
  return ValueFromJson(ValueToJson(StateToValue(live), SecretPolicy::kDigest)) == recorded;
}

std::string Append(Journal& journal, const std::string& type, const OpStatus* op,
                   std::string text = "", Value::Map data = {},
                   Durability durability = Durability::kSynced) {
  JournalRecord record;
  record.type = type;
  if (op) {
    record.op = op->op;
    record.step = op->step;
  }
  record.text = std::move(text);
  record.data = std::move(data);
  return journal.Append(std::move(record), durability);
}

// Whether `earlier` (applied later in the run) must be put back before `later` starts.
bool MustPrecede(const RollbackItem& earlier, const RollbackItem& later) {
  using Kind = RollbackItem::Kind;
  if (earlier.kind == Kind::kRestore || later.kind == Kind::kRestore) return true;
  const OpStatus& a = earlier.op;
  const OpStatus& b = later.op;
  if (b.ended_at != OpStatus::kNoEnd && a.began_at > b.ended_at) return true;
  return a.kind == "change" && b.kind == "change" && a.resource.name == b.resource.name;
}

// Sets each item's `starts_after`: one past the nearest earlier item it must wait for.
void OrderItems(std::vector<RollbackItem>& items) {
  for (size_t i = 0; i < items.size(); ++i) {
    for (size_t j = i; j-- > 0;) {
      if (MustPrecede(items[j], items[i])) {
        items[i].starts_after = j + 1;
        break;
      }
    }
  }
}

// The items of one rollback, handed out in plan order to the threads that run them.
class RollbackRun {
 public:
  RollbackRun(const RollbackPlan& plan, ChangeRunner& runner, Journal& journal,
              RunObserver* observer, const std::atomic<bool>* stop)
      : items_(plan.items), runner_(runner), journal_(journal), observer_(observer),
        stop_(stop), finished_(plan.items.size(), 0) {}

  // Runs items until none is left or the run halts; several threads may call it at once.
  void Work() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      changed_.wait(lock, [this] {
        return Halted() || next_ == items_.size() || done_prefix_ >= items_[next_].starts_after;
      });
      if (Halted() || next_ == items_.size()) return;
      const RollbackItem& item = items_[next_];
      size_t index = next_++;
      lock.unlock();
      std::optional<State> reversed;
      std::string error;
      std::optional<SimulatedCrash> crash;
      try {
        error = RunItem(item, &reversed);
      } catch (const SimulatedCrash& simulated) {
        crash = simulated;
      } catch (const std::exception& e) {
        error = std::string("internal error: ") + e.what();
      }
      lock.lock();
      finished_[index] = 1;
      while (done_prefix_ < items_.size() && finished_[done_prefix_]) ++done_prefix_;
      if (reversed) states_[item.op.resource.name] = std::move(*reversed);
      if (crash && !crash_) crash_ = crash;
      if (!error.empty() && error_.empty()) error_ = error;
      changed_.notify_all();
    }
  }

  // After every thread's Work returned.
  const std::string& error() const { return error_; }
  size_t not_started() const { return items_.size() - next_; }
  const std::optional<SimulatedCrash>& crash() const { return crash_; }
  std::map<std::string, State>& states() { return states_; }

 private:
  bool Halted() const { return crash_ || !error_.empty() || (stop_ != nullptr && stop_->load()); }

  // Reverses one operation or restores one snapshot; the error text, or "".
  std::string RunItem(const RollbackItem& item, std::optional<State>* reversed) {
    const OpStatus& op = item.op;
    StepProgressScope progress_scope(op.step);
    if (item.kind == RollbackItem::Kind::kRestore) {
      if (std::string error = Append(journal_, "restore_intent", &op); !error.empty()) return error;
      std::string restore_error = runner_.Restore(op.resource, op.record);
      if (!restore_error.empty()) {
        Append(journal_, "restore_failed", &op, restore_error);
        return "cannot restore snapshot of " + op.resource.name + ": " + restore_error;
      }
      if (std::string error = Append(journal_, "restore_done", &op); !error.empty()) return error;
      if (observer_) observer_->Note("restored snapshot of " + op.resource.name);
      return "";
    }
    if (!item.cannot_reverse.empty()) return "";  // forced: left in place
    if (std::string error = Append(journal_, "reverse_intent", &op); !error.empty()) return error;
    ReverseRequest request = ReverseRequestOf(op);
    ReverseResult result = runner_.Reverse(request);
    if (!result.error.empty()) {
      Append(journal_, "reverse_failed", &op, result.error);
      return "cannot reverse " + Label(op) + ": " + result.error;
    }
    Value::Map data;
    if (request.kind == Operation::Kind::kChange) {
      data["state"] = StateToValue(result.state);
      *reversed = result.state;
    }
    if (std::string error = Append(journal_, "reverse_done", &op, "", std::move(data),
                                   ReversalEndDurability(request.kind));
        !error.empty())
      return error;
    if (observer_) observer_->Note("reversed " + Label(op));
    return "";
  }

  const std::vector<RollbackItem>& items_;
  ChangeRunner& runner_;
  Journal& journal_;
  RunObserver* observer_;
  const std::atomic<bool>* stop_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<char> finished_;  // not vector<bool>: set under the lock, read by every thread
  size_t done_prefix_ = 0;      // items [0, done_prefix_) have all finished
  size_t next_ = 0;             // the next item to start
  std::string error_;           // the first failure
  std::optional<SimulatedCrash> crash_;
  std::map<std::string, State> states_;
};

}  // namespace

RollbackPlan PlanRollback(const JournalView& view,
                          const std::map<std::string, ResourceConfig>& configs) {
  RollbackPlan plan;
  plan.run_id = view.run_id;
  std::vector<const OpStatus*> candidates;
  for (const auto& op : view.ops) {
    if (op.NeedsReversal()) candidates.push_back(&op);
  }
  // Latest applied first: the reverse of the order the journal saw them applied.
  std::sort(candidates.begin(), candidates.end(),
            [](const OpStatus* a, const OpStatus* b) { return a->position > b->position; });
  std::map<std::string, bool> snapshot_needed;
  for (const OpStatus* op : candidates) {
    if (op->kind == "snapshot" || op->reversible) continue;
    bool applied = op->done;
    if (!op->covered_by.empty()) {
      const OpStatus* snapshot = view.FindOp(op->covered_by);
      if (snapshot && snapshot->done && !snapshot->restored) {
        snapshot_needed[op->covered_by] = true;
        continue;
      }
    }
    (applied ? plan.irreversible : plan.uncertain).push_back(Label(*op));
  }
  for (const OpStatus* op : candidates) {
    RollbackItem item;
    item.op = *op;
    auto config = configs.find(op->resource.name);
    if (op->kind != "action" && config != configs.end()) item.op.resource = config->second;
    if (op->kind == "snapshot") {
      if (!snapshot_needed.count(op->op)) continue;
      item.kind = RollbackItem::Kind::kRestore;
    } else if (!op->reversible) {
      continue;
    }
    plan.items.push_back(std::move(item));
  }
  OrderItems(plan.items);
  return plan;
}

std::string FindDrift(const JournalView& view, ChangeRunner& runner, RollbackPlan* plan) {
  std::map<std::string, bool> checked;
  // A resource whose latest change has no recorded end (cut short or failed in the run, or in
  // a rollback that stopped while reversing it) may be in any state that change left: what is
  // found there is the run's own doing, not a change made since.
  for (const auto& op : view.ops) {
    if (op.kind == "change" && op.Unsettled()) checked[op.resource.name] = true;
  }
  for (const auto& item : plan->items) {
    const OpStatus& op = item.op;
    if (op.kind != "change" || checked[op.resource.name]) continue;
    checked[op.resource.name] = true;
    auto last = view.last_states.find(op.resource.name);
    if (last == view.last_states.end()) continue;  // never finished: nothing to compare with
    ReadResult now = runner.Read(op.resource);
    if (!now.error.empty()) return "cannot read " + op.resource.name + ": " + now.error;
    if (!SameJournalState(now.state, last->second)) {
      plan->drifted.push_back(op.resource.type + " " + op.resource.name);
    }
  }
  return "";
}

void CheckReversals(ChangeRunner& runner, RollbackPlan* plan) {
  for (auto& item : plan->items) {
    if (item.kind != RollbackItem::Kind::kReverse) continue;
    StepProgressScope progress_scope(item.op.step);
    item.cannot_reverse = runner.CheckReverse(ReverseRequestOf(item.op));
    if (!item.cannot_reverse.empty()) {
      plan->unreversible.push_back(Label(item.op) + ": " + item.cannot_reverse);
    }
  }
}

std::string RenderRollbackPlan(const RollbackPlan& plan, bool color) {
  const char* yellow = color ? "\x1b[33m" : "";
  const char* red = color ? "\x1b[31m" : "";
  const char* reset = color ? "\x1b[0m" : "";
  std::string out = "Rollback of run " + plan.run_id + ":\n";
  if (plan.items.empty()) out += "  nothing to reverse\n";
  for (const auto& item : plan.items) {
    if (item.kind == RollbackItem::Kind::kRestore) {
      out += std::string("  ") + yellow + "# restore" + reset + " snapshot " +
             item.op.resource.type + " " + item.op.resource.name + " (step " + item.op.step +
             ")\n";
    } else {
      out += std::string("  ") + yellow + "< reverse" + reset + " " + Label(item.op) +
             (item.op.InDoubt() || item.op.failed ? " (was cut short)" : "") +
             (item.op.reversing ? " (a rollback began to reverse it)" : "") + "\n";
    }
  }
  for (const auto& label : plan.irreversible) {
    out += std::string("  ") + red + "! irreversible" + reset + " " + label +
           ": no snapshot covers it\n";
  }
  for (const auto& reason : plan.unreversible) {
    out += std::string("  ") + red + "! cannot reverse" + reset + " " + reason + "\n";
  }
  for (const auto& label : plan.uncertain) {
    out += std::string("  ") + red + "? unknown" + reset + " " + label +
           ": irreversible and cut short; check it by hand\n";
  }
  for (const auto& resource : plan.drifted) {
    out += std::string("  ") + red + "~ changed" + reset + " " + resource +
           " changed since the run touched it\n";
  }
  out += "Rollback: " + std::to_string(plan.items.size()) + " to reverse";
  if (!plan.irreversible.empty()) {
    out += ", " + std::to_string(plan.irreversible.size()) + " irreversible";
  }
  if (!plan.unreversible.empty()) {
    out += ", " + std::to_string(plan.unreversible.size()) + " that cannot be reversed now";
  }
  return out + ".\n";
}

std::string RefusalOf(const RollbackPlan& plan) {
  auto joined = [](const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : "; ") + item;
    return out;
  };
  std::string refusal = "cannot roll back run " + plan.run_id + ": ";
  if (!plan.irreversible.empty()) {
    return refusal + "irreversible and no snapshot covers it: " + joined(plan.irreversible);
  }
  if (!plan.unreversible.empty()) return refusal + joined(plan.unreversible);
  return "";
}

RollbackOutcome ExecuteRollback(const RollbackPlan& plan, ChangeRunner& runner, Journal& journal,
                                RunObserver* observer, bool force,
                                const std::atomic<bool>* stop, int parallelism) {
  RollbackOutcome outcome;
  if (!force) outcome.error = RefusalOf(plan);
  if (!outcome.error.empty()) return outcome;
  outcome.left_in_place = plan.irreversible;
  outcome.left_in_place.insert(outcome.left_in_place.end(), plan.unreversible.begin(),
                               plan.unreversible.end());
  std::string error = Append(journal, "rollback_begin", nullptr, "",
                             {{"items", Value(static_cast<int>(plan.items.size()))},
                              {"forced", Value(force)}});
  if (error.empty()) {
    RollbackRun run(plan, runner, journal, observer, stop);
    size_t threads = std::min(plan.items.size(), static_cast<size_t>(std::max(1, parallelism)));
    std::vector<std::thread> helpers;
    for (size_t i = 1; i < threads; ++i) helpers.emplace_back(&RollbackRun::Work, &run);
    run.Work();
    for (auto& helper : helpers) helper.join();
    if (run.crash()) throw *run.crash();
    outcome.states = std::move(run.states());
    error = run.error();
    if (error.empty() && run.not_started() > 0) {
      outcome.interrupted = true;
      outcome.error = "interrupted: " + std::to_string(run.not_started()) + " of " +
                      std::to_string(plan.items.size()) + " rollback items not done";
      return outcome;  // no rollback_end: rolling back again finishes it
    }
  }
  outcome.ok = error.empty();
  outcome.error = error;
  std::vector<Value> left(outcome.left_in_place.begin(), outcome.left_in_place.end());
  Value::Map end = {{"outcome", Value(!outcome.ok                     ? "rollback failed"
                                      : outcome.left_in_place.empty() ? "rolled back"
                                                                      : "rolled back in part")}};
  if (!left.empty()) end["left_in_place"] = Value(std::move(left));
  Append(journal, "rollback_end", nullptr, error, std::move(end));
  return outcome;
}

}  // namespace upgrade
