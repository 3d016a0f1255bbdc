// The checker: resolves names, checks a parsed Program against provider schemas, and fills the
// dependency fields of steps. Internal to lang/; LoadProgram (loader.cc) is the front door.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "lang/diagnostic.h"
#include "lang/ir.h"
#include "lang/loader.h"
#include "lang/schema.h"

namespace upgrade {

/// The closest of `candidates` to `name` when it is close enough to be a typo, else "".
std::string Suggest(const std::string& name, const std::vector<std::string>& candidates);
/// ", did you mean 'x'?" for the closest candidate, or "".
std::string DidYouMean(const std::string& name, const std::vector<std::string>& candidates);

/// Checks one program (its imports merged already). `is_main`: the file the user named, which
/// must have a plan block, and whose inputs and steps get warnings.
void CheckProgram(Program& program, const SchemaRegistry& registry, const CheckOptions& options,
                  bool is_main, Diagnostics& diagnostics);

/// One reference from a step or let to a step or let: to whom, where, and why.
struct DependencyEdge {
  std::string to;
  SourceRange range;
  std::string via_let;  ///< the let the reference went through, if any
  bool is_after = false;
};
/// Reports cycles among lets (`let a = b`, `let b = a`); `let_refs[i]` are let i's references.
void CheckLetCycles(const Program& program, const std::vector<std::vector<DependencyEdge>>& let_refs,
                    Diagnostics& diagnostics);
/// For each let, the steps it refers to directly or through other lets, sorted.
std::vector<std::vector<std::string>> StepsThroughLets(
    const Program& program, const std::vector<std::vector<DependencyEdge>>& let_refs);

/// Orders steps and reports what the order gets wrong: cycles through `after` and references,
/// steps touching one resource without an order, and (when `warn`) steps that change nothing
/// and that nothing depends on. `edges[i]` are step i's dependencies; `touch_sites[i]` the
/// resources it touches with the range (in `program`) of the statement that does. Fills
/// Step::depends_on and touches.
void CheckStepGraph(Program& program, const std::vector<std::vector<DependencyEdge>>& edges,
                    const std::vector<std::map<std::string, const SourceRange*>>& touch_sites,
                    bool warn, Diagnostics& diagnostics);

}  // namespace upgrade
