// Evaluation of expressions against a scope that the planner or executor supplies.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lang/ir.h"
#include "lang/value.h"

namespace upgrade {

/// Answers the root names an expression refers to and runs the functions it calls.
class EvalScope {
 public:
  virtual ~EvalScope() = default;
  /// The value of a root name (`input`, `each`, a let, a resource as the map of its
  /// attributes, a step); nullopt when the name is unknown here.
  virtual std::optional<Value> Lookup(const std::string& name) = 0;
  /// Calls function `name`. On failure returns nullopt and sets `*error` (lower-case text).
  virtual std::optional<Value> Call(const std::string& name, const std::vector<Value>& args,
                                    std::string* error) = 0;
  /// The member `member` of root name `name` (`input.root`) when the scope can give it without
  /// building the whole root; nullopt means "look up the root", which then decides.
  virtual std::optional<Value> LookupMember(const std::string& name, const std::string& member) {
    (void)name;
    (void)member;
    return std::nullopt;
  }
};

/// The outcome of evaluating one expression.
struct EvalResult {
  bool ok = false;
  Value value;        ///< when ok
  std::string error;  ///< when not ok: what went wrong, e.g. "cannot compare string with number"
  SourceRange range;  ///< when not ok: the sub-expression at fault
  /// The values of the references and calls met on the way, as (source text, value) in order
  /// of evaluation: what a failed `require` shows the operator.
  std::vector<std::pair<std::string, Value>> trace;
};

/// Evaluates `expr`. Unknown operands make the result unknown; sensitive operands make it
/// sensitive. `&&` and `||` short-circuit.
EvalResult Evaluate(const Expr& expr, EvalScope& scope);
/// The same without the trace, for values that no message explains (attributes, for_each):
/// the trace's texts would cost more than the evaluation itself.
EvalResult EvaluateUntraced(const Expr& expr, EvalScope& scope);

/// The functions every plan has, whatever providers are loaded (`env`, `file`, `sha256`,
/// `lower`, `upper`, `length`, `contains`, `join`, `format`, `tostring`, `tonumber`): their
/// schemas, and a call to one of them. `base_dir` resolves relative paths for `file`.
class SchemaRegistry;
void RegisterBuiltinFunctions(SchemaRegistry& registry);
bool IsBuiltinFunction(const std::string& name);
std::optional<Value> CallBuiltinFunction(const std::string& name, const std::vector<Value>& args,
                                         const std::string& base_dir, std::string* error);

}  // namespace upgrade
