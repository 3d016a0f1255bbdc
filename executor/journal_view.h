// A run as its journal tells it: each operation's latest status (prepared, done, failed,
// reversed, restored), each step's times and outcome, and the run's outcome. Resume, rollback,
// `upgrade show` and `upgrade history` all read runs through this.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "executor/journal.h"
#include "providers/provider.h"

namespace upgrade {

/// One operation of a run, folded from its records in journal order.
struct OpStatus {
  std::string op;    ///< "<step>#<n>"
  std::string step;
  std::string kind;  ///< "change", "action" or "snapshot"
  ResourceConfig resource;  ///< from the intent record; secrets only as digests
  std::string action;       ///< the change's action ("create", ...) or the action type
  std::string description;  ///< "update fs.file config", for messages
  bool reversible = true;
  std::string covered_by;   ///< the snapshot op that restores it, when irreversible

  bool prepared = false;  ///< its undo record is in the journal: it may have changed things
  bool done = false;
  bool failed = false;
  bool reversed = false;  ///< put back by a rollback (or by resume before a retry)
  bool reversing = false; ///< a rollback began to put it back and did not record the end
  bool restored = false;  ///< snapshot ops: restored by a rollback
  bool released = false;  ///< its undo record was released after the run succeeded
  std::string error;
  Value undo;
  Value state;   ///< kChange: the state after it (done) or after its reversal
  Value record;  ///< kSnapshot: what Restore takes
  size_t position = 0;  ///< journal index of its latest prepared (or snapshot done) record
  /// When it ran, as journal indexes: its latest intent, and its done or failed record
  /// (kNoEnd while it has none). Two operations that ran at once did not depend on each other.
  static constexpr size_t kNoEnd = static_cast<size_t>(-1);
  size_t began_at = 0;
  size_t ended_at = kNoEnd;

  /// Prepared and neither reversed nor known to have finished: Apply may have run partly.
  bool InDoubt() const { return prepared && !done && !failed && !reversed; }
  /// Its change, or a reversal of it, began and has no recorded end (cut short or failed): the
  /// thing may be in any state between.
  bool Unsettled() const { return reversing || (prepared && !done && !reversed); }
  /// Something a rollback has to put back.
  bool NeedsReversal() const { return prepared && !reversed; }
};

/// One step of a run, for `upgrade show`.
struct StepStatus {
  std::string step;
  std::string began;
  std::string ended;
  std::string outcome;  ///< "ok", "failed", or "" while it ran (or when the run died)
  std::string error;
};

/// A whole run as its journal tells it.
struct JournalView {
  std::string run_id;
  std::string plan_path;
  std::string started;
  std::string finished;
  std::string outcome;  ///< last run_end / rollback_end text: "succeeded", "rolled back", ...
  bool rollback_started = false;
  bool rollback_finished = false;
  std::vector<OpStatus> ops;          ///< in order of their first intent
  std::vector<StepStatus> steps;      ///< in order of their first begin
  std::map<std::string, Value> last_states;  ///< resource -> last state the journal recorded
  std::map<std::string, size_t> op_index;    ///< op id -> its place in `ops`

  const OpStatus* FindOp(const std::string& op) const;
  /// Steps whose last step_end was "ok".
  std::vector<std::string> CompletedSteps() const;
  /// "succeeded", "failed", "rolled back", "interrupted" (no end record), ...
  std::string Status() const;
};

/// Folds `records` into a view.
JournalView ViewJournal(const std::vector<JournalRecord>& records);

/// What Reverse and Release of `op` are asked with: its kind, resource and undo record. A
/// change's resource is taken from `configs` when it is there (the plan's, which holds the
/// secrets the journal has only as digests).
ReverseRequest ReverseRequestOf(const OpStatus& op,
                                const std::map<std::string, ResourceConfig>& configs = {});

/// How the `reverse_done` of an operation of `kind` is appended. A change's reaches the disk
/// with the next synced record: lost to a power loss, it only has the next rollback or resume
/// reverse the change again, which Reverse allows (it is idempotent). An action's undo is a
/// command of the plan's, which may not bear running twice: its end is synced at once.
Durability ReversalEndDurability(Operation::Kind kind);

/// A state as a journal value ({exists, attributes}) and back.
Value StateToValue(const State& state);
State StateFromValue(const Value& value);

}  // namespace upgrade
