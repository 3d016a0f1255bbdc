// Rendering of plans for people (terraform's symbols and layout) and for tools (--json).
#include "planner/plan_render.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <set>
#include <string_view>

#include "cli/version.h"
#include "lang/value_json.h"

namespace upgrade {
namespace {

using json = nlohmann::json;

/// ANSI styles, or nothing when colors are off.
struct Style {
  bool on = false;
  std::string Wrap(const char* code, const std::string& text) const {
    return on ? std::string("\033[") + code + "m" + text + "\033[0m" : text;
  }
  std::string Symbol(const std::string& symbol) const {
    if (symbol == "+") return Wrap("32", symbol);
    if (symbol == "~") return Wrap("33", symbol);
    if (symbol == "-") return Wrap("31", symbol);
    if (symbol == "-/+") return Wrap("35", symbol);
    if (symbol == "!") return Wrap("36", symbol);
    if (symbol == "#") return Wrap("34", symbol);
    return symbol;
  }
  std::string Bold(const std::string& text) const { return Wrap("1", text); }
};

const char* SymbolOf(ChangeAction action) {
  switch (action) {
    case ChangeAction::kCreate: return "+";
    case ChangeAction::kUpdate: return "~";
    case ChangeAction::kDelete: return "-";
    case ChangeAction::kReplace: return "-/+";
    case ChangeAction::kNone: return " ";
  }
  return "?";
}

const char* VerbOf(ChangeAction action) {
  switch (action) {
    case ChangeAction::kCreate: return "will be created";
    case ChangeAction::kUpdate: return "will be updated in-place";
    case ChangeAction::kDelete: return "will be destroyed";
    case ChangeAction::kReplace: return "must be replaced";
    case ChangeAction::kNone: return "is up to date";
  }
  return "";
}

std::string Shown(const Value& value, bool sensitive) {
  if (sensitive || value.sensitive()) return kSensitiveText;
  return value.ToDisplay();
}

bool IsVisible(const PlannedOperation& op) {
  return op.kind != PlannedOperation::Kind::kChange ||
         op.operation.change.action != ChangeAction::kNone;
}

size_t Widest(const std::vector<std::string>& names) {
  size_t width = 0;
  for (const std::string& name : names) width = std::max(width, name.size());
  return width;
}

std::string Pad(const std::string& text, size_t width) {
  return text + std::string(width > text.size() ? width - text.size() : 0, ' ');
}

/// Appends "<symbol> <name padded to width> = ", the start of one attribute line.
void AttributeStart(const Style& style, const char* symbol, const std::string& name, size_t width,
                    std::string& out) {
  out += "      ";
  if (style.on) out += style.Symbol(symbol);
  else out += symbol;
  out += ' ';
  out += name;
  if (width > name.size()) out.append(width - name.size(), ' ');
  out += " = ";
}

/// Appends a value as the plan shows it: hidden when sensitive.
void AppendShown(const Value& value, bool sensitive, std::string& out) {
  if (sensitive || value.sensitive()) out += kSensitiveText;
  else value.AppendDisplay(out);
}

void RenderChange(const PlannedOperation& op, const Style& style, std::string& out) {
  const Change& change = op.operation.change;
  const ResourceConfig& resource = op.operation.resource;
  // Appended piece by piece: a plan of thousands of changes renders without temporaries.
  out += "  # ";
  out += resource.name;
  out += ' ';
  out += VerbOf(change.action);
  out += "\n  ";
  // As terraform: the comment line names the instance, the block the resource's name.
  if (style.on) out += style.Symbol(SymbolOf(change.action));
  else out += SymbolOf(change.action);
  out += " resource \"";
  out += resource.type;
  out += "\" \"";
  out.append(resource.name, 0, resource.name.find('['));
  out += "\" {\n";
  size_t width = 0;
  for (const AttributeChange& a : change.attributes) width = std::max(width, a.name.size());
  for (const AttributeChange& a : change.attributes) {
    bool sensitive = a.sensitive || a.before.sensitive() || a.after.sensitive();
    if (change.action == ChangeAction::kDelete || (a.after.is_null() && !a.before.is_null())) {
      AttributeStart(style, "-", a.name, width, out);
      AppendShown(a.before, sensitive, out);
      out += " -> null";
    } else if (a.before.is_null()) {
      AttributeStart(style, "+", a.name, width, out);
      AppendShown(a.after, sensitive, out);
    } else if (sensitive) {
      AttributeStart(style, "~", a.name, width, out);
      out += kSensitiveText;
    } else {
      AttributeStart(style, "~", a.name, width, out);
      AppendShown(a.before, false, out);
      out += " -> ";
      AppendShown(a.after, false, out);
    }
    if (a.forces_replacement) out += style.Wrap("31", " # forces replacement");
    out += '\n';
  }
  out += "    }\n";
  for (const std::string& note : change.notes) {
    out += "    note: ";
    out += note;
    out += '\n';
  }
}

std::string Irreversibility(const PlannedOperation& op) {
  if (op.reversible) return "";
  if (!op.covered_by.empty()) return " (no undo; restored by snapshot " + op.covered_by + ")";
  return " (irreversible: no undo)";
}

void RenderAction(const PlannedOperation& op, const Style& style, std::string& out) {
  const ResourceConfig& action = op.operation.resource;
  out += "  " + style.Symbol("!") + " run " + action.type + Irreversibility(op) + "\n";
  std::vector<std::string> names;
  for (const auto& [name, value] : action.config) names.push_back(name);
  size_t width = Widest(names);
  for (const auto& [name, value] : action.config)
    out += "      " + Pad(name, width) + " = " + Shown(value, false) + "\n";
}

void RenderSnapshot(const PlannedOperation& op, const Style& style, std::string& out) {
  std::string size = op.estimated_bytes < 0 ? "size unknown" : "about " + FormatBytes(op.estimated_bytes);
  out += "  " + style.Symbol("#") + " snapshot " + op.snapshot_of.name + " (" +
         op.snapshot_of.type + "), " + size + "\n";
}

void RenderCheck(const PlannedCheck& check, std::string& out) {
  std::string text = ExprToString(check.condition);
  if (!check.is_verify) {
    std::string held = !check.held_at_plan.has_value() ? "checked at apply (known after apply)"
                       : *check.held_at_plan           ? "holds"
                                                       : "does not hold";
    out += "    require " + text + ": " + held + "\n";
    return;
  }
  out += "    verify " + text;
  if (check.within.count() > 0) {
    out += " (within " + FormatDuration(check.within);
    if (check.every.count() > 0) out += ", every " + FormatDuration(check.every);
    out += ")";
  }
  out += "\n";
}

void RenderStep(const PlannedStep& step, size_t number, size_t total, const Style& style,
                std::string& out) {
  // Written in place; only a styled header is taken back out to be wrapped.
  size_t header_start = out.size();
  out += "Step ";
  out += std::to_string(number);
  out += '/';
  out += std::to_string(total);
  out += ": ";
  out += step.id;
  if (!step.title.empty()) {
    out += " \"";
    out += step.title;
    out += '"';
  }
  if (style.on) {
    std::string header = out.substr(header_start);
    out.resize(header_start);
    out += style.Bold(header);
  }
  if (!step.depends_on.empty()) {
    out += " (after ";
    for (size_t i = 0; i < step.depends_on.size(); ++i)
      out += (i ? ", " : "") + step.depends_on[i];
    out += ")";
  }
  out += "\n";
  for (const PlannedCheck& check : step.requires_) RenderCheck(check, out);
  bool any = false;
  for (const PlannedOperation& op : step.operations) {
    if (!IsVisible(op)) continue;
    any = true;
    switch (op.kind) {
      case PlannedOperation::Kind::kChange: RenderChange(op, style, out); break;
      case PlannedOperation::Kind::kAction: RenderAction(op, style, out); break;
      case PlannedOperation::Kind::kSnapshot: RenderSnapshot(op, style, out); break;
    }
  }
  if (!any) out += "  (no changes)\n";
  for (const PlannedCheck& check : step.verifies) RenderCheck(check, out);
  out += "\n";
}

/// The legend of the symbols the plan uses, as terraform prints it.
void RenderLegend(const Plan& plan, const Style& style, std::string& out) {
  // The symbols as the operations name them, collected once each (a plan has thousands).
  std::set<std::string_view> used;
  for (const PlannedStep& step : plan.steps) {
    for (const PlannedOperation& op : step.operations) {
      if (!IsVisible(op)) continue;
      if (op.kind == PlannedOperation::Kind::kAction) used.insert("!");
      else if (op.kind == PlannedOperation::Kind::kSnapshot) used.insert("#");
      else used.insert(SymbolOf(op.operation.change.action));
    }
  }
  static const std::pair<const char*, const char*> kLegend[] = {
      {"+", "create"}, {"~", "update in-place"}, {"-", "destroy"},
      {"-/+", "destroy and then create replacement"}, {"!", "run"}, {"#", "snapshot"}};
  out += "Actions are indicated with the following symbols:\n";
  for (const auto& [symbol, meaning] : kLegend) {
    if (used.count(symbol) == 0) continue;
    std::string padded = std::string(3 - std::string(symbol).size(), ' ') + style.Symbol(symbol);
    out += "  " + padded + " " + meaning + "\n";
  }
  out += "\nupgrade will perform the following steps:\n\n";
}

void RenderFooter(const Plan& plan, std::string& out) {
  const PlanSummary& s = plan.summary;
  out += "Plan: " + std::to_string(s.to_add) + " to add, " + std::to_string(s.to_change) +
         " to change, " + std::to_string(s.to_destroy) + " to destroy, " +
         std::to_string(s.to_run) + " to run, " + std::to_string(s.snapshots) + " snapshots.\n";
  out += "Rollback: " + std::to_string(s.steps_reversible) + " of " +
         std::to_string(s.steps_total) + " steps reversible";
  if (!s.irreversible.empty()) {
    out += "; not reversible: ";
    for (size_t i = 0; i < s.irreversible.size(); ++i) out += (i ? ", " : "") + s.irreversible[i];
  }
  out += "\n";
}

std::string WindowText(const Plan& plan) {
  if (plan.program == nullptr || !plan.program->plan.window) return "";
  return plan.program->plan.window->text;
}

}  // namespace

std::string FormatBytes(long long bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  static const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  double size = static_cast<double>(bytes);
  int unit = -1;
  while (size >= 1024 && unit < 3) {
    size /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", size, kUnits[unit]);
  return buf;
}

std::string RenderPlan(const Plan& plan, const RenderOptions& options) {
  Style style{options.color};
  std::string out;
  std::string window = WindowText(plan);
  if (!plan.HasChanges()) {
    out += style.Bold("No changes.") + " The systems already match the plan.\n";
    return out;
  }
  RenderLegend(plan, style, out);
  size_t number = 0;
  for (const PlannedStep& step : plan.steps) RenderStep(step, ++number, plan.steps.size(), style, out);
  RenderFooter(plan, out);
  if (!window.empty()) out += "Window: " + window + " (no step starts outside it)\n";
  return out;
}

namespace {

json Redacted(const Value& value) { return ValueToJson(value, SecretPolicy::kRedact); }

json StateValues(const State& state) {
  if (!state.exists) return nullptr;
  return Redacted(Value(state.attributes));
}

/// terraform's `*_sensitive` / `after_unknown` shape: {attribute: true} for those that are.
json MarkedAttributes(const State& state, bool unknown) {
  json out = json::object();
  for (const auto& [name, value] : state.attributes) {
    if (unknown ? value.ContainsUnknown() : value.ContainsSensitive()) out[name] = true;
  }
  return out;
}

json ActionsOf(ChangeAction action) {
  switch (action) {
    case ChangeAction::kNone: return {"no-op"};
    case ChangeAction::kCreate: return {"create"};
    case ChangeAction::kUpdate: return {"update"};
    case ChangeAction::kDelete: return {"delete"};
    case ChangeAction::kReplace: return {"delete", "create"};
  }
  return json::array();
}

/// What rollback does to undo `action`.
json UndoActionsOf(ChangeAction action) {
  switch (action) {
    case ChangeAction::kCreate: return {"delete"};
    case ChangeAction::kDelete: return {"create"};
    case ChangeAction::kReplace: return {"delete", "create"};
    case ChangeAction::kUpdate: return {"update"};
    case ChangeAction::kNone: return {"no-op"};
  }
  return json::array();
}

json ResourceChangeJson(const PlannedStep& step, const PlannedOperation& op) {
  const Change& change = op.operation.change;
  const ResourceConfig& resource = op.operation.resource;
  json replace_paths = json::array();
  for (const AttributeChange& a : change.attributes)
    if (a.forces_replacement) replace_paths.push_back({a.name});
  json entry = {{"address", resource.name}, {"type", resource.type},
                {"step", step.id}, {"operation", op.id},
                {"change", {{"actions", ActionsOf(change.action)},
                            {"before", StateValues(change.before)},
                            {"after", StateValues(change.after)},
                            {"after_unknown", MarkedAttributes(change.after, true)},
                            {"before_sensitive", MarkedAttributes(change.before, false)},
                            {"after_sensitive", MarkedAttributes(change.after, false)},
                            {"replace_paths", replace_paths}}}};
  size_t bracket = resource.name.find('[');
  entry["name"] = resource.name.substr(0, bracket);
  if (bracket != std::string::npos) {
    json key = json::parse(resource.name.substr(bracket + 1, resource.name.size() - bracket - 2),
                           nullptr, false);
    if (!key.is_discarded()) entry["index"] = key;
  }
  if (!change.notes.empty()) entry["notes"] = change.notes;
  return entry;
}

json CheckJson(const PlannedCheck& check) {
  json out = {{"expression", ExprToString(check.condition)}, {"message", check.message}};
  if (check.is_verify) {
    out["within"] = FormatDuration(check.within);
    out["every"] = FormatDuration(check.every);
  } else {
    out["held"] = check.held_at_plan ? json(*check.held_at_plan) : json(nullptr);
  }
  return out;
}

}  // namespace

std::string RenderPlanJson(const Plan& plan) {
  json out;
  out["format_version"] = "1.0";
  out["upgrade_version"] = kVersion;
  out["plan"] = {{"path", plan.plan_path},
                 {"name", plan.program ? plan.program->plan.name : ""},
                 {"on_failure", plan.program && plan.program->plan.on_failure == OnFailure::kStop
                                    ? "stop" : "rollback"}};
  std::string window = WindowText(plan);
  out["window"] = window.empty() ? json(nullptr) : json(window);
  out["timestamp"] = plan.created_at;
  out["has_changes"] = plan.HasChanges();
  json variables = json::object();
  for (const auto& [name, value] : plan.inputs) variables[name] = {{"value", Redacted(value)}};
  out["variables"] = variables;
  json steps = json::array(), changes = json::array(), runs = json::array(),
       snapshots = json::array(), rollback = json::array();
  for (const PlannedStep& step : plan.steps) {
    json requires_ = json::array(), verifies = json::array(), operations = json::array();
    for (const PlannedCheck& c : step.requires_) requires_.push_back(CheckJson(c));
    for (const PlannedCheck& c : step.verifies) verifies.push_back(CheckJson(c));
    for (const PlannedOperation& op : step.operations) {
      operations.push_back(op.id);
      if (op.kind == PlannedOperation::Kind::kChange) {
        changes.push_back(ResourceChangeJson(step, op));
      } else if (op.kind == PlannedOperation::Kind::kAction) {
        runs.push_back({{"operation", op.id}, {"step", step.id},
                        {"type", op.operation.resource.type},
                        {"attributes", Redacted(Value(op.operation.resource.config))},
                        {"reversible", op.reversible},
                        {"covered_by", op.covered_by.empty() ? json(nullptr) : json(op.covered_by)}});
      } else {
        snapshots.push_back({{"operation", op.id}, {"step", step.id},
                             {"address", op.snapshot_of.name}, {"type", op.snapshot_of.type},
                             {"estimated_bytes", op.estimated_bytes < 0 ? json(nullptr)
                                                                        : json(op.estimated_bytes)}});
      }
    }
    steps.push_back({{"id", step.id}, {"name", step.name}, {"title", step.title},
                     {"depends_on", step.depends_on}, {"requires", requires_},
                     {"operations", operations}, {"verifies", verifies}});
  }
  // Rollback undoes operations in the reverse of plan order.
  for (auto step = plan.steps.rbegin(); step != plan.steps.rend(); ++step) {
    for (auto op = step->operations.rbegin(); op != step->operations.rend(); ++op) {
      if (op->kind == PlannedOperation::Kind::kSnapshot) continue;
      if (op->kind == PlannedOperation::Kind::kChange &&
          op->operation.change.action == ChangeAction::kNone)
        continue;
      bool is_action = op->kind == PlannedOperation::Kind::kAction;
      json entry = {{"operation", op->id}, {"step", step->id},
                    {"address", is_action ? json(nullptr) : json(op->operation.resource.name)},
                    {"type", op->operation.resource.type},
                    {"reversible", op->reversible || !op->covered_by.empty()}};
      if (!op->covered_by.empty()) {
        entry["actions"] = {"restore"};
        entry["covered_by"] = op->covered_by;
      } else if (is_action) {
        entry["actions"] = op->reversible ? json{"undo"} : json::array();
      } else {
        entry["actions"] = UndoActionsOf(op->operation.change.action);
      }
      rollback.push_back(entry);
    }
  }
  out["steps"] = steps;
  out["resource_changes"] = changes;
  out["run_changes"] = runs;
  out["snapshot_changes"] = snapshots;
  out["rollback_changes"] = rollback;
  json pins = json::array();
  for (const Pin& pin : plan.pins) pins.push_back({{"resource", pin.resource}, {"digest", pin.digest}});
  out["pins"] = pins;
  const PlanSummary& s = plan.summary;
  out["summary"] = {{"add", s.to_add}, {"change", s.to_change}, {"destroy", s.to_destroy},
                    {"run", s.to_run}, {"snapshots", s.snapshots},
                    {"steps", s.steps_total}, {"steps_reversible", s.steps_reversible},
                    {"irreversible", s.irreversible}};
  return out.dump(2) + "\n";
}

}  // namespace upgrade
