// Rollback of a run from its journal: which operations to reverse, in reverse order of when
// they were applied (which respects the step DAG, since a step starts only after its
// dependencies ended), which snapshots to restore in place of irreversible operations they
// cover, what cannot be put back, and what changed since the run touched it. Operations that
// ran at once in the run did not depend on each other, and are reversed at once. Itself
// journaled into the run's journal, so an interrupted rollback is resumed by running it again.
#pragma once

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "executor/change_runner.h"
#include "executor/journal.h"
#include "executor/journal_view.h"
#include "executor/run_observer.h"

namespace upgrade {

/// One thing a rollback does.
struct RollbackItem {
  enum class Kind {
    kReverse,  ///< Reverse(undo) of a change or an action
    kRestore,  ///< Restore(record) of a snapshot that covers irreversible operations
  };
  Kind kind = Kind::kReverse;
  OpStatus op;
  std::string cannot_reverse;  ///< why its Reverse cannot succeed now (CheckReversals)
  /// It starts once the plan's first `starts_after` items have finished: every item of an
  /// operation that began after its own ended (a later step may have built on it), or that
  /// changed the same resource; a snapshot's restore waits for all before it, and all after
  /// it wait for it.
  size_t starts_after = 0;
};

/// What a rollback will do, shown before it starts.
struct RollbackPlan {
  std::string run_id;
  std::vector<RollbackItem> items;        ///< in the order they run
  std::vector<std::string> irreversible;  ///< applied, irreversible and not covered: refused
  std::vector<std::string> uncertain;     ///< irreversible, failed or cut short: may have run
  std::vector<std::string> drifted;       ///< changed since the run touched them: refused
  std::vector<std::string> unreversible;  ///< "LABEL: why": what Reverse needs is gone: refused
};

/// Plans the rollback of the run in `view`. `configs` (resource name -> config) replaces the
/// journal's copy of a resource's configuration when given (it holds secrets the journal
/// only has as digests).
RollbackPlan PlanRollback(const JournalView& view,
                          const std::map<std::string, ResourceConfig>& configs);

/// Reads every resource the rollback reverses and lists, in `plan->drifted`, those whose state
/// differs from the last one the journal recorded; not those whose latest change has no
/// recorded end (cut short, failed, or being reversed when a rollback stopped). Returns an
/// error text on a failed Read.
std::string FindDrift(const JournalView& view, ChangeRunner& runner, RollbackPlan* plan);

/// Asks the provider of each operation to reverse whether its Reverse can succeed now (what
/// it needs may have been let go of after the run succeeded, or removed by hand), so that a
/// rollback that could not finish does not start: lists those that cannot in
/// `plan->unreversible` and marks their items.
void CheckReversals(ChangeRunner& runner, RollbackPlan* plan);

/// Why `plan` is refused unless forced: its irreversible operations that no snapshot covers, or
/// those whose Reverse cannot succeed now, named ("cannot roll back run ID: ..."); or empty.
std::string RefusalOf(const RollbackPlan& plan);

/// The rollback plan as the operator sees it.
std::string RenderRollbackPlan(const RollbackPlan& plan, bool color);

/// What a rollback did.
struct RollbackOutcome {
  bool ok = false;
  std::string error;
  std::map<std::string, State> states;  ///< resources put back, as Reverse reported them
  /// What `force` left as the run left it: the plan's irreversible and unreversible items. A
  /// rollback that left any ends "rolled back in part", not "rolled back".
  std::vector<std::string> left_in_place;
  bool interrupted = false;  ///< stopped by `stop`, with items not started
};

/// Runs `plan` (refusing it if it has irreversible or unreversible items, unless `force`,
/// which leaves those in place and says so in `left_in_place`), journaling
/// rollback_begin, reverse_intent / reverse_done / reverse_failed, restore_intent /
/// restore_done and rollback_end into `journal`. Up to `parallelism` items run at once, each
/// started in plan order once those it waits for have finished (RollbackItem::starts_after).
/// After the first failure no item starts; those under way finish.
/// When `stop` turns true (the operator's Ctrl-C), the items under way finish and no other
/// starts: the outcome is not ok, `interrupted` is set, and no rollback_end is written, so the
/// run stays "rollback interrupted" and rolling back again finishes it.
RollbackOutcome ExecuteRollback(const RollbackPlan& plan, ChangeRunner& runner, Journal& journal,
                                RunObserver* observer, bool force,
                                const std::atomic<bool>* stop = nullptr, int parallelism = 1);

}  // namespace upgrade
