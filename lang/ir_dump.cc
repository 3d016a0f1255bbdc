// DumpProgram: the IR as indented text with positions.
#include "lang/ir_dump.h"

namespace upgrade {
namespace {

std::string At(const SourceRange& range) {
  return "@" + std::to_string(range.begin.line) + ":" + std::to_string(range.begin.column);
}

std::string Quoted(const std::string& text) { return Value(text).ToDisplayRevealed(); }

std::string List(const std::vector<std::string>& names) {
  std::string out = "[";
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out + "]";
}

void DumpAttributes(const std::vector<Attribute>& attributes, const std::string& indent,
                    std::string& out) {
  for (const auto& attribute : attributes) {
    out += indent + attribute.name + " " + At(attribute.range) + " = " +
           ExprToString(attribute.value) + "\n";
  }
}

const char* StatementName(Statement::Kind kind) {
  switch (kind) {
    case Statement::Kind::kRequire: return "require";
    case Statement::Kind::kSet: return "set";
    case Statement::Kind::kRun: return "run";
    case Statement::Kind::kSnapshot: return "snapshot";
    case Statement::Kind::kVerify: return "verify";
  }
  return "?";
}

void DumpStatement(const Statement& statement, std::string& out) {
  out += "  " + std::string(StatementName(statement.kind)) + " " + At(statement.range);
  if (statement.condition) out += " " + ExprToString(*statement.condition);
  if (!statement.target.empty()) out += " " + statement.target;
  if (statement.target_index) out += "[" + ExprToString(*statement.target_index) + "]";
  if (!statement.message.empty()) out += " message=" + Quoted(statement.message);
  if (statement.within.count() != 0) out += " within=" + FormatDuration(statement.within);
  if (statement.every.count() != 0) out += " every=" + FormatDuration(statement.every);
  out += "\n";
  DumpAttributes(statement.attributes, "    ", out);
}

void DumpPlan(const PlanBlock& plan, std::string& out) {
  out += "plan " + Quoted(plan.name) + " " + At(plan.range) + "\n";
  if (!plan.description.empty()) out += "  description " + Quoted(plan.description) + "\n";
  if (plan.window) {
    std::vector<std::string> days;
    for (int day : plan.window->weekdays) days.push_back(std::to_string(day));
    out += "  window " + Quoted(plan.window->text) + " weekdays=" + List(days) +
           " start=" + std::to_string(plan.window->start_minute) +
           " end=" + std::to_string(plan.window->end_minute) +
           " utc_offset=" + std::to_string(plan.window->utc_offset_minutes) + "\n";
  }
  out += std::string("  on_failure ") +
         (plan.on_failure == OnFailure::kRollback ? "rollback" : "stop") + "\n";
}

void DumpStep(const Step& step, std::string& out) {
  out += "step " + step.name + " " + At(step.range);
  if (!step.title.empty()) out += " title=" + Quoted(step.title);
  out += "\n";
  for (const auto& after : step.after) out += "  after " + after.name + " " + At(after.range) + "\n";
  if (step.for_each) out += "  for_each = " + ExprToString(*step.for_each) + "\n";
  if (step.serial != 0) out += "  serial = " + std::to_string(step.serial) + "\n";
  out += "  depends_on " + List(step.depends_on) + "\n";
  out += "  touches " + List(step.touches) + "\n";
  for (const auto& statement : step.statements) DumpStatement(statement, out);
}

}  // namespace

std::string DumpProgram(const Program& program) {
  std::string out;
  DumpPlan(program.plan, out);
  for (const auto& import : program.imports) {
    out += "import " + Quoted(import.path) + " as " + import.alias + " " + At(import.range) +
           " resolved=" + Quoted(import.resolved_path) + "\n";
    DumpAttributes(import.inputs, "  ", out);
  }
  for (const auto& input : program.inputs) {
    out += "input " + input.name + " " + At(input.range) + "\n";
    if (input.default_value) out += "  default = " + ExprToString(*input.default_value) + "\n";
    if (!input.type.empty()) out += "  type " + input.type + "\n";
    if (input.sensitive) out += "  sensitive\n";
    if (!input.description.empty()) out += "  description " + Quoted(input.description) + "\n";
  }
  for (const auto& let : program.lets) {
    out += "let " + let.name + " " + At(let.range) + " = " + ExprToString(let.value) + "\n";
  }
  for (const auto& resource : program.resources) {
    out += "resource " + resource.type + " " + resource.name + " " + At(resource.range) + "\n";
    if (resource.for_each) out += "  for_each = " + ExprToString(*resource.for_each) + "\n";
    DumpAttributes(resource.attributes, "  ", out);
  }
  for (const auto& step : program.steps) DumpStep(step, out);
  return out;
}

}  // namespace upgrade
