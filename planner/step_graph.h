// The step DAG: every step instance (a for_each step gives one per element, `name["key"]`) and
// the edges that order them: `after`, references between steps, and the batches of `serial`
// (each batch after the whole previous one). Boost.Graph stays inside this module.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lang/diagnostic.h"
#include "lang/ir.h"

namespace upgrade {

/// One node of the DAG: a step, or one instance of a for_each step.
struct StepInstance {
  std::string id;    ///< "stop", or `upgrade["n1"]`
  const Step* step;  ///< the step in the program
  Value each;        ///< {key, value} for a for_each instance; else null
  std::vector<std::string> depends_on;  ///< direct dependencies (instance ids), sorted
};

/// The DAG of step instances of one program.
class StepGraph {
 public:
  StepGraph();
  ~StepGraph();
  StepGraph(StepGraph&&) noexcept;
  StepGraph& operator=(StepGraph&&) noexcept;

  /// Builds the DAG. `elements` holds, for each for_each step name, its evaluated elements
  /// (key, value). An unknown step in `after` or a cycle is an error in `diagnostics`.
  static std::optional<StepGraph> Build(
      const Program& program,
      const std::map<std::string, std::vector<std::pair<std::string, Value>>>& elements,
      Diagnostics& diagnostics);

  /// Every instance, in program order (for_each instances in element order).
  const std::vector<StepInstance>& instances() const { return instances_; }
  /// Instance indexes in a topological order; among ready steps, program order first.
  const std::vector<size_t>& order() const { return order_; }
  /// The DAG in Graphviz DOT.
  std::string ToDot() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<StepInstance> instances_;
  std::vector<size_t> order_;
};

}  // namespace upgrade
