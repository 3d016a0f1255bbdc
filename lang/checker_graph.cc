// The order of a plan: dependency cycles (among steps, and among lets), steps that touch one
// resource with no order between them, and steps that change nothing that nobody waits for.
// Everything here is iterative and linear in the size of the plan, so 10,000-step plans check
// quickly and deep chains do not exhaust the stack.
#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "lang/checker.h"

namespace upgrade {
namespace {

/// A directed graph over indices, each edge keeping the DependencyEdge it came from.
struct Graph {
  std::vector<std::vector<std::pair<std::size_t, const DependencyEdge*>>> out;
};

/// Finds cycles by depth-first search; calls `report` once per cycle with its edges in order,
/// starting from the node that comes first. Nodes of a reported cycle are not reported again.
template <typename Report>
void FindCycles(const Graph& graph, Report report) {
  std::size_t n = graph.out.size();
  std::vector<int> color(n, 0);  // 0 unseen, 1 on the stack, 2 done
  std::vector<bool> reported(n, false);
  std::vector<std::size_t> stack_nodes;
  std::vector<std::size_t> stack_next;  // next edge to follow, per stack entry
  std::vector<const DependencyEdge*> stack_edges;  // edge into stack_nodes[i + 1]
  int reports = 0;
  for (std::size_t start = 0; start < n; ++start) {
    if (color[start] != 0) continue;
    stack_nodes.assign(1, start);
    stack_next.assign(1, 0);
    stack_edges.clear();
    color[start] = 1;
    while (!stack_nodes.empty()) {
      std::size_t node = stack_nodes.back();
      std::size_t& next = stack_next.back();
      if (next == graph.out[node].size()) {
        color[node] = 2;
        stack_nodes.pop_back();
        stack_next.pop_back();
        if (!stack_edges.empty()) stack_edges.pop_back();
        continue;
      }
      auto [to, edge] = graph.out[node][next++];
      if (color[to] == 0) {
        color[to] = 1;
        stack_nodes.push_back(to);
        stack_next.push_back(0);
        stack_edges.push_back(edge);
      } else if (color[to] == 1 && !reported[to] && reports < 20) {
        std::size_t first = std::find(stack_nodes.begin(), stack_nodes.end(), to) -
                            stack_nodes.begin();
        std::vector<std::size_t> nodes(stack_nodes.begin() + static_cast<std::ptrdiff_t>(first),
                                       stack_nodes.end());
        std::vector<const DependencyEdge*> edges(
            stack_edges.begin() + static_cast<std::ptrdiff_t>(first), stack_edges.end());
        edges.push_back(edge);
        bool fresh = std::none_of(nodes.begin(), nodes.end(),
                                  [&](std::size_t i) { return reported[i]; });
        if (fresh) {
          for (std::size_t i : nodes) reported[i] = true;
          std::size_t rotate = std::min_element(nodes.begin(), nodes.end()) - nodes.begin();
          std::rotate(nodes.begin(), nodes.begin() + static_cast<std::ptrdiff_t>(rotate), nodes.end());
          std::rotate(edges.begin(), edges.begin() + static_cast<std::ptrdiff_t>(rotate), edges.end());
          report(nodes, edges);
          ++reports;
        }
      }
    }
  }
}

template <typename Names>
void ReportCycle(const std::vector<std::size_t>& nodes,
                 const std::vector<const DependencyEdge*>& edges, Names name_of,
                 Diagnostics& diagnostics) {
  std::string text = "dependency cycle: ";
  for (std::size_t i : nodes) text += name_of(i) + " -> ";
  text += name_of(nodes[0]);
  Diagnostic& error = diagnostics.Error(edges[0]->range, text);
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const DependencyEdge& edge = *edges[k];
    std::string from = "'" + name_of(nodes[k]) + "'";
    std::string to = "'" + edge.to + "'";
    std::string note = edge.is_after ? from + " runs after " + to
                       : edge.via_let.empty()
                           ? from + " refers to " + to
                           : from + " refers to " + to + " through let '" + edge.via_let + "'";
    error.notes.push_back({Severity::kNote, edge.range, note, {}});
  }
}

}  // namespace

void CheckLetCycles(const Program& program, const std::vector<std::vector<DependencyEdge>>& let_refs,
                    Diagnostics& diagnostics) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < program.lets.size(); ++i) index[program.lets[i].name] = i;
  Graph graph;
  graph.out.resize(program.lets.size());
  for (std::size_t i = 0; i < let_refs.size(); ++i) {
    for (const auto& ref : let_refs[i]) {
      auto it = index.find(ref.to);
      if (it != index.end()) graph.out[i].emplace_back(it->second, &ref);
    }
  }
  FindCycles(graph, [&](const auto& nodes, const auto& edges) {
    ReportCycle(nodes, edges, [&](std::size_t i) { return program.lets[i].name; }, diagnostics);
  });
}

std::vector<std::vector<std::string>> StepsThroughLets(
    const Program& program, const std::vector<std::vector<DependencyEdge>>& let_refs) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < program.lets.size(); ++i) index[program.lets[i].name] = i;
  std::vector<std::vector<std::string>> steps(program.lets.size());
  std::vector<int> state(program.lets.size(), 0);  // 0 new, 1 in progress, 2 done
  // Post-order over the let graph, iteratively; a let in a cycle sees what is done so far.
  for (std::size_t root = 0; root < program.lets.size(); ++root) {
    if (state[root] != 0) continue;
    std::vector<std::pair<std::size_t, std::size_t>> stack = {{root, 0}};
    state[root] = 1;
    while (!stack.empty()) {
      auto& [let, next] = stack.back();
      if (next < let_refs[let].size()) {
        const DependencyEdge& ref = let_refs[let][next++];
        auto it = index.find(ref.to);
        if (it == index.end()) {
          steps[let].push_back(ref.to);
        } else if (state[it->second] == 0) {
          state[it->second] = 1;
          stack.emplace_back(it->second, 0);
        } else {
          steps[let].insert(steps[let].end(), steps[it->second].begin(), steps[it->second].end());
        }
        continue;
      }
      std::size_t done = let;
      std::sort(steps[done].begin(), steps[done].end());
      steps[done].erase(std::unique(steps[done].begin(), steps[done].end()), steps[done].end());
      state[done] = 2;
      stack.pop_back();
      if (!stack.empty()) {
        auto& parent = steps[stack.back().first];
        parent.insert(parent.end(), steps[done].begin(), steps[done].end());
      }
    }
  }
  return steps;
}

namespace {

/// Kahn's algorithm, taking ready steps in file order; position of each step in the order.
std::vector<std::size_t> TopologicalPositions(const std::vector<std::vector<std::size_t>>& deps) {
  std::size_t n = deps.size();
  std::vector<std::vector<std::size_t>> dependents(n);
  std::vector<std::size_t> waiting(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    waiting[i] = deps[i].size();
    for (std::size_t d : deps[i]) dependents[d].push_back(i);
  }
  std::vector<std::size_t> ready, position(n, 0);
  for (std::size_t i = n; i-- > 0;)
    if (waiting[i] == 0) ready.push_back(i);
  std::size_t next = 0;
  while (!ready.empty()) {
    std::size_t step = ready.back();
    ready.pop_back();
    position[step] = next++;
    for (std::size_t dependent : dependents[step])
      if (--waiting[dependent] == 0) ready.push_back(dependent);
  }
  return position;
}

/// Whether `later` depends on `earlier`, directly or not; only steps placed between them in
/// the topological order can be on the way.
bool DependsOn(std::size_t later, std::size_t earlier, const std::vector<std::vector<std::size_t>>& deps,
               const std::vector<std::size_t>& position, std::vector<std::size_t>& seen_mark,
               std::size_t mark) {
  std::vector<std::size_t> stack = {later};
  seen_mark[later] = mark;
  while (!stack.empty()) {
    std::size_t step = stack.back();
    stack.pop_back();
    for (std::size_t d : deps[step]) {
      if (d == earlier) return true;
      if (seen_mark[d] == mark || position[d] < position[earlier]) continue;
      seen_mark[d] = mark;
      stack.push_back(d);
    }
  }
  return false;
}

void CheckTouches(const Program& program, const std::vector<std::vector<std::size_t>>& deps,
                  const std::vector<std::map<std::string, const SourceRange*>>& touch_sites,
                  Diagnostics& diagnostics) {
  // The steps touching each resource. Only a resource touched by two or more steps needs an
  // order between them; those are checked by name, so that errors come in a stable order.
  std::unordered_map<std::string_view, std::vector<std::size_t>> by_resource;
  for (std::size_t i = 0; i < touch_sites.size(); ++i)
    for (const auto& [resource, range] : touch_sites[i]) by_resource[resource].push_back(i);
  std::vector<std::pair<std::string_view, std::vector<std::size_t>*>> shared;
  for (auto& [resource, steps] : by_resource) {
    if (steps.size() > 1) shared.emplace_back(resource, &steps);
  }
  if (shared.empty()) return;
  std::sort(shared.begin(), shared.end());
  std::vector<std::size_t> position = TopologicalPositions(deps);
  std::vector<std::size_t> seen_mark(deps.size(), 0);
  std::size_t mark = 0;
  for (auto& [resource_name, touching] : shared) {
    const std::string resource(resource_name);
    std::vector<std::size_t>& steps = *touching;
    std::sort(steps.begin(), steps.end(),
              [&](std::size_t a, std::size_t b) { return position[a] < position[b]; });
    for (std::size_t k = 1; k < steps.size(); ++k) {
      std::size_t earlier = steps[k - 1], later = steps[k];
      if (DependsOn(later, earlier, deps, position, seen_mark, ++mark)) continue;
      const std::string& a = program.steps[std::min(earlier, later)].name;
      const std::string& b = program.steps[std::max(earlier, later)].name;
      std::size_t second = std::max(earlier, later), first = std::min(earlier, later);
      Diagnostic& error = diagnostics.Error(
          *touch_sites[second].at(resource),
          "steps '" + a + "' and '" + b + "' both touch '" + resource +
              "' with no order between them");
      error.notes.push_back({Severity::kNote, *touch_sites[first].at(resource),
                             "'" + a + "' touches '" + resource + "' here", {}});
      error.notes.push_back({Severity::kNote, {}, "add after = [" + a + "] to step '" + b + "'", {}});
    }
  }
}

}  // namespace

void CheckStepGraph(Program& program, const std::vector<std::vector<DependencyEdge>>& edges,
                    const std::vector<std::map<std::string, const SourceRange*>>& touch_sites, bool warn,
                    Diagnostics& diagnostics) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < program.steps.size(); ++i) index[program.steps[i].name] = i;
  Graph graph;
  graph.out.resize(program.steps.size());
  std::vector<std::vector<std::size_t>> deps(program.steps.size());
  std::vector<bool> depended_on(program.steps.size(), false);
  for (std::size_t i = 0; i < edges.size(); ++i) {
    Step& step = program.steps[i];
    step.depends_on.clear();
    for (const auto& edge : edges[i]) {
      auto it = index.find(edge.to);
      if (it == index.end()) continue;
      graph.out[i].emplace_back(it->second, &edge);
      deps[i].push_back(it->second);
      depended_on[it->second] = true;
      step.depends_on.push_back(edge.to);
    }
    std::sort(step.depends_on.begin(), step.depends_on.end());
    step.depends_on.erase(std::unique(step.depends_on.begin(), step.depends_on.end()),
                          step.depends_on.end());
    std::sort(deps[i].begin(), deps[i].end());
    deps[i].erase(std::unique(deps[i].begin(), deps[i].end()), deps[i].end());
    step.touches.clear();
    for (const auto& [resource, range] : touch_sites[i]) step.touches.push_back(resource);
  }
  int errors_before = diagnostics.ErrorCount();
  FindCycles(graph, [&](const auto& nodes, const auto& cycle_edges) {
    ReportCycle(nodes, cycle_edges, [&](std::size_t i) { return program.steps[i].name; },
                diagnostics);
  });
  if (diagnostics.ErrorCount() > errors_before) return;
  CheckTouches(program, deps, touch_sites, diagnostics);
  if (!warn) return;
  for (std::size_t i = 0; i < program.steps.size(); ++i) {
    const Step& step = program.steps[i];
    bool changes = std::any_of(step.statements.begin(), step.statements.end(), [](const auto& s) {
      return s.kind != Statement::Kind::kRequire && s.kind != Statement::Kind::kVerify;
    });
    if (changes || depended_on[i] || step.range.begin.path != program.path) continue;
    diagnostics.Warning(step.range, "step '" + step.name +
                                        "' changes nothing and no step depends on it");
  }
}

}  // namespace upgrade
