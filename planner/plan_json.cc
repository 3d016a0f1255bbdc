// Reading plan files (format 2, written by plan_json_writer.cc). Members that hold their
// default are left out of the file: a missing string is empty, a missing list or map is empty, a
// missing expression is none, a missing number is 0 (estimated_bytes: -1), a missing flag is
// false (reversible: true), a missing action is kNone; an attribute change's before or after
// left out is that attribute in the change's before or after state (null if none). Ranges are
// [path index, line, column, end column] against the table of paths at the end. An operation's
// resource is either written out or, when it is the plan's evaluated resource, its name. An
// expression is [kind, range, literal, name, keys, operands] without its trailing defaults.
#include "planner/plan_json.h"

#include <nlohmann/json.hpp>

#include "lang/value_json.h"

namespace upgrade {
namespace {

using json = nlohmann::json;

std::string Text(const json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() ? std::string() : it->get<std::string>();
}
long long Number(const json& j, const char* key, long long fallback = 0) {
  auto it = j.find(key);
  return it == j.end() ? fallback : it->get<long long>();
}
bool Flag(const json& j, const char* key, bool fallback = false) {
  auto it = j.find(key);
  return it == j.end() ? fallback : it->get<bool>();
}
std::vector<std::string> Texts(const json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() ? std::vector<std::string>() : it->get<std::vector<std::string>>();
}
Value::Map MapFrom(const json& j) {
  Value value = ValueFromJson(j);
  return value.is_map() ? value.as_map() : Value::Map();
}
Value::Map MapAt(const json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() ? Value::Map() : MapFrom(*it);
}

/// Decodes ranges against the table the writer produced.
class RangeReader {
 public:
  explicit RangeReader(const std::vector<std::string>& paths) : paths_(paths.begin(), paths.end()) {}
  SourceRange Read(const json& j) const {
    SourceRange range;
    if (!j.is_array() || j.size() != 4) return range;
    size_t index = j[0].get<size_t>();
    if (index < paths_.size()) range.begin.path = paths_[index];
    range.begin.line = j[1].get<int>();
    range.begin.column = j[2].get<int>();
    range.end_column = j[3].get<int>();
    return range;
  }
  SourceRange At(const json& j, const char* key) const {
    auto it = j.find(key);
    return it == j.end() ? SourceRange() : Read(*it);
  }

 private:
  std::vector<SourcePath> paths_;  ///< each made once, shared by the ranges read
};

Expr ExprFrom(const json& j, const RangeReader& ranges) {
  // [kind, range, literal, name, keys, operands], trailing defaults left out.
  Expr expr;
  expr.kind = static_cast<Expr::Kind>(j.at(0).get<int>());
  expr.range = ranges.Read(j.at(1));
  size_t size = j.size();
  if (size > 2 && expr.kind == Expr::Kind::kLiteral) expr.literal = ValueFromJson(j[2]);
  if (size > 3) expr.name = j[3].get<std::string>();
  if (size > 4) expr.keys = j[4].get<std::vector<std::string>>();
  if (size > 5) {
    expr.operands.reserve(j[5].size());
    for (const json& operand : j[5]) expr.operands.push_back(ExprFrom(operand, ranges));
  }
  return expr;
}

std::optional<Expr> OptExprAt(const json& j, const char* key, const RangeReader& ranges) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return ExprFrom(*it, ranges);
}

std::vector<Attribute> AttributesAt(const json& j, const char* key, const RangeReader& ranges) {
  std::vector<Attribute> out;
  auto it = j.find(key);
  if (it == j.end()) return out;
  for (const json& a : *it)
    out.push_back({a.at(0).get<std::string>(), ExprFrom(a.at(1), ranges), ranges.Read(a.at(2))});
  return out;
}

Statement StatementFrom(const json& j, const RangeReader& ranges) {
  Statement s;
  s.kind = static_cast<Statement::Kind>(j.at("kind").get<int>());
  s.range = ranges.At(j, "range");
  s.target = Text(j, "target");
  s.target_index = OptExprAt(j, "target_index", ranges);
  s.attributes = AttributesAt(j, "attributes", ranges);
  s.condition = OptExprAt(j, "condition", ranges);
  s.message = Text(j, "message");
  s.within = Duration(Number(j, "within_ms"));
  s.every = Duration(Number(j, "every_ms"));
  return s;
}

PlanBlock PlanBlockFrom(const json& j, const RangeReader& ranges) {
  PlanBlock block;
  block.name = Text(j, "name");
  block.description = Text(j, "description");
  if (auto w = j.find("window"); w != j.end() && !w->is_null()) {
    block.window = MaintenanceWindow{w->at("text").get<std::string>(),
                                     w->at("weekdays").get<std::vector<int>>(),
                                     w->at("start_minute").get<int>(),
                                     w->at("end_minute").get<int>(),
                                     w->at("utc_offset_minutes").get<int>()};
  }
  block.on_failure = Text(j, "on_failure") == "stop" ? OnFailure::kStop : OnFailure::kRollback;
  block.range = ranges.At(j, "range");
  return block;
}

Step StepFrom(const json& j, const RangeReader& ranges) {
  Step step;
  step.name = j.at("name").get<std::string>();
  step.title = Text(j, "title");
  if (auto after = j.find("after"); after != j.end()) {
    for (const json& ref : *after)
      step.after.push_back({ref.at(0).get<std::string>(), ranges.Read(ref.at(1))});
  }
  for (const json& s : j.at("statements")) step.statements.push_back(StatementFrom(s, ranges));
  step.for_each = OptExprAt(j, "for_each", ranges);
  step.serial = static_cast<int>(Number(j, "serial"));
  step.range = ranges.At(j, "range");
  step.depends_on = Texts(j, "depends_on");
  step.touches = Texts(j, "touches");
  return step;
}

Program ProgramFrom(const json& j, const RangeReader& ranges) {
  Program program;
  program.path = j.at("path").get<std::string>();
  program.plan = PlanBlockFrom(j.at("plan"), ranges);
  for (const json& i : j.at("inputs"))
    program.inputs.push_back({i.at("name").get<std::string>(), OptExprAt(i, "default", ranges),
                              Text(i, "description"), Flag(i, "sensitive"), Text(i, "type"),
                              ranges.At(i, "range")});
  for (const json& l : j.at("lets"))
    program.lets.push_back({l.at("name").get<std::string>(), ExprFrom(l.at("value"), ranges),
                            ranges.At(l, "range")});
  program.resources.reserve(j.at("resources").size());
  for (const json& r : j.at("resources"))
    program.resources.push_back({r.at("type").get<std::string>(), r.at("name").get<std::string>(),
                                 AttributesAt(r, "attributes", ranges),
                                 OptExprAt(r, "for_each", ranges), ranges.At(r, "range"),
                                 ranges.At(r, "type_range")});
  program.steps.reserve(j.at("steps").size());
  for (const json& s : j.at("steps")) program.steps.push_back(StepFrom(s, ranges));
  for (const json& i : j.at("imports"))
    program.imports.push_back({i.at("path").get<std::string>(),
                               i.at("resolved_path").get<std::string>(),
                               i.at("alias").get<std::string>(), AttributesAt(i, "inputs", ranges),
                               ranges.At(i, "range")});
  return program;
}

State StateFrom(const json& j) {
  State state;
  state.exists = Flag(j, "exists");
  state.attributes = MapAt(j, "attributes");
  return state;
}

ResourceConfig ResourceFrom(const json& j) {
  ResourceConfig r;
  r.type = j.at("type").get<std::string>();
  r.name = j.at("name").get<std::string>();
  r.config = MapAt(j, "config");
  return r;
}

PlannedCheck CheckFrom(const json& j, const RangeReader& ranges) {
  PlannedCheck c;
  c.is_verify = Flag(j, "is_verify");
  c.condition = ExprFrom(j.at("condition"), ranges);
  c.message = Text(j, "message");
  c.within = Duration(Number(j, "within_ms"));
  c.every = Duration(Number(j, "every_ms"));
  c.range = ranges.At(j, "range");
  if (auto held = j.find("held_at_plan"); held != j.end()) c.held_at_plan = held->get<bool>();
  return c;
}

Value AttributeOf(const State& state, const std::string& name) {
  auto it = state.attributes.find(name);
  return it == state.attributes.end() ? Value() : it->second;
}

Change ChangeFrom(const json& j) {
  Change change;
  change.action = static_cast<ChangeAction>(Number(j, "action"));
  change.before = StateFrom(j.at("before"));
  change.after = StateFrom(j.at("after"));
  if (auto attributes = j.find("attributes"); attributes != j.end()) {
    // [name, flags, before if flags & 4, after if flags & 8]; left out: the state's value.
    for (const json& a : *attributes) {
      std::string name = a.at(0).get<std::string>();
      int flags = a.at(1).get<int>();
      size_t next = 2;
      Value before =
          (flags & 4) != 0 ? ValueFromJson(a.at(next++)) : AttributeOf(change.before, name);
      Value after =
          (flags & 8) != 0 ? ValueFromJson(a.at(next++)) : AttributeOf(change.after, name);
      change.attributes.push_back({std::move(name), std::move(before), std::move(after),
                                   (flags & 1) != 0, (flags & 2) != 0});
    }
  }
  if (auto data = j.find("private_data"); data != j.end())
    change.private_data = ValueFromJson(*data);
  change.notes = Texts(j, "notes");
  return change;
}

PlannedOperation OperationFrom(const json& j, const Plan& plan, const RangeReader& ranges) {
  PlannedOperation op;
  op.kind = static_cast<PlannedOperation::Kind>(Number(j, "kind"));
  op.id = j.at("id").get<std::string>();
  op.operation.kind = op.kind == PlannedOperation::Kind::kAction ? Operation::Kind::kAction
                                                                   : Operation::Kind::kChange;
  const json& resource = j.at("resource");
  if (resource.is_string()) {
    op.operation.resource = plan.resources.at(resource.get<std::string>());
  } else {
    op.operation.resource = ResourceFrom(resource);
  }
  op.operation.change = ChangeFrom(j.at("change"));
  if (auto of = j.find("snapshot_of"); of != j.end()) op.snapshot_of = ResourceFrom(*of);
  op.snapshot_options = MapAt(j, "snapshot_options");
  op.estimated_bytes = Number(j, "estimated_bytes", -1);
  op.reversible = Flag(j, "reversible", true);
  op.covered_by = Text(j, "covered_by");
  op.range = ranges.At(j, "range");
  return op;
}

PlannedStep StepOfPlanFrom(const json& s, const Plan& plan, const RangeReader& ranges) {
  PlannedStep step;
  step.id = s.at("id").get<std::string>();
  step.name = s.contains("name") ? s["name"].get<std::string>() : step.id;
  step.title = Text(s, "title");
  if (auto each = s.find("each"); each != s.end()) step.each = ValueFromJson(*each);
  step.depends_on = Texts(s, "depends_on");
  if (auto checks = s.find("requires"); checks != s.end())
    for (const json& c : *checks) step.requires_.push_back(CheckFrom(c, ranges));
  if (auto checks = s.find("verifies"); checks != s.end())
    for (const json& c : *checks) step.verifies.push_back(CheckFrom(c, ranges));
  for (const json& op : s.at("operations"))
    step.operations.push_back(OperationFrom(op, plan, ranges));
  step.range = ranges.At(s, "range");
  return step;
}

}  // namespace

std::optional<Plan> PlanFromFileJson(json j, std::string* error) {
  try {
    int version = j.at("format_version").get<int>();
    if (version > Plan::kFormatVersion) {
      *error = "plan file format " + std::to_string(version) + " is newer than this upgrade (" +
               std::to_string(Plan::kFormatVersion) + ")";
      return std::nullopt;
    }
    if (version < Plan::kFormatVersion) {
      *error = "plan file format " + std::to_string(version) + " is older than this upgrade (" +
               std::to_string(Plan::kFormatVersion) + "): make the plan again with upgrade plan";
      return std::nullopt;
    }
    RangeReader ranges(j.at("paths").get<std::vector<std::string>>());
    Plan plan;
    plan.plan_path = j.at("plan_path").get<std::string>();
    plan.state_dir = Text(j, "state_dir");
    plan.created_at = Text(j, "created_at");
    plan.sources = j.at("sources").get<std::map<std::string, std::string>>();
    if (auto program = j.find("program"); program != j.end()) {
      plan.program = std::make_shared<const Program>(ProgramFrom(*program, ranges));
      *program = nullptr;
    }
    for (const auto& [name, value] : j.at("inputs").items())
      plan.inputs[name] = ValueFromJson(value);
    for (const auto& [name, r] : j.at("resources").items())
      plan.resources[name] = ResourceConfig{r.at("type").get<std::string>(), name,
                                            MapAt(r, "config")};
    j.at("resources") = nullptr;
    for (const auto& [name, s] : j.at("refreshed").items()) plan.refreshed[name] = StateFrom(s);
    j.at("refreshed") = nullptr;
    plan.steps.reserve(j.at("steps").size());
    for (json& s : j.at("steps")) {
      plan.steps.push_back(StepOfPlanFrom(s, plan, ranges));
      s = nullptr;
    }
    for (const json& p : j.at("pins"))
      plan.pins.push_back({p.at(0).get<std::string>(), p.at(1).get<std::string>()});
    const json& s = j.at("summary");
    plan.summary = {s.at("to_add").get<int>(), s.at("to_change").get<int>(),
                    s.at("to_destroy").get<int>(), s.at("to_run").get<int>(),
                    s.at("snapshots").get<int>(), s.at("steps_total").get<int>(),
                    s.at("steps_reversible").get<int>(),
                    s.at("irreversible").get<std::vector<std::string>>()};
    return plan;
  } catch (const std::exception& e) {
    // nlohmann's errors, and a resource named by an operation that the file does not hold.
    *error = std::string("malformed plan file: ") + e.what();
    return std::nullopt;
  }
}

}  // namespace upgrade
