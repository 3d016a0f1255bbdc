// JSON encoding of programs and plans for plan files. Source ranges are written compactly as
// [path index, line, column, end column] against a table of paths, because a plan with
// thousands of steps would otherwise repeat the same path thousands of times.
#include "planner/plan_json.h"

#include <nlohmann/json.hpp>

#include "lang/value_json.h"

namespace upgrade {
namespace {

using json = nlohmann::json;

/// Encodes ranges against a growing table of paths.
class RangeWriter {
 public:
  json Write(const SourceRange& range) {
    auto [it, added] = index_.emplace(range.begin.path, paths_.size());
    if (added) paths_.push_back(range.begin.path);
    return json::array({it->second, range.begin.line, range.begin.column, range.end_column});
  }
  json Paths() const { return paths_; }

 private:
  std::map<std::string, size_t> index_;
  std::vector<std::string> paths_;
};

/// Decodes ranges against the table the writer produced.
class RangeReader {
 public:
  explicit RangeReader(std::vector<std::string> paths) : paths_(std::move(paths)) {}
  SourceRange Read(const json& j) const {
    SourceRange range;
    if (!j.is_array() || j.size() != 4) return range;
    size_t index = j[0].get<size_t>();
    range.begin.path = index < paths_.size() ? paths_[index] : "";
    range.begin.line = j[1].get<int>();
    range.begin.column = j[2].get<int>();
    range.end_column = j[3].get<int>();
    return range;
  }

 private:
  std::vector<std::string> paths_;
};

json Val(const Value& value) { return ValueToJson(value, SecretPolicy::kDigest); }

json ExprJson(const Expr& expr, RangeWriter& ranges) {
  json out = {{"k", static_cast<int>(expr.kind)}, {"r", ranges.Write(expr.range)}};
  if (expr.kind == Expr::Kind::kLiteral) out["v"] = Val(expr.literal);
  if (!expr.name.empty()) out["n"] = expr.name;
  if (!expr.keys.empty()) out["ks"] = expr.keys;
  if (!expr.operands.empty()) {
    json operands = json::array();
    for (const Expr& operand : expr.operands) operands.push_back(ExprJson(operand, ranges));
    out["o"] = std::move(operands);
  }
  return out;
}

Expr ExprFrom(const json& j, const RangeReader& ranges) {
  Expr expr;
  expr.kind = static_cast<Expr::Kind>(j.at("k").get<int>());
  expr.range = ranges.Read(j.at("r"));
  if (j.contains("v")) expr.literal = ValueFromJson(j["v"]);
  expr.name = j.value("n", "");
  if (j.contains("ks")) expr.keys = j["ks"].get<std::vector<std::string>>();
  if (j.contains("o"))
    for (const json& operand : j["o"]) expr.operands.push_back(ExprFrom(operand, ranges));
  return expr;
}

json OptExpr(const std::optional<Expr>& expr, RangeWriter& ranges) {
  return expr ? ExprJson(*expr, ranges) : json(nullptr);
}
std::optional<Expr> OptExprFrom(const json& j, const RangeReader& ranges) {
  if (j.is_null()) return std::nullopt;
  return ExprFrom(j, ranges);
}

json AttributesJson(const std::vector<Attribute>& attributes, RangeWriter& ranges) {
  json out = json::array();
  for (const Attribute& a : attributes)
    out.push_back({{"name", a.name}, {"value", ExprJson(a.value, ranges)},
                   {"range", ranges.Write(a.range)}});
  return out;
}
std::vector<Attribute> AttributesFrom(const json& j, const RangeReader& ranges) {
  std::vector<Attribute> out;
  for (const json& a : j)
    out.push_back({a.at("name").get<std::string>(), ExprFrom(a.at("value"), ranges),
                   ranges.Read(a.at("range"))});
  return out;
}

json StatementJson(const Statement& s, RangeWriter& ranges) {
  return {{"kind", static_cast<int>(s.kind)},
          {"range", ranges.Write(s.range)},
          {"target", s.target},
          {"target_index", OptExpr(s.target_index, ranges)},
          {"attributes", AttributesJson(s.attributes, ranges)},
          {"condition", OptExpr(s.condition, ranges)},
          {"message", s.message},
          {"within_ms", s.within.count()},
          {"every_ms", s.every.count()}};
}
Statement StatementFrom(const json& j, const RangeReader& ranges) {
  Statement s;
  s.kind = static_cast<Statement::Kind>(j.at("kind").get<int>());
  s.range = ranges.Read(j.at("range"));
  s.target = j.at("target").get<std::string>();
  s.target_index = OptExprFrom(j.at("target_index"), ranges);
  s.attributes = AttributesFrom(j.at("attributes"), ranges);
  s.condition = OptExprFrom(j.at("condition"), ranges);
  s.message = j.at("message").get<std::string>();
  s.within = Duration(j.at("within_ms").get<long long>());
  s.every = Duration(j.at("every_ms").get<long long>());
  return s;
}

json PlanBlockJson(const PlanBlock& block, RangeWriter& ranges) {
  json window = nullptr;
  if (block.window) {
    const MaintenanceWindow& w = *block.window;
    window = {{"text", w.text}, {"weekdays", w.weekdays}, {"start_minute", w.start_minute},
              {"end_minute", w.end_minute}, {"utc_offset_minutes", w.utc_offset_minutes}};
  }
  return {{"name", block.name}, {"description", block.description}, {"window", window},
          {"on_failure", block.on_failure == OnFailure::kRollback ? "rollback" : "stop"},
          {"range", ranges.Write(block.range)}};
}
PlanBlock PlanBlockFrom(const json& j, const RangeReader& ranges) {
  PlanBlock block;
  block.name = j.at("name").get<std::string>();
  block.description = j.at("description").get<std::string>();
  if (!j.at("window").is_null()) {
    const json& w = j["window"];
    block.window = MaintenanceWindow{w.at("text").get<std::string>(),
                                     w.at("weekdays").get<std::vector<int>>(),
                                     w.at("start_minute").get<int>(), w.at("end_minute").get<int>(),
                                     w.at("utc_offset_minutes").get<int>()};
  }
  block.on_failure = j.at("on_failure") == "stop" ? OnFailure::kStop : OnFailure::kRollback;
  block.range = ranges.Read(j.at("range"));
  return block;
}

json StepJson(const Step& step, RangeWriter& ranges) {
  json after = json::array();
  for (const StepRef& ref : step.after)
    after.push_back({{"name", ref.name}, {"range", ranges.Write(ref.range)}});
  json statements = json::array();
  for (const Statement& s : step.statements) statements.push_back(StatementJson(s, ranges));
  return {{"name", step.name}, {"title", step.title}, {"after", after},
          {"statements", statements}, {"for_each", OptExpr(step.for_each, ranges)},
          {"serial", step.serial}, {"range", ranges.Write(step.range)},
          {"depends_on", step.depends_on}, {"touches", step.touches}};
}
Step StepFrom(const json& j, const RangeReader& ranges) {
  Step step;
  step.name = j.at("name").get<std::string>();
  step.title = j.at("title").get<std::string>();
  for (const json& ref : j.at("after"))
    step.after.push_back({ref.at("name").get<std::string>(), ranges.Read(ref.at("range"))});
  for (const json& s : j.at("statements")) step.statements.push_back(StatementFrom(s, ranges));
  step.for_each = OptExprFrom(j.at("for_each"), ranges);
  step.serial = j.at("serial").get<int>();
  step.range = ranges.Read(j.at("range"));
  step.depends_on = j.at("depends_on").get<std::vector<std::string>>();
  step.touches = j.at("touches").get<std::vector<std::string>>();
  return step;
}

json ProgramBody(const Program& program, RangeWriter& ranges) {
  json inputs = json::array();
  for (const Input& input : program.inputs)
    inputs.push_back({{"name", input.name}, {"default", OptExpr(input.default_value, ranges)},
                      {"description", input.description}, {"sensitive", input.sensitive},
                      {"type", input.type}, {"range", ranges.Write(input.range)}});
  json lets = json::array();
  for (const Let& let : program.lets)
    lets.push_back({{"name", let.name}, {"value", ExprJson(let.value, ranges)},
                    {"range", ranges.Write(let.range)}});
  json resources = json::array();
  for (const Resource& r : program.resources)
    resources.push_back({{"type", r.type}, {"name", r.name},
                         {"attributes", AttributesJson(r.attributes, ranges)},
                         {"for_each", OptExpr(r.for_each, ranges)},
                         {"range", ranges.Write(r.range)},
                         {"type_range", ranges.Write(r.type_range)}});
  json steps = json::array();
  for (const Step& step : program.steps) steps.push_back(StepJson(step, ranges));
  json imports = json::array();
  for (const Import& i : program.imports)
    imports.push_back({{"path", i.path}, {"resolved_path", i.resolved_path}, {"alias", i.alias},
                       {"inputs", AttributesJson(i.inputs, ranges)},
                       {"range", ranges.Write(i.range)}});
  return {{"path", program.path}, {"plan", PlanBlockJson(program.plan, ranges)},
          {"inputs", inputs}, {"lets", lets}, {"resources", resources}, {"steps", steps},
          {"imports", imports}};
}

}  // namespace

json ProgramToJson(const Program& program) {
  RangeWriter ranges;
  json out = ProgramBody(program, ranges);
  out["paths"] = ranges.Paths();
  return out;
}

std::optional<Program> ProgramFromJson(const json& j, std::string* error) {
  try {
    RangeReader ranges(j.at("paths").get<std::vector<std::string>>());
    Program program;
    program.path = j.at("path").get<std::string>();
    program.plan = PlanBlockFrom(j.at("plan"), ranges);
    for (const json& i : j.at("inputs"))
      program.inputs.push_back({i.at("name").get<std::string>(),
                                OptExprFrom(i.at("default"), ranges),
                                i.at("description").get<std::string>(),
                                i.at("sensitive").get<bool>(), i.at("type").get<std::string>(),
                                ranges.Read(i.at("range"))});
    for (const json& l : j.at("lets"))
      program.lets.push_back({l.at("name").get<std::string>(), ExprFrom(l.at("value"), ranges),
                              ranges.Read(l.at("range"))});
    for (const json& r : j.at("resources"))
      program.resources.push_back({r.at("type").get<std::string>(),
                                   r.at("name").get<std::string>(),
                                   AttributesFrom(r.at("attributes"), ranges),
                                   OptExprFrom(r.at("for_each"), ranges),
                                   ranges.Read(r.at("range")), ranges.Read(r.at("type_range"))});
    for (const json& s : j.at("steps")) program.steps.push_back(StepFrom(s, ranges));
    for (const json& i : j.at("imports"))
      program.imports.push_back({i.at("path").get<std::string>(),
                                 i.at("resolved_path").get<std::string>(),
                                 i.at("alias").get<std::string>(),
                                 AttributesFrom(i.at("inputs"), ranges),
                                 ranges.Read(i.at("range"))});
    return program;
  } catch (const json::exception& e) {
    *error = std::string("malformed program: ") + e.what();
    return std::nullopt;
  }
}

json StateToJson(const State& state, bool digest_secrets) {
  SecretPolicy policy = digest_secrets ? SecretPolicy::kDigest : SecretPolicy::kRedact;
  return {{"exists", state.exists}, {"attributes", ValueToJson(Value(state.attributes), policy)}};
}

State StateFromJson(const json& j) {
  State state;
  state.exists = j.at("exists").get<bool>();
  Value attributes = ValueFromJson(j.at("attributes"));
  if (attributes.is_map()) state.attributes = attributes.as_map();
  return state;
}

namespace {

json ResourceJson(const ResourceConfig& r) {
  return {{"type", r.type}, {"name", r.name}, {"config", Val(Value(r.config))}};
}
ResourceConfig ResourceFrom(const json& j) {
  ResourceConfig r;
  r.type = j.at("type").get<std::string>();
  r.name = j.at("name").get<std::string>();
  Value config = ValueFromJson(j.at("config"));
  if (config.is_map()) r.config = config.as_map();
  return r;
}

json CheckJson(const PlannedCheck& c, RangeWriter& ranges) {
  json held = c.held_at_plan ? json(*c.held_at_plan) : json(nullptr);
  return {{"is_verify", c.is_verify}, {"condition", ExprJson(c.condition, ranges)},
          {"message", c.message}, {"within_ms", c.within.count()},
          {"every_ms", c.every.count()}, {"range", ranges.Write(c.range)},
          {"held_at_plan", held}};
}
PlannedCheck CheckFrom(const json& j, const RangeReader& ranges) {
  PlannedCheck c;
  c.is_verify = j.at("is_verify").get<bool>();
  c.condition = ExprFrom(j.at("condition"), ranges);
  c.message = j.at("message").get<std::string>();
  c.within = Duration(j.at("within_ms").get<long long>());
  c.every = Duration(j.at("every_ms").get<long long>());
  c.range = ranges.Read(j.at("range"));
  if (!j.at("held_at_plan").is_null()) c.held_at_plan = j["held_at_plan"].get<bool>();
  return c;
}

json ChangeJson(const Change& change) {
  json attributes = json::array();
  for (const AttributeChange& a : change.attributes)
    attributes.push_back({{"name", a.name}, {"before", Val(a.before)}, {"after", Val(a.after)},
                          {"forces_replacement", a.forces_replacement},
                          {"sensitive", a.sensitive}});
  return {{"action", static_cast<int>(change.action)}, {"attributes", attributes},
          {"before", StateToJson(change.before, true)}, {"after", StateToJson(change.after, true)},
          {"private_data", Val(change.private_data)}, {"notes", change.notes}};
}
Change ChangeFrom(const json& j) {
  Change change;
  change.action = static_cast<ChangeAction>(j.at("action").get<int>());
  for (const json& a : j.at("attributes"))
    change.attributes.push_back({a.at("name").get<std::string>(), ValueFromJson(a.at("before")),
                                 ValueFromJson(a.at("after")),
                                 a.at("forces_replacement").get<bool>(),
                                 a.at("sensitive").get<bool>()});
  change.before = StateFromJson(j.at("before"));
  change.after = StateFromJson(j.at("after"));
  change.private_data = ValueFromJson(j.at("private_data"));
  change.notes = j.at("notes").get<std::vector<std::string>>();
  return change;
}

json OperationJson(const PlannedOperation& op, RangeWriter& ranges) {
  return {{"kind", static_cast<int>(op.kind)}, {"id", op.id},
          {"resource", ResourceJson(op.operation.resource)},
          {"change", ChangeJson(op.operation.change)},
          {"snapshot_of", ResourceJson(op.snapshot_of)},
          {"snapshot_options", Val(Value(op.snapshot_options))},
          {"estimated_bytes", op.estimated_bytes}, {"reversible", op.reversible},
          {"covered_by", op.covered_by}, {"range", ranges.Write(op.range)}};
}
PlannedOperation OperationFrom(const json& j, const RangeReader& ranges) {
  PlannedOperation op;
  op.kind = static_cast<PlannedOperation::Kind>(j.at("kind").get<int>());
  op.id = j.at("id").get<std::string>();
  op.operation.kind = op.kind == PlannedOperation::Kind::kAction ? Operation::Kind::kAction
                                                                   : Operation::Kind::kChange;
  op.operation.resource = ResourceFrom(j.at("resource"));
  op.operation.change = ChangeFrom(j.at("change"));
  op.snapshot_of = ResourceFrom(j.at("snapshot_of"));
  Value options = ValueFromJson(j.at("snapshot_options"));
  if (options.is_map()) op.snapshot_options = options.as_map();
  op.estimated_bytes = j.at("estimated_bytes").get<long long>();
  op.reversible = j.at("reversible").get<bool>();
  op.covered_by = j.at("covered_by").get<std::string>();
  op.range = ranges.Read(j.at("range"));
  return op;
}

}  // namespace

json PlanToFileJson(const Plan& plan) {
  RangeWriter ranges;
  json out;
  out["format_version"] = Plan::kFormatVersion;
  out["kind"] = "upgrade-plan";
  out["plan_path"] = plan.plan_path;
  out["state_dir"] = plan.state_dir;
  out["created_at"] = plan.created_at;
  out["sources"] = plan.sources;
  if (plan.program != nullptr) out["program"] = ProgramBody(*plan.program, ranges);
  json inputs = json::object();
  for (const auto& [name, value] : plan.inputs) inputs[name] = Val(value);
  out["inputs"] = inputs;
  json resources = json::object();
  for (const auto& [name, resource] : plan.resources) resources[name] = ResourceJson(resource);
  out["resources"] = resources;
  json refreshed = json::object();
  for (const auto& [name, state] : plan.refreshed) refreshed[name] = StateToJson(state, true);
  out["refreshed"] = refreshed;
  json steps = json::array();
  for (const PlannedStep& step : plan.steps) {
    json requires_ = json::array(), verifies = json::array(), operations = json::array();
    for (const PlannedCheck& c : step.requires_) requires_.push_back(CheckJson(c, ranges));
    for (const PlannedCheck& c : step.verifies) verifies.push_back(CheckJson(c, ranges));
    for (const PlannedOperation& op : step.operations)
      operations.push_back(OperationJson(op, ranges));
    steps.push_back({{"id", step.id}, {"name", step.name}, {"title", step.title},
                     {"each", Val(step.each)}, {"depends_on", step.depends_on},
                     {"requires", requires_}, {"operations", operations},
                     {"verifies", verifies}, {"range", ranges.Write(step.range)}});
  }
  out["steps"] = steps;
  json pins = json::array();
  for (const Pin& pin : plan.pins) pins.push_back({{"resource", pin.resource}, {"digest", pin.digest}});
  out["pins"] = pins;
  const PlanSummary& s = plan.summary;
  out["summary"] = {{"to_add", s.to_add}, {"to_change", s.to_change},
                    {"to_destroy", s.to_destroy}, {"to_run", s.to_run},
                    {"snapshots", s.snapshots}, {"steps_total", s.steps_total},
                    {"steps_reversible", s.steps_reversible}, {"irreversible", s.irreversible}};
  // Written last: the table holds every path the ranges above refer to.
  out["paths"] = ranges.Paths();
  return out;
}

std::optional<Plan> PlanFromFileJson(const json& j, std::string* error) {
  try {
    int version = j.at("format_version").get<int>();
    if (version > Plan::kFormatVersion) {
      *error = "plan file format " + std::to_string(version) + " is newer than this upgrade (" +
               std::to_string(Plan::kFormatVersion) + ")";
      return std::nullopt;
    }
    RangeReader ranges(j.at("paths").get<std::vector<std::string>>());
    Plan plan;
    plan.plan_path = j.at("plan_path").get<std::string>();
    plan.state_dir = j.at("state_dir").get<std::string>();
    plan.created_at = j.at("created_at").get<std::string>();
    plan.sources = j.at("sources").get<std::map<std::string, std::string>>();
    if (j.contains("program")) {
      json program = j["program"];
      program["paths"] = j["paths"];
      auto parsed = ProgramFromJson(program, error);
      if (!parsed) return std::nullopt;
      plan.program = std::make_shared<const Program>(std::move(*parsed));
    }
    for (const auto& [name, value] : j.at("inputs").items()) plan.inputs[name] = ValueFromJson(value);
    for (const auto& [name, r] : j.at("resources").items()) plan.resources[name] = ResourceFrom(r);
    for (const auto& [name, s] : j.at("refreshed").items()) plan.refreshed[name] = StateFromJson(s);
    for (const json& s : j.at("steps")) {
      PlannedStep step;
      step.id = s.at("id").get<std::string>();
      step.name = s.at("name").get<std::string>();
      step.title = s.at("title").get<std::string>();
      step.each = ValueFromJson(s.at("each"));
      step.depends_on = s.at("depends_on").get<std::vector<std::string>>();
      for (const json& c : s.at("requires")) step.requires_.push_back(CheckFrom(c, ranges));
      for (const json& c : s.at("verifies")) step.verifies.push_back(CheckFrom(c, ranges));
      for (const json& op : s.at("operations")) step.operations.push_back(OperationFrom(op, ranges));
      step.range = ranges.Read(s.at("range"));
      plan.steps.push_back(std::move(step));
    }
    for (const json& p : j.at("pins"))
      plan.pins.push_back({p.at("resource").get<std::string>(), p.at("digest").get<std::string>()});
    const json& s = j.at("summary");
    plan.summary = {s.at("to_add").get<int>(), s.at("to_change").get<int>(),
                    s.at("to_destroy").get<int>(), s.at("to_run").get<int>(),
                    s.at("snapshots").get<int>(), s.at("steps_total").get<int>(),
                    s.at("steps_reversible").get<int>(),
                    s.at("irreversible").get<std::vector<std::string>>()};
    return plan;
  } catch (const json::exception& e) {
    *error = std::string("malformed plan file: ") + e.what();
    return std::nullopt;
  }
}

}  // namespace upgrade
