// The plan: what `upgrade plan` computes from a checked program and the real systems, and what
// `upgrade apply` executes. The contract between `planner/` and `executor/`.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lang/diagnostic.h"
#include "lang/ir.h"
#include "providers/provider.h"

namespace upgrade {

class ProviderRegistry;

/// One require or verify, kept unevaluated so the executor can check it again at apply time.
struct PlannedCheck {
  bool is_verify = false;
  Expr condition;
  std::string message;
  Duration within{0};
  Duration every{0};
  SourceRange range;
  /// At plan time: true when it held, false never (a false require is a plan error), and
  /// nullopt when it depends on values known only after apply.
  std::optional<bool> held_at_plan;
};

/// One operation of a step, as planned: a change to a resource, an action, or a snapshot.
struct PlannedOperation {
  enum class Kind { kChange, kAction, kSnapshot };
  Kind kind = Kind::kChange;
  std::string id;            ///< unique in the plan: "<step id>#<n>", n counting from 0
  Operation operation;       ///< kChange / kAction: what the provider receives
  ResourceConfig snapshot_of;  ///< kSnapshot: the resource
  Value::Map snapshot_options;  ///< kSnapshot: the statement's attributes
  long long estimated_bytes = -1;  ///< kSnapshot: the provider's estimate, -1 if unknown
  bool reversible = true;    ///< false: no undo (an action without `undo`, say)
  std::string covered_by;    ///< irreversible but restored by this snapshot operation's id
  SourceRange range;         ///< the statement
};

/// One step instance in the plan. A for_each step gives one per element: `upgrade["n1"]`.
struct PlannedStep {
  std::string id;                       ///< "stop", or `upgrade["n1"]`
  std::string name;                     ///< the step's name in the program: "upgrade"
  std::string title;
  Value each;                           ///< {key, value} for a for_each instance; else null
  std::vector<std::string> depends_on;  ///< step ids, sorted
  std::vector<PlannedCheck> requires_;
  std::vector<PlannedOperation> operations;  ///< in statement order
  std::vector<PlannedCheck> verifies;
  SourceRange range;
};

/// The digest of one resource's observed state that the plan relied on. A saved plan whose
/// pins no longer match the real systems is stale and is refused.
struct Pin {
  std::string resource;  ///< resource (instance) name
  std::string digest;    ///< "sha256:<hex>" of the state's canonical JSON, secrets digested
};

/// The pin of a state: "sha256:<hex>" of its canonical JSON. Sensitivity marks are left out,
/// so the planner and the executor, which may mark a state differently, pin it alike; being a
/// hash, it never shows a secret.
std::string PinDigest(const State& state);

/// Counts for the `Plan: ...` line.
struct PlanSummary {
  int to_add = 0;
  int to_change = 0;
  int to_destroy = 0;
  int to_run = 0;
  int snapshots = 0;
  int steps_total = 0;
  int steps_reversible = 0;  ///< steps whose every operation is reversible or covered
  std::vector<std::string> irreversible;  ///< "step: what", for the rollback line
};

/// A whole plan. It owns the checked program, so checks and set attributes can be evaluated
/// again when it is applied (from memory or from a saved plan file).
struct Plan {
  /// The plan file format (plan_json.cc). 2: compact, defaults left out, operations name
  /// their resource. A file of another format is refused.
  static constexpr int kFormatVersion = 2;

  std::string plan_path;  ///< the .upg file, absolute
  std::string state_dir;
  std::shared_ptr<const Program> program;
  /// Sources of the plan and its imports (path -> text), so a saved plan applies as planned.
  std::map<std::string, std::string> sources;
  std::map<std::string, Value> inputs;  ///< every input's value; sensitive ones marked
  std::map<std::string, ResourceConfig> resources;  ///< evaluated, by instance name
  std::map<std::string, State> refreshed;           ///< what Read returned, by instance name
  std::vector<PlannedStep> steps;                   ///< in a topological order
  std::vector<Pin> pins;
  PlanSummary summary;
  std::string created_at;  ///< RFC 3339, UTC

  bool HasChanges() const;
  const PlannedStep* FindStep(const std::string& id) const;
};

}  // namespace upgrade
