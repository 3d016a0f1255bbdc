// Building the step DAG on a Boost.Graph adjacency list, ordering it, drawing it.
#include "planner/step_graph.h"

#include <boost/graph/adjacency_list.hpp>

#include <algorithm>
#include <functional>
#include <queue>
#include <set>
#include <unordered_map>

#include "planner/plan_scope.h"

namespace upgrade {

/// Edges run from a step to the steps that must wait for it.
struct StepGraph::Impl {
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;
  Graph graph;
};

StepGraph::StepGraph() : impl_(std::make_unique<Impl>()) {}
StepGraph::~StepGraph() = default;
StepGraph::StepGraph(StepGraph&&) noexcept = default;
StepGraph& StepGraph::operator=(StepGraph&&) noexcept = default;

namespace {

std::string Quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

/// A cycle among `remaining` (nodes left when the topological walk stopped), as
/// "a -> b -> a", following edges from the first remaining node.
template <typename Graph>
std::string FindCycle(const Graph& graph, const std::vector<StepInstance>& nodes,
                      const std::vector<bool>& remaining) {
  size_t start = 0;
  while (start < remaining.size() && !remaining[start]) ++start;
  // Every remaining node has a remaining predecessor, so walking backwards must loop.
  std::vector<int> seen_at(nodes.size(), -1);
  std::vector<size_t> path;
  size_t node = start;
  while (seen_at[node] < 0) {
    seen_at[node] = static_cast<int>(path.size());
    path.push_back(node);
    for (auto [it, end] = boost::in_edges(node, graph); it != end; ++it) {
      size_t from = boost::source(*it, graph);
      if (remaining[from]) {
        node = from;
        break;
      }
    }
  }
  // The walk followed dependencies, so the path reads "a depends on b depends on ...".
  std::vector<size_t> cycle(path.begin() + seen_at[node], path.end());
  std::string text;
  for (size_t n : cycle) text += nodes[n].id + " -> ";
  return text + nodes[cycle.front()].id;
}

}  // namespace

std::optional<StepGraph> StepGraph::Build(
    const Program& program,
    const std::map<std::string, std::vector<std::pair<std::string, Value>>>& elements,
    Diagnostics& diagnostics) {
  StepGraph result;
  // Only looked up, never walked in order: hashed, as a plan has thousands of steps.
  std::unordered_map<std::string, std::vector<size_t>> by_step;
  by_step.reserve(program.steps.size());
  result.instances_.reserve(program.steps.size());  // one each, unless for_each makes more
  for (const Step& step : program.steps) {
    std::vector<size_t>& indexes = by_step[step.name];
    if (!step.for_each) {
      indexes.push_back(result.instances_.size());
      result.instances_.push_back({step.name, &step, Value(), {}});
      continue;
    }
    auto it = elements.find(step.name);
    if (it == elements.end()) continue;
    for (const auto& [key, value] : it->second) {
      indexes.push_back(result.instances_.size());
      result.instances_.push_back(
          {InstanceName(step.name, key), &step, Value(Value::Map{{"key", key}, {"value", value}}),
           {}});
    }
  }
  auto& graph = result.impl_->graph;
  graph = Impl::Graph(result.instances_.size());
  std::vector<std::set<size_t>> preds(result.instances_.size());
  bool ok = true;
  for (const Step& step : program.steps) {
    const std::vector<size_t>& mine = by_step[step.name];
    std::set<std::string> names(step.depends_on.begin(), step.depends_on.end());
    for (const StepRef& ref : step.after) {
      if (by_step.count(ref.name) == 0) {
        diagnostics.Error(ref.range, "unknown step " + ref.name + " in after");
        ok = false;
        continue;
      }
      names.insert(ref.name);
    }
    for (const std::string& name : names) {
      auto dep = by_step.find(name);
      if (dep == by_step.end() || name == step.name) continue;
      for (size_t to : mine) preds[to].insert(dep->second.begin(), dep->second.end());
    }
    // `serial = N`: each batch of N instances waits for the whole batch before it.
    if (step.serial > 0) {
      size_t batch = static_cast<size_t>(step.serial);
      for (size_t i = batch; i < mine.size(); ++i) {
        size_t previous_start = (i / batch - 1) * batch;
        for (size_t j = previous_start; j < previous_start + batch; ++j) preds[mine[i]].insert(mine[j]);
      }
    }
  }
  if (!ok) return std::nullopt;
  for (size_t to = 0; to < preds.size(); ++to) {
    for (size_t from : preds[to]) {
      boost::add_edge(from, to, graph);
      result.instances_[to].depends_on.push_back(result.instances_[from].id);
    }
    std::sort(result.instances_[to].depends_on.begin(), result.instances_[to].depends_on.end());
  }

  // Kahn's walk; a min-heap on the index keeps ready steps in program order.
  std::vector<size_t> waiting(result.instances_.size());
  std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>> ready;
  for (size_t v = 0; v < waiting.size(); ++v) {
    waiting[v] = boost::in_degree(v, graph);
    if (waiting[v] == 0) ready.push(v);
  }
  while (!ready.empty()) {
    size_t v = ready.top();
    ready.pop();
    result.order_.push_back(v);
    for (auto [it, end] = boost::out_edges(v, graph); it != end; ++it) {
      size_t to = boost::target(*it, graph);
      if (--waiting[to] == 0) ready.push(to);
    }
  }
  if (result.order_.size() != result.instances_.size()) {
    std::vector<bool> remaining(result.instances_.size(), true);
    for (size_t v : result.order_) remaining[v] = false;
    std::string cycle = FindCycle(graph, result.instances_, remaining);
    size_t first = 0;
    while (!remaining[first]) ++first;
    diagnostics.Error(result.instances_[first].step->range, "dependency cycle: " + cycle);
    return std::nullopt;
  }
  return result;
}

std::string StepGraph::ToDot() const {
  std::string out = "digraph steps {\n  rankdir = LR;\n  node [shape = box];\n";
  for (const StepInstance& instance : instances_) {
    std::string label = instance.id;
    if (!instance.step->title.empty()) label += "\\n" + instance.step->title;
    // The label is escaped by hand: `\n` must stay a DOT line break.
    std::string escaped;
    for (size_t i = 0; i < label.size(); ++i) {
      if (label[i] == '"') escaped += "\\\"";
      else escaped += label[i];
    }
    out += "  " + Quoted(instance.id) + " [label = \"" + escaped + "\"];\n";
  }
  const auto& graph = impl_->graph;
  for (size_t v : order_) {
    for (auto [it, end] = boost::out_edges(v, graph); it != end; ++it) {
      out += "  " + Quoted(instances_[v].id) + " -> " +
             Quoted(instances_[boost::target(*it, graph)].id) + ";\n";
    }
  }
  return out + "}\n";
}

}  // namespace upgrade
