// Writing plan files (format 2): compact JSON written straight into a string, members left out
// when they hold their default, so a plan of thousands of steps stays small and quick to write.
// What each member means and its default is in plan_json.cc, which reads it back.
#include <map>

#include "lang/json_text.h"
#include "planner/plan_json.h"

namespace upgrade {
namespace {

/// Writes source ranges as [path index, line, column, end column] against a table of paths,
/// because a plan with thousands of steps would otherwise repeat one path thousands of times.
class RangeTable {
 public:
  void Write(JsonWriter& w, const SourceRange& range) {
    // Ranges come in runs from one file: the last path's index is usually the one.
    if (paths_.empty() || last_path_ != range.begin.path) {
      auto [it, added] = index_.emplace(range.begin.path.str(), paths_.size());
      if (added) paths_.push_back(range.begin.path.str());
      last_ = it->second;
      last_path_ = range.begin.path;
    }
    w.BeginArray();
    w.Int(static_cast<long long>(last_));
    w.Int(range.begin.line);
    w.Int(range.begin.column);
    w.Int(range.end_column);
    w.EndArray();
  }
  void WritePaths(JsonWriter& w) const {
    w.BeginArray();
    for (const std::string& path : paths_) w.String(path);
    w.EndArray();
  }

 private:
  std::map<std::string, size_t> index_;
  std::vector<std::string> paths_;
  size_t last_ = 0;
  SourcePath last_path_;  ///< the path of `last_`, compared without comparing texts
};

/// Writes one plan file: the parts of the program and of the plan in turn.
class PlanFileWriter {
 public:
  PlanFileWriter(const Plan& plan, std::string& out) : plan_(plan), w_(out) {}
  void Write();

 private:
  void WriteRange(std::string_view key, const SourceRange& range) {
    w_.Key(key);
    ranges_.Write(w_, range);
  }
  void WriteStrings(std::string_view key, const std::vector<std::string>& items);
  void WriteStringsIfAny(std::string_view key, const std::vector<std::string>& items) {
    if (!items.empty()) WriteStrings(key, items);
  }
  void WriteTextIfAny(std::string_view key, const std::string& text) {
    if (!text.empty()) w_.Member(key, text);
  }
  void WriteExpression(const Expr& expr);
  void WriteOptionalExpression(std::string_view key, const std::optional<Expr>& expr) {
    if (!expr) return;
    w_.Key(key);
    WriteExpression(*expr);
  }
  void WriteAttributes(std::string_view key, const std::vector<Attribute>& attributes);
  void WriteProgram(const upgrade::Program& program);
  void WritePlanBlock(const upgrade::PlanBlock& block);
  void WriteSourceStep(const Step& step);
  void WriteStatement(const upgrade::Statement& s);
  void WriteMap(const Value::Map& map);
  void WriteResource(const ResourceConfig& resource);
  void WriteState(const upgrade::State& state);
  void WriteCheck(const PlannedCheck& check);
  void WriteOperation(const PlannedOperation& op);
  void WriteChange(const upgrade::Change& change);
  void WriteStep(const PlannedStep& step);
  void WriteSummary(const PlanSummary& s);

  const Plan& plan_;
  JsonWriter w_;
  RangeTable ranges_;
};

void PlanFileWriter::WriteStrings(std::string_view key, const std::vector<std::string>& items) {
  w_.Key(key);
  w_.BeginArray();
  for (const std::string& item : items) w_.String(item);
  w_.EndArray();
}

void PlanFileWriter::WriteExpression(const Expr& expr) {
  // [kind, range, literal, name, keys, operands], trailing defaults left out.
  size_t last = 1;
  if (!expr.operands.empty()) last = 5;
  else if (!expr.keys.empty()) last = 4;
  else if (!expr.name.empty()) last = 3;
  else if (expr.kind == Expr::Kind::kLiteral && !expr.literal.is_null()) last = 2;
  w_.BeginArray();
  w_.Int(static_cast<int>(expr.kind));
  ranges_.Write(w_, expr.range);
  if (last >= 2) {
    if (expr.kind == Expr::Kind::kLiteral) w_.Digested(expr.literal);
    else w_.Null();
  }
  if (last >= 3) w_.String(expr.name);
  if (last >= 4) {
    w_.BeginArray();
    for (const std::string& key : expr.keys) w_.String(key);
    w_.EndArray();
  }
  if (last >= 5) {
    w_.BeginArray();
    for (const Expr& operand : expr.operands) WriteExpression(operand);
    w_.EndArray();
  }
  w_.EndArray();
}

void PlanFileWriter::WriteAttributes(std::string_view key,
                                     const std::vector<Attribute>& attributes) {
  if (attributes.empty()) return;
  w_.Key(key);
  w_.BeginArray();
  for (const Attribute& a : attributes) {
    // [name, value, range]
    w_.BeginArray();
    w_.String(a.name);
    WriteExpression(a.value);
    ranges_.Write(w_, a.range);
    w_.EndArray();
  }
  w_.EndArray();
}

void PlanFileWriter::WritePlanBlock(const upgrade::PlanBlock& block) {
  w_.Key("plan");
  w_.BeginObject();
  w_.Member("name", block.name);
  WriteTextIfAny("description", block.description);
  if (block.window) {
    const MaintenanceWindow& window = *block.window;
    w_.Key("window");
    w_.BeginObject();
    w_.Member("text", window.text);
    w_.Key("weekdays");
    w_.BeginArray();
    for (int day : window.weekdays) w_.Int(day);
    w_.EndArray();
    w_.Member("start_minute", window.start_minute);
    w_.Member("end_minute", window.end_minute);
    w_.Member("utc_offset_minutes", window.utc_offset_minutes);
    w_.EndObject();
  }
  if (block.on_failure == OnFailure::kStop) w_.Member("on_failure", "stop");
  WriteRange("range", block.range);
  w_.EndObject();
}

void PlanFileWriter::WriteStatement(const upgrade::Statement& s) {
  w_.BeginObject();
  w_.Member("kind", static_cast<int>(s.kind));
  WriteRange("range", s.range);
  WriteTextIfAny("target", s.target);
  WriteOptionalExpression("target_index", s.target_index);
  WriteAttributes("attributes", s.attributes);
  WriteOptionalExpression("condition", s.condition);
  WriteTextIfAny("message", s.message);
  if (s.within.count() != 0) w_.Member("within_ms", static_cast<long long>(s.within.count()));
  if (s.every.count() != 0) w_.Member("every_ms", static_cast<long long>(s.every.count()));
  w_.EndObject();
}

void PlanFileWriter::WriteSourceStep(const upgrade::Step& step) {
  w_.BeginObject();
  w_.Member("name", step.name);
  WriteTextIfAny("title", step.title);
  if (!step.after.empty()) {
    w_.Key("after");
    w_.BeginArray();
    for (const StepRef& ref : step.after) {
      w_.BeginArray();
      w_.String(ref.name);
      ranges_.Write(w_, ref.range);
      w_.EndArray();
    }
    w_.EndArray();
  }
  w_.Key("statements");
  w_.BeginArray();
  for (const upgrade::Statement& s : step.statements) WriteStatement(s);
  w_.EndArray();
  WriteOptionalExpression("for_each", step.for_each);
  if (step.serial != 0) w_.Member("serial", step.serial);
  WriteRange("range", step.range);
  WriteStringsIfAny("depends_on", step.depends_on);
  WriteStringsIfAny("touches", step.touches);
  w_.EndObject();
}

void PlanFileWriter::WriteProgram(const upgrade::Program& program) {
  w_.LineKey("program");
  w_.BeginObject();
  w_.Member("path", program.path);
  WritePlanBlock(program.plan);
  w_.Key("inputs");
  w_.BeginArray();
  for (const Input& input : program.inputs) {
    w_.BeginObject();
    w_.Member("name", input.name);
    WriteOptionalExpression("default", input.default_value);
    WriteTextIfAny("description", input.description);
    if (input.sensitive) w_.Member("sensitive", true);
    WriteTextIfAny("type", input.type);
    WriteRange("range", input.range);
    w_.EndObject();
  }
  w_.EndArray();
  w_.Key("lets");
  w_.BeginArray();
  for (const Let& let : program.lets) {
    w_.BeginObject();
    w_.Member("name", let.name);
    w_.Key("value");
    WriteExpression(let.value);
    WriteRange("range", let.range);
    w_.EndObject();
  }
  w_.EndArray();
  w_.Key("resources");
  w_.BeginArray();
  for (const upgrade::Resource& r : program.resources) {
    w_.BeginObject();
    w_.Member("type", r.type);
    w_.Member("name", r.name);
    WriteAttributes("attributes", r.attributes);
    WriteOptionalExpression("for_each", r.for_each);
    WriteRange("range", r.range);
    WriteRange("type_range", r.type_range);
    w_.EndObject();
  }
  w_.EndArray();
  w_.Key("steps");
  w_.BeginArray();
  for (const upgrade::Step& step : program.steps) WriteSourceStep(step);
  w_.EndArray();
  w_.Key("imports");
  w_.BeginArray();
  for (const Import& i : program.imports) {
    w_.BeginObject();
    w_.Member("path", i.path);
    w_.Member("resolved_path", i.resolved_path);
    w_.Member("alias", i.alias);
    WriteAttributes("inputs", i.inputs);
    WriteRange("range", i.range);
    w_.EndObject();
  }
  w_.EndArray();
  w_.EndObject();
}

void PlanFileWriter::WriteMap(const Value::Map& map) {
  w_.BeginObject();
  for (const auto& [key, value] : map) {
    w_.Key(key);
    w_.Digested(value);
  }
  w_.EndObject();
}

void PlanFileWriter::WriteResource(const ResourceConfig& resource) {
  w_.BeginObject();
  w_.Member("type", resource.type);
  w_.Member("name", resource.name);
  w_.Key("config");
  WriteMap(resource.config);
  w_.EndObject();
}

void PlanFileWriter::WriteState(const upgrade::State& state) {
  w_.BeginObject();
  if (state.exists) w_.Member("exists", true);
  if (!state.attributes.empty()) {
    w_.Key("attributes");
    WriteMap(state.attributes);
  }
  w_.EndObject();
}

void PlanFileWriter::WriteCheck(const PlannedCheck& c) {
  w_.BeginObject();
  if (c.is_verify) w_.Member("is_verify", true);
  w_.Key("condition");
  WriteExpression(c.condition);
  WriteTextIfAny("message", c.message);
  if (c.within.count() != 0) w_.Member("within_ms", static_cast<long long>(c.within.count()));
  if (c.every.count() != 0) w_.Member("every_ms", static_cast<long long>(c.every.count()));
  WriteRange("range", c.range);
  if (c.held_at_plan) w_.Member("held_at_plan", *c.held_at_plan);
  w_.EndObject();
}

/// True when `a` and `b` are equal, sensitivity marks included (operator== leaves them out).
bool SameMarked(const Value& a, const Value& b) {
  if (a.sensitive() != b.sensitive() || a.type() != b.type()) return false;
  if (a.is_list()) {
    const Value::List& x = a.as_list();
    const Value::List& y = b.as_list();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!SameMarked(x[i], y[i])) return false;
    }
    return true;
  }
  if (a.is_map()) {
    const Value::Map& x = a.as_map();
    const Value::Map& y = b.as_map();
    if (x.size() != y.size()) return false;
    for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j) {
      if (i->first != j->first || !SameMarked(i->second, j->second)) return false;
    }
    return true;
  }
  return a == b;
}

/// The value attribute `name` has in `state`, null when it has none.
const Value& AttributeOf(const State& state, const std::string& name) {
  static const Value kNull;
  auto it = state.attributes.find(name);
  return it == state.attributes.end() ? kNull : it->second;
}

bool SameResource(const ResourceConfig& a, const ResourceConfig& b) {
  if (a.type != b.type || a.name != b.name || a.config.size() != b.config.size()) return false;
  for (auto i = a.config.begin(), j = b.config.begin(); i != a.config.end(); ++i, ++j) {
    if (i->first != j->first || !SameMarked(i->second, j->second)) return false;
  }
  return true;
}

void PlanFileWriter::WriteChange(const upgrade::Change& change) {
  w_.Key("change");
  w_.BeginObject();
  if (change.action != ChangeAction::kNone)
    w_.Member("action", static_cast<int>(change.action));
  if (!change.attributes.empty()) {
    // [name, flags, before, after]; flags: 1 forces replacement, 2 sensitive, 4 before
    // written, 8 after written. A value left out is the attribute of the change's before
    // (after) state, or null when the state has none: what it is for most changes.
    w_.Key("attributes");
    w_.BeginArray();
    for (const AttributeChange& a : change.attributes) {
      bool before = !SameMarked(a.before, AttributeOf(change.before, a.name));
      bool after = !SameMarked(a.after, AttributeOf(change.after, a.name));
      w_.BeginArray();
      w_.String(a.name);
      w_.Int((a.forces_replacement ? 1 : 0) | (a.sensitive ? 2 : 0) | (before ? 4 : 0) |
             (after ? 8 : 0));
      if (before) w_.Digested(a.before);
      if (after) w_.Digested(a.after);
      w_.EndArray();
    }
    w_.EndArray();
  }
  w_.Key("before");
  WriteState(change.before);
  w_.Key("after");
  WriteState(change.after);
  if (!change.private_data.is_null()) {
    w_.Key("private_data");
    w_.Digested(change.private_data);
  }
  WriteStringsIfAny("notes", change.notes);
  w_.EndObject();
}

void PlanFileWriter::WriteOperation(const PlannedOperation& op) {
  w_.BeginObject();
  w_.Member("id", op.id);
  if (op.kind != PlannedOperation::Kind::kChange) w_.Member("kind", static_cast<int>(op.kind));
  // A resource as the plan evaluated it is named, not repeated: it is under "resources".
  const ResourceConfig& resource = op.operation.resource;
  auto planned = plan_.resources.find(resource.name);
  w_.Key("resource");
  if (op.kind != PlannedOperation::Kind::kAction && planned != plan_.resources.end() &&
      SameResource(planned->second, resource)) {
    w_.String(resource.name);
  } else {
    WriteResource(resource);
  }
  WriteChange(op.operation.change);
  if (op.kind == PlannedOperation::Kind::kSnapshot) {
    w_.Key("snapshot_of");
    WriteResource(op.snapshot_of);
    w_.Key("snapshot_options");
    WriteMap(op.snapshot_options);
  }
  if (op.estimated_bytes != -1) w_.Member("estimated_bytes", op.estimated_bytes);
  if (!op.reversible) w_.Member("reversible", false);
  WriteTextIfAny("covered_by", op.covered_by);
  WriteRange("range", op.range);
  w_.EndObject();
}

void PlanFileWriter::WriteStep(const PlannedStep& step) {
  w_.BeginObject();
  w_.Member("id", step.id);
  if (step.name != step.id) w_.Member("name", step.name);
  WriteTextIfAny("title", step.title);
  if (!step.each.is_null()) {
    w_.Key("each");
    w_.Digested(step.each);
  }
  WriteStringsIfAny("depends_on", step.depends_on);
  auto checks = [&](std::string_view key, const std::vector<PlannedCheck>& list) {
    if (list.empty()) return;
    w_.Key(key);
    w_.BeginArray();
    for (const PlannedCheck& c : list) WriteCheck(c);
    w_.EndArray();
  };
  checks("requires", step.requires_);
  w_.Key("operations");
  w_.BeginArray();
  for (const PlannedOperation& op : step.operations) WriteOperation(op);
  w_.EndArray();
  checks("verifies", step.verifies);
  WriteRange("range", step.range);
  w_.EndObject();
}

void PlanFileWriter::WriteSummary(const PlanSummary& s) {
  w_.LineKey("summary");
  w_.BeginObject();
  w_.Member("to_add", s.to_add);
  w_.Member("to_change", s.to_change);
  w_.Member("to_destroy", s.to_destroy);
  w_.Member("to_run", s.to_run);
  w_.Member("snapshots", s.snapshots);
  w_.Member("steps_total", s.steps_total);
  w_.Member("steps_reversible", s.steps_reversible);
  WriteStrings("irreversible", s.irreversible);
  w_.EndObject();
}

void PlanFileWriter::Write() {
  w_.BeginObject();
  w_.LineKey("format_version");
  w_.Int(Plan::kFormatVersion);
  w_.LineKey("kind");
  w_.String("upgrade-plan");
  w_.LineKey("plan_path");
  w_.String(plan_.plan_path);
  w_.LineKey("state_dir");
  w_.String(plan_.state_dir);
  w_.LineKey("created_at");
  w_.String(plan_.created_at);
  w_.LineKey("sources");
  w_.BeginObject();
  for (const auto& [path, text] : plan_.sources) w_.Member(path, text);
  w_.EndObject();
  if (plan_.program != nullptr) WriteProgram(*plan_.program);
  w_.LineKey("inputs");
  WriteMap(plan_.inputs);
  // Keyed by instance name: {"type", "config"}.
  w_.LineKey("resources");
  w_.BeginObject();
  for (const auto& [name, resource] : plan_.resources) {
    w_.Key(name);
    w_.BeginObject();
    w_.Member("type", resource.type);
    w_.Key("config");
    WriteMap(resource.config);
    w_.EndObject();
  }
  w_.EndObject();
  w_.LineKey("refreshed");
  w_.BeginObject();
  for (const auto& [name, state] : plan_.refreshed) {
    w_.Key(name);
    WriteState(state);
  }
  w_.EndObject();
  w_.LineKey("steps");
  w_.BeginArray();
  for (const PlannedStep& step : plan_.steps) WriteStep(step);
  w_.EndArray();
  // [[resource, digest], ...]
  w_.LineKey("pins");
  w_.BeginArray();
  for (const Pin& pin : plan_.pins) {
    w_.BeginArray();
    w_.String(pin.resource);
    w_.String(pin.digest);
    w_.EndArray();
  }
  w_.EndArray();
  WriteSummary(plan_.summary);
  // Written last: the table holds every path the ranges above refer to.
  w_.LineKey("paths");
  ranges_.WritePaths(w_);
  w_.EndLastLine();
  w_.EndObject();
}

}  // namespace

std::string PlanFileText(const Plan& plan) {
  std::string out;
  out.reserve(64 * 1024);
  PlanFileWriter(plan, out).Write();
  out += '\n';
  return out;
}

}  // namespace upgrade
