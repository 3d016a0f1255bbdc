// ParseProgram: turns the syntax tree of one file into unchecked IR. Problems of shape that the
// grammar cannot see (an unknown attribute of a `plan` block, a malformed window, a non-literal
// `serial`) are reported here; names and types are the checker's business.
#include <cmath>
#include <cstdlib>
#include <set>

#include "lang/grammar.h"
#include "lang/loader.h"
#include "lang/syntax.h"
#include "lang/window.h"

namespace upgrade {
namespace {

namespace g = grammar;
using syntax::Node;

/// Builds the IR of one file from its syntax tree, reporting problems of shape as it goes.
class IrBuilder {
 public:
  IrBuilder(const std::string& path, Diagnostics& diagnostics)
      : path_(path), diagnostics_(diagnostics) {}

  Program Build(const Node& root);
  Expr ToExpr(const Node& node);

 private:
  SourceRange Range(const Node& node) const { return syntax::RangeOf(node, path_); }
  void Error(const Node& node, std::string message) { diagnostics_.Error(Range(node), message); }

  Expr FoldBinary(const Node& node);
  Expr FoldPostfix(const Node& node);
  Expr StringExpr(const Node& node);
  Expr HeredocExpr(const Node& node);
  Expr MapExpr(const Node& node);
  std::string PlainString(const Node& string_node, const char* what);
  std::vector<Attribute> Attributes(const Node* block);

  void AddPlan(const Node& node, Program& program);
  void AddInput(const Node& node, Program& program);
  void AddResource(const Node& node, Program& program);
  void AddStep(const Node& node, Program& program);
  void AddImport(const Node& node, Program& program);
  Statement ToStatement(const Node& node);
  void SetStepAttribute(Step& step, Attribute& attribute);
  void SetVerifyOptions(Statement& statement, const Node& block);

  SourcePath path_;  ///< made once: every range of the file shares it
  Diagnostics& diagnostics_;
};

bool IsBinaryLevel(const Node& node) {
  return node.is_type<g::or_expr>() || node.is_type<g::and_expr>() ||
         node.is_type<g::cmp_expr>() || node.is_type<g::add_expr>() ||
         node.is_type<g::mul_expr>();
}

Expr Literal(Value value, SourceRange range) {
  Expr expr;
  expr.kind = Expr::Kind::kLiteral;
  expr.literal = std::move(value);
  expr.range = std::move(range);
  return expr;
}

/// Joins `a.b.c` chains of references and attributes into "a.b.c"; empty when not one.
std::string DottedName(const Expr& expr) {
  if (expr.kind == Expr::Kind::kReference) return expr.name;
  if (expr.kind == Expr::Kind::kAttribute) {
    std::string object = DottedName(expr.operands[0]);
    return object.empty() ? "" : object + "." + expr.name;
  }
  return "";
}

Duration ParseDurationText(std::string_view text) {
  long long total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    long long n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      n = n * 10 + (text[i++] - '0');
      if (n > 1'000'000'000'000LL) n = 1'000'000'000'000LL;  // clamp absurd literals
    }
    if (text.substr(i, 2) == "ms") {
      total += n;
      i += 2;
    } else {
      char unit = text[i++];
      total += n * (unit == 's' ? 1000LL : unit == 'm' ? 60'000LL : 3'600'000LL);
    }
  }
  return Duration(total);
}

}  // namespace

Expr IrBuilder::ToExpr(const Node& node) {
  if (IsBinaryLevel(node)) return FoldBinary(node);
  if (node.is_type<g::postfix>()) return FoldPostfix(node);
  // These make their own range (or take their child's).
  if (node.is_type<g::string>()) return StringExpr(node);
  if (node.is_type<g::heredoc>()) return HeredocExpr(node);
  if (node.is_type<g::paren>()) return ToExpr(*node.children[0]);
  if (node.is_type<g::map>()) return MapExpr(node);
  SourceRange range = Range(node);
  if (node.is_type<g::identifier>()) {
    Expr expr;
    expr.kind = Expr::Kind::kReference;
    expr.name = node.string();
    expr.range = std::move(range);
    return expr;
  }
  if (node.is_type<g::number>()) {
    return Literal(std::strtod(node.string().c_str(), nullptr), std::move(range));
  }
  if (node.is_type<g::duration>()) {
    return Literal(ParseDurationText(node.string_view()), std::move(range));
  }
  if (node.is_type<g::literal_word>()) {
    std::string_view word = node.string_view();
    return word == "null" ? Literal(Value(), std::move(range))
                          : Literal(word == "true", std::move(range));
  }
  if (node.is_type<g::list>()) {
    Expr expr;
    expr.kind = Expr::Kind::kList;
    expr.range = std::move(range);
    expr.operands.reserve(node.children.size());
    for (const auto& child : node.children) expr.operands.push_back(ToExpr(*child));
    return expr;
  }
  if (node.is_type<g::unary_expr>()) {
    std::string op = node.children[0]->string();
    Expr operand = ToExpr(*node.children[1]);
    // `-5` and `-30s` are literals, so that types of literal attributes stay checkable.
    if (op == "-" && operand.kind == Expr::Kind::kLiteral && operand.literal.is_number()) {
      return Literal(-operand.literal.as_number(), std::move(range));
    }
    if (op == "-" && operand.kind == Expr::Kind::kLiteral && operand.literal.is_duration()) {
      return Literal(Duration(-operand.literal.as_duration().count()), std::move(range));
    }
    Expr expr;
    expr.kind = Expr::Kind::kUnary;
    expr.name = op;
    expr.range = std::move(range);
    expr.operands.push_back(std::move(operand));
    return expr;
  }
  Error(node, "unexpected " + std::string(node.type));
  return Literal(Value(), std::move(range));
}

Expr IrBuilder::FoldBinary(const Node& node) {
  Expr left = ToExpr(*node.children[0]);
  for (std::size_t i = 1; i + 1 < node.children.size(); i += 2) {
    Expr right = ToExpr(*node.children[i + 1]);
    Expr expr;
    expr.kind = Expr::Kind::kBinary;
    expr.name = node.children[i]->string();
    expr.range = left.range;
    const Node& last = *node.children[i + 1];
    expr.range.end_column = last.m_end.line == node.m_begin.line && last.has_content()
                                ? static_cast<int>(last.m_end.column)
                                : 0;
    expr.operands.reserve(2);
    expr.operands.push_back(std::move(left));
    expr.operands.push_back(std::move(right));
    left = std::move(expr);
  }
  return left;
}

Expr IrBuilder::FoldPostfix(const Node& node) {
  Expr current = ToExpr(*node.children[0]);
  for (std::size_t i = 1; i < node.children.size(); ++i) {
    const Node& suffix = *node.children[i];
    Expr expr;
    expr.range = current.range;
    if (suffix.m_end.line == node.m_begin.line) {
      expr.range.end_column = static_cast<int>(suffix.m_end.column);
    } else {
      expr.range.end_column = 0;
    }
    if (suffix.is_type<g::attr_suffix>()) {
      expr.kind = Expr::Kind::kAttribute;
      expr.name = suffix.children[0]->string();
      expr.operands.push_back(std::move(current));
    } else if (suffix.is_type<g::index_suffix>()) {
      expr.kind = Expr::Kind::kIndex;
      expr.operands.reserve(2);
      expr.operands.push_back(std::move(current));
      expr.operands.push_back(ToExpr(*suffix.children[0]));
    } else {
      expr.kind = Expr::Kind::kCall;
      expr.name = DottedName(current);
      if (expr.name.empty()) {
        diagnostics_.Error(current.range, "only named functions can be called, such as env(...)");
      }
      expr.operands.reserve(suffix.children.size());
      for (const auto& arg : suffix.children) expr.operands.push_back(ToExpr(*arg));
    }
    current = std::move(expr);
  }
  return current;
}

namespace {

/// Collects the parts of a string or heredoc: adjacent text merges, expressions stand alone.
/// Text parts get the whole string's range; until then theirs is empty (line 0), which no
/// expression's is.
class TemplateParts {
 public:
  void AddText(std::string_view text) {
    text_.append(text);
    has_text_ = true;
  }
  void AddText(char c) {
    text_.push_back(c);
    has_text_ = true;
  }
  void AddExpr(Expr expr) {
    FlushText();
    parts_.push_back(std::move(expr));
  }

  Expr Finish(SourceRange range) {
    if (parts_.empty()) return Literal(std::move(text_), std::move(range));
    FlushText();
    for (auto& part : parts_) {
      if (part.range.begin.line == 0) part.range = range;
    }
    Expr expr;
    expr.kind = Expr::Kind::kTemplate;
    expr.range = std::move(range);
    expr.operands = std::move(parts_);
    return expr;
  }

 private:
  void FlushText() {
    if (parts_.empty()) parts_.reserve(4);
    if (!has_text_) return;
    parts_.push_back(Literal(std::move(text_), {}));
    text_.clear();
    has_text_ = false;
  }

  std::string text_;
  bool has_text_ = false;
  std::vector<Expr> parts_;
};

char Unescape(char c) {
  switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    default: return c;
  }
}

}  // namespace

Expr IrBuilder::StringExpr(const Node& node) {
  TemplateParts parts;
  for (const auto& part : node.children) {
    if (part->is_type<g::string_text>()) {
      parts.AddText(part->string_view());
    } else if (part->is_type<g::escape>()) {
      parts.AddText(Unescape(part->string_view()[1]));
    } else if (part->is_type<g::dollar_escape>()) {
      parts.AddText("${");
    } else {
      parts.AddExpr(ToExpr(*part->children[0]));
    }
  }
  return parts.Finish(Range(node));
}

Expr IrBuilder::HeredocExpr(const Node& node) {
  // The common indentation of the non-blank lines is stripped from each line.
  std::size_t strip = std::string::npos;
  for (const auto& line : node.children) {
    std::string_view raw = line->string_view();
    std::size_t indent = raw.find_first_not_of(" \t");
    if (indent == std::string_view::npos || raw[indent] == '\n' || raw[indent] == '\r') continue;
    strip = std::min(strip, indent);
  }
  if (strip == std::string::npos) strip = 0;
  TemplateParts parts;
  for (const auto& line : node.children) {
    std::size_t to_strip = strip;
    for (const auto& part : line->children) {
      if (part->is_type<g::heredoc_text>()) {
        std::string_view text = part->string_view();
        std::size_t cut = std::min(to_strip, text.size());
        text.remove_prefix(cut);
        to_strip -= cut;
        parts.AddText(text);
      } else if (part->is_type<g::dollar_escape>()) {
        parts.AddText("${");
        to_strip = 0;
      } else {
        parts.AddExpr(ToExpr(*part->children[0]));
        to_strip = 0;
      }
    }
    parts.AddText("\n");
  }
  SourceRange range = Range(node);
  range.end_column = 0;
  return parts.Finish(range);
}

Expr IrBuilder::MapExpr(const Node& node) {
  Expr expr;
  expr.kind = Expr::Kind::kMap;
  expr.range = Range(node);
  std::set<std::string> seen;
  expr.keys.reserve(node.children.size());
  expr.operands.reserve(node.children.size());
  for (const auto& entry : node.children) {
    const Node& key_node = *entry->children[0];
    std::string key = key_node.children.empty() ? key_node.string()
                                                : PlainString(*key_node.children[0], "a map key");
    if (!seen.insert(key).second) Error(key_node, "duplicate key '" + key + "' in map");
    expr.keys.push_back(key);
    expr.operands.push_back(ToExpr(*entry->children[1]));
  }
  return expr;
}

std::string IrBuilder::PlainString(const Node& string_node, const char* what) {
  Expr expr = StringExpr(string_node);
  if (expr.kind != Expr::Kind::kLiteral) {
    Error(string_node, std::string(what) + " must be a plain string, without ${}");
    return "";
  }
  return expr.literal.as_string();
}

std::vector<Attribute> IrBuilder::Attributes(const Node* block) {
  std::vector<Attribute> attributes;
  if (block == nullptr) return attributes;
  attributes.reserve(block->children.size());
  for (const auto& child : block->children) {
    std::string name = child->children[0]->string();
    SourceRange range = Range(*child->children[0]);
    for (const auto& other : attributes) {
      if (other.name == name) {
        Diagnostic& error = diagnostics_.Error(range, "duplicate attribute '" + name + "'");
        error.notes.push_back({Severity::kNote, other.range, "first set here", {}});
      }
    }
    // Made in place: an expression is a large thing to build and then move.
    Attribute& attribute = attributes.emplace_back();
    attribute.name = std::move(name);
    attribute.value = ToExpr(*child->children[1]);
    attribute.range = std::move(range);
  }
  return attributes;
}


namespace {

const Node* ChildOfType(const Node& node, std::string_view type) {
  for (const auto& child : node.children)
    if (child->type == type) return child;
  return nullptr;
}

template <typename Rule>
const Node* Child(const Node& node) {
  return ChildOfType(node, tao::pegtl::demangle<Rule>());
}

bool IsWholePositive(const Value& value) {
  return value.is_number() && value.as_number() >= 1 && value.as_number() <= 1e9 &&
         std::floor(value.as_number()) == value.as_number();
}

}  // namespace

void IrBuilder::AddPlan(const Node& node, Program& program) {
  if (program.plan.range.begin.Known()) {
    Diagnostic& error = diagnostics_.Error(Range(node), "duplicate plan block");
    error.notes.push_back({Severity::kNote, program.plan.range, "first plan block here", {}});
    return;
  }
  program.plan.range = Range(node);
  program.plan.range.end_column = 0;
  program.plan.name = PlainString(*Child<g::plan_name>(node)->children[0], "the plan's name");
  for (auto& attribute : Attributes(Child<g::attr_block>(node))) {
    const Expr& value = attribute.value;
    bool is_string = value.kind == Expr::Kind::kLiteral && value.literal.is_string();
    if (attribute.name == "description") {
      if (!is_string) diagnostics_.Error(value.range, "description must be a plain string");
      else program.plan.description = value.literal.as_string();
    } else if (attribute.name == "window") {
      if (!is_string) {
        diagnostics_.Error(value.range, "window must be a plain string such as \"Sat 02:00-04:00 UTC\"");
        continue;
      }
      std::string error;
      auto window = ParseMaintenanceWindow(value.literal.as_string(), &error);
      if (!window) diagnostics_.Error(value.range, "invalid window: " + error);
      program.plan.window = window;
    } else if (attribute.name == "on_failure") {
      std::string text = value.kind == Expr::Kind::kReference ? value.name
                         : is_string                          ? value.literal.as_string()
                                                              : "";
      if (text == "rollback") program.plan.on_failure = OnFailure::kRollback;
      else if (text == "stop") program.plan.on_failure = OnFailure::kStop;
      else diagnostics_.Error(value.range, "on_failure must be rollback or stop");
    } else {
      diagnostics_.Error(attribute.range, "unknown plan attribute '" + attribute.name +
                                              "' (expected description, window or on_failure)");
    }
  }
}

void IrBuilder::AddInput(const Node& node, Program& program) {
  Input input;
  const Node& name = *Child<g::decl_name>(node);
  input.name = name.string();
  input.range = Range(name);
  for (auto& attribute : Attributes(Child<g::attr_block>(node))) {
    const Expr& value = attribute.value;
    bool literal = value.kind == Expr::Kind::kLiteral;
    if (attribute.name == "default") {
      input.default_value = std::move(attribute.value);
    } else if (attribute.name == "description") {
      if (!literal || !value.literal.is_string()) {
        diagnostics_.Error(value.range, "description must be a plain string");
      } else {
        input.description = value.literal.as_string();
      }
    } else if (attribute.name == "sensitive") {
      if (!literal || !value.literal.is_bool()) {
        diagnostics_.Error(value.range, "sensitive must be true or false");
      } else {
        input.sensitive = value.literal.as_bool();
      }
    } else if (attribute.name == "type") {
      std::string type = value.kind == Expr::Kind::kReference                 ? value.name
                         : literal && value.literal.is_string() ? value.literal.as_string()
                                                                : "?";
      static const std::set<std::string> kTypes = {"string", "number", "bool", "duration",
                                                   "list",   "map"};
      if (kTypes.count(type) == 0) {
        diagnostics_.Error(value.range,
                           "type must be one of string, number, bool, duration, list, map");
      } else {
        input.type = type;
      }
    } else {
      diagnostics_.Error(attribute.range,
                         "unknown input attribute '" + attribute.name +
                             "' (expected default, description, sensitive or type)");
    }
  }
  program.inputs.push_back(std::move(input));
}

void IrBuilder::AddResource(const Node& node, Program& program) {
  Resource resource;
  const Node& type = *Child<g::type_name>(node);
  const Node& name = *Child<g::decl_name>(node);
  resource.type = type.string();
  resource.type_range = Range(type);
  resource.name = name.string();
  resource.range = Range(name);
  // `for_each` says how many instances there are; every other attribute stays where it is.
  std::vector<Attribute> attributes = Attributes(Child<g::attr_block>(node));
  auto is_for_each = [](const Attribute& attribute) { return attribute.name == "for_each"; };
  for (Attribute& attribute : attributes) {
    if (is_for_each(attribute)) resource.for_each = std::move(attribute.value);
  }
  std::erase_if(attributes, is_for_each);
  resource.attributes = std::move(attributes);
  program.resources.push_back(std::move(resource));
}

void IrBuilder::SetStepAttribute(Step& step, Attribute& attribute) {
  const Expr& value = attribute.value;
  if (attribute.name == "after") {
    if (value.kind != Expr::Kind::kList) {
      diagnostics_.Error(value.range, "after must be a list of step names, e.g. after = [backup]");
      return;
    }
    for (const auto& element : value.operands) {
      std::string name = DottedName(element);
      if (name.empty()) {
        diagnostics_.Error(element.range, "after must list step names, not expressions");
      } else {
        step.after.push_back({name, element.range});
      }
    }
  } else if (attribute.name == "for_each") {
    step.for_each = std::move(attribute.value);
  } else if (attribute.name == "serial") {
    if (value.kind != Expr::Kind::kLiteral || !IsWholePositive(value.literal)) {
      diagnostics_.Error(value.range, "serial must be a positive whole number");
    } else {
      step.serial = static_cast<int>(value.literal.as_number());
    }
  } else {
    diagnostics_.Error(attribute.range, "unknown step attribute '" + attribute.name +
                                            "' (expected after, for_each or serial)");
  }
}

void IrBuilder::SetVerifyOptions(Statement& statement, const Node& block) {
  for (auto& attribute : Attributes(&block)) {
    const Expr& value = attribute.value;
    bool is_duration = value.kind == Expr::Kind::kLiteral && value.literal.is_duration() &&
                       value.literal.as_duration().count() >= 0;
    if (attribute.name != "within" && attribute.name != "every") {
      diagnostics_.Error(attribute.range, "unknown verify option '" + attribute.name +
                                              "' (expected within or every)");
    } else if (!is_duration) {
      diagnostics_.Error(value.range, attribute.name + " must be a duration such as 30s or 2m");
    } else if (attribute.name == "within") {
      statement.within = value.literal.as_duration();
    } else {
      statement.every = value.literal.as_duration();
    }
  }
}

Statement IrBuilder::ToStatement(const Node& node) {
  Statement statement;
  statement.range = Range(node);
  statement.range.end_column = 0;
  const Node* message = Child<g::message>(node);
  if (message) statement.message = PlainString(*message->children[0], "a message");
  const Node* block = Child<g::attr_block>(node);
  if (node.is_type<g::require_stmt>() || node.is_type<g::verify_stmt>()) {
    statement.kind = node.is_type<g::require_stmt>() ? Statement::Kind::kRequire
                                                     : Statement::Kind::kVerify;
    statement.condition = ToExpr(*node.children[0]);
    if (block) SetVerifyOptions(statement, *block);
    return statement;
  }
  if (node.is_type<g::run_stmt>()) {
    statement.kind = Statement::Kind::kRun;
    statement.target = Child<g::action_type>(node)->string();
    statement.attributes = Attributes(block);
    return statement;
  }
  statement.kind =
      node.is_type<g::set_stmt>() ? Statement::Kind::kSet : Statement::Kind::kSnapshot;
  statement.target = Child<g::target_name>(node)->string();
  if (const Node* index = Child<g::target_index>(node)) {
    statement.target_index = ToExpr(*index->children[0]);
  }
  statement.attributes = Attributes(block);
  return statement;
}

void IrBuilder::AddStep(const Node& node, Program& program) {
  Step step;
  const Node& name = *Child<g::decl_name>(node);
  step.name = name.string();
  step.range = Range(name);
  if (const Node* title = Child<g::step_title>(node)) {
    step.title = PlainString(*title->children[0], "a step title");
  }
  std::set<std::string> seen;
  for (const auto& item : Child<g::step_body>(node)->children) {
    if (!item->is_type<g::attribute>()) {
      step.statements.push_back(ToStatement(*item));
      continue;
    }
    Attribute attribute;
    attribute.name = item->children[0]->string();
    attribute.range = Range(*item->children[0]);
    if (!seen.insert(attribute.name).second) {
      diagnostics_.Error(attribute.range, "duplicate attribute '" + attribute.name + "'");
      continue;
    }
    attribute.value = ToExpr(*item->children[1]);
    SetStepAttribute(step, attribute);
  }
  program.steps.push_back(std::move(step));
}

void IrBuilder::AddImport(const Node& node, Program& program) {
  Import import;
  import.path = PlainString(*Child<g::import_path>(node)->children[0], "an import path");
  const Node& alias = *Child<g::decl_name>(node);
  import.alias = alias.string();
  import.range = Range(node);
  import.range.end_column = 0;
  import.inputs = Attributes(Child<g::attr_block>(node));
  program.imports.push_back(std::move(import));
}

Program IrBuilder::Build(const Node& root) {
  Program program;
  program.path = path_.str();
  std::size_t resources = 0, steps = 0;
  for (const auto& block : root.children) {
    resources += block->is_type<g::resource_block>() ? 1 : 0;
    steps += block->is_type<g::step_block>() ? 1 : 0;
  }
  program.resources.reserve(resources);
  program.steps.reserve(steps);
  for (const auto& block : root.children) {
    const Node& node = *block;
    if (node.is_type<g::plan_block>()) {
      AddPlan(node, program);
    } else if (node.is_type<g::input_block>()) {
      AddInput(node, program);
    } else if (node.is_type<g::let_block>()) {
      Let let;
      const Node& name = *Child<g::decl_name>(node);
      let.name = name.string();
      let.range = Range(name);
      let.value = ToExpr(*node.children.back());
      program.lets.push_back(std::move(let));
    } else if (node.is_type<g::resource_block>()) {
      AddResource(node, program);
    } else if (node.is_type<g::step_block>()) {
      AddStep(node, program);
    } else if (node.is_type<g::import_block>()) {
      AddImport(node, program);
    }
  }
  return program;
}

std::optional<Program> ParseProgram(const std::string& path, const std::string& text,
                                    Diagnostics& diagnostics) {
  Diagnostics local;
  auto tree = syntax::Parse(path, text, local);
  if (!tree) {
    diagnostics.Append(local);
    return std::nullopt;
  }
  IrBuilder builder(path, local);
  Program program = builder.Build(*tree->root);
  diagnostics.Append(local);
  if (local.HasErrors()) return std::nullopt;
  return program;
}

}  // namespace upgrade
