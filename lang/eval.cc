// Evaluate: the meaning of expressions. Unknown operands make results unknown (what applying
// will tell), sensitive operands make results sensitive, `&&` and `||` short-circuit, and the
// references and calls met on the way are traced for messages about failed checks.
#include <cmath>

#include "lang/eval.h"

namespace upgrade {
namespace {

/// Thrown inside the evaluator only; Evaluate turns it into an EvalResult.
struct EvalError {
  std::string message;
  SourceRange range;
};

/// Evaluates one expression tree, collecting the trace.
class Evaluator {
 public:
  Evaluator(EvalScope& scope, bool tracing) : scope_(scope), tracing_(tracing) {}

  Value Eval(const Expr& expr, bool in_chain = false);
  std::vector<std::pair<std::string, Value>> TakeTrace() { return std::move(trace_); }

 private:
  Value EvalTemplate(const Expr& expr);
  Value EvalCall(const Expr& expr);
  Value EvalUnary(const Expr& expr);
  Value EvalBinary(const Expr& expr);
  Value EvalLogical(const Expr& expr);
  Value EvalAttribute(const Expr& expr, bool in_chain);
  Value EvalIndex(const Expr& expr, bool in_chain);
  void Trace(const Expr& expr, const Value& value, bool in_chain) {
    if (tracing_ && !in_chain) trace_.emplace_back(ExprToString(expr), value);
  }

  EvalScope& scope_;
  bool tracing_;
  std::vector<std::pair<std::string, Value>> trace_;
};

[[noreturn]] void Fail(const Expr& at, std::string message) {
  throw EvalError{std::move(message), at.range};
}

const char* TypeOf(const Value& value) { return Value::TypeName(value.type()); }

/// The result of an operation on `operands`: sensitive when any of them is.
Value Marked(Value result, std::initializer_list<const Value*> operands) {
  for (const Value* operand : operands)
    if (operand->ContainsSensitive()) result.MarkSensitive();
  return result;
}

bool IsUnknown(const Value& value) { return value.is_unknown(); }

Value Arithmetic(const Expr& expr, const Value& left, const Value& right) {
  const std::string& op = expr.name;
  if (left.is_number() && right.is_number()) {
    double a = left.as_number(), b = right.as_number();
    if (op == "+") return a + b;
    if (op == "-") return a - b;
    if (op == "*") return a * b;
    if ((op == "/" || op == "%") && b == 0) Fail(expr, "division by zero");
    if (op == "/") return a / b;
    return std::fmod(a, b);
  }
  if (op == "+" && left.is_string() && right.is_string()) {
    return left.as_string() + right.as_string();
  }
  if (left.is_duration() && right.is_duration() && (op == "+" || op == "-")) {
    return op == "+" ? left.as_duration() + right.as_duration()
                     : left.as_duration() - right.as_duration();
  }
  if (op == "*" && (left.is_duration() || right.is_duration()) &&
      (left.is_number() || right.is_number())) {
    const Value& d = left.is_duration() ? left : right;
    const Value& n = left.is_number() ? left : right;
    return Duration(static_cast<long long>(std::llround(d.as_duration().count() * n.as_number())));
  }
  if (op == "/" && left.is_duration() && right.is_number()) {
    if (right.as_number() == 0) Fail(expr, "division by zero");
    return Duration(
        static_cast<long long>(std::llround(left.as_duration().count() / right.as_number())));
  }
  Fail(expr, std::string("cannot apply '") + op + "' to " + TypeOf(left) + " and " +
                 TypeOf(right));
}

Value Compare(const Expr& expr, const Value& left, const Value& right) {
  const std::string& op = expr.name;
  if (op == "==") return left == right;
  if (op == "!=") return left != right;
  int order = 0;
  if (left.is_number() && right.is_number()) {
    order = left.as_number() < right.as_number() ? -1 : left.as_number() > right.as_number();
  } else if (left.is_duration() && right.is_duration()) {
    order = left.as_duration() < right.as_duration() ? -1
                                                     : left.as_duration() > right.as_duration();
  } else if (left.is_string() && right.is_string()) {
    int c = left.as_string().compare(right.as_string());
    order = c < 0 ? -1 : c > 0;
  } else {
    Fail(expr, std::string("cannot compare ") + TypeOf(left) + " with " + TypeOf(right));
  }
  if (op == "<") return order < 0;
  if (op == "<=") return order <= 0;
  if (op == ">") return order > 0;
  return order >= 0;
}

Value Membership(const Expr& expr, const Value& item, const Value& container) {
  if (container.is_list()) {
    for (const auto& element : container.as_list()) {
      if (element.is_unknown()) return Unknown{};
      if (element == item) return true;
    }
    return false;
  }
  if (container.is_map() && item.is_string()) return container.as_map().count(item.as_string()) > 0;
  if (container.is_string() && item.is_string()) {
    return container.as_string().find(item.as_string()) != std::string::npos;
  }
  Fail(expr, std::string("cannot look for a ") + TypeOf(item) + " in a " + TypeOf(container));
}

}  // namespace

Value Evaluator::Eval(const Expr& expr, bool in_chain) {
  switch (expr.kind) {
    case Expr::Kind::kLiteral: return expr.literal;
    case Expr::Kind::kTemplate: return EvalTemplate(expr);
    case Expr::Kind::kReference: {
      std::optional<Value> value = scope_.Lookup(expr.name);
      if (!value) Fail(expr, "unknown name '" + expr.name + "'");
      Trace(expr, *value, in_chain);
      return std::move(*value);
    }
    case Expr::Kind::kCall: return EvalCall(expr);
    case Expr::Kind::kUnary: return EvalUnary(expr);
    case Expr::Kind::kBinary: return EvalBinary(expr);
    case Expr::Kind::kAttribute: return EvalAttribute(expr, in_chain);
    case Expr::Kind::kIndex: return EvalIndex(expr, in_chain);
    case Expr::Kind::kList: {
      Value::List items;
      for (const auto& operand : expr.operands) items.push_back(Eval(operand));
      return items;
    }
    case Expr::Kind::kMap: {
      Value::Map items;
      for (std::size_t i = 0; i < expr.operands.size(); ++i) {
        items[expr.keys[i]] = Eval(expr.operands[i]);
      }
      return items;
    }
  }
  Fail(expr, "unknown expression");
}

Value Evaluator::EvalTemplate(const Expr& expr) {
  std::string text;
  bool sensitive = false;
  bool unknown = false;
  for (const auto& part : expr.operands) {
    Value value = Eval(part);
    sensitive = sensitive || value.ContainsSensitive();
    if (value.ContainsUnknown()) {
      unknown = true;
      continue;
    }
    if (value.is_list() || value.is_map() || value.is_null()) {
      Fail(part, std::string("cannot interpolate a ") + TypeOf(value) + " into a string");
    }
    if (value.is_string()) text += value.as_string();  // as ToInterpolation, without a copy
    else text += value.ToInterpolation();
  }
  Value result = unknown ? Value(Unknown{}) : Value(std::move(text));
  result.MarkSensitive(sensitive);
  return result;
}

Value Evaluator::EvalCall(const Expr& expr) {
  std::vector<Value> args;
  bool unknown = false, sensitive = false;
  for (const auto& operand : expr.operands) {
    args.push_back(Eval(operand));
    unknown = unknown || args.back().ContainsUnknown();
    sensitive = sensitive || args.back().ContainsSensitive();
  }
  Value result;
  if (unknown) {
    result = Unknown{};
  } else {
    std::string error;
    std::optional<Value> value = scope_.Call(expr.name, args, &error);
    if (!value) Fail(expr, expr.name + ": " + (error.empty() ? "call failed" : error));
    result = std::move(*value);
  }
  if (sensitive) result.MarkSensitive();
  Trace(expr, result, false);
  return result;
}

Value Evaluator::EvalUnary(const Expr& expr) {
  Value operand = Eval(expr.operands[0]);
  if (operand.is_unknown()) return Marked(Unknown{}, {&operand});
  if (expr.name == "!") {
    if (!operand.is_bool()) Fail(expr, std::string("'!' needs a bool, got ") + TypeOf(operand));
    return Marked(!operand.as_bool(), {&operand});
  }
  if (operand.is_number()) return Marked(-operand.as_number(), {&operand});
  if (operand.is_duration()) return Marked(Duration(-operand.as_duration().count()), {&operand});
  Fail(expr, std::string("'-' needs a number or a duration, got ") + TypeOf(operand));
}

Value Evaluator::EvalLogical(const Expr& expr) {
  bool is_and = expr.name == "&&";
  Value left = Eval(expr.operands[0]);
  if (!left.is_unknown() && !left.is_bool()) {
    Fail(expr.operands[0], "'" + expr.name + "' needs bool operands, got " + TypeOf(left));
  }
  // A decided left side settles the result without evaluating the right one.
  if (left.is_bool() && left.as_bool() != is_and) return left;
  Value right = Eval(expr.operands[1]);
  if (!right.is_unknown() && !right.is_bool()) {
    Fail(expr.operands[1], "'" + expr.name + "' needs bool operands, got " + TypeOf(right));
  }
  if (right.is_bool() && right.as_bool() != is_and) return Marked(right, {&left, &right});
  if (left.is_unknown() || right.is_unknown()) return Marked(Unknown{}, {&left, &right});
  return Marked(right, {&left, &right});
}

Value Evaluator::EvalBinary(const Expr& expr) {
  const std::string& op = expr.name;
  if (op == "&&" || op == "||") return EvalLogical(expr);
  Value left = Eval(expr.operands[0]);
  Value right = Eval(expr.operands[1]);
  if (IsUnknown(left) || IsUnknown(right)) return Marked(Unknown{}, {&left, &right});
  if (op == "in") return Marked(Membership(expr, left, right), {&left, &right});
  if (op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=") {
    if ((op == "==" || op == "!=") && (left.ContainsUnknown() || right.ContainsUnknown())) {
      return Marked(Unknown{}, {&left, &right});
    }
    return Marked(Compare(expr, left, right), {&left, &right});
  }
  return Marked(Arithmetic(expr, left, right), {&left, &right});
}

Value Evaluator::EvalAttribute(const Expr& expr, bool in_chain) {
  const Expr& root = expr.operands[0];
  if (root.kind == Expr::Kind::kReference) {
    // `input.root`: the member alone, when the scope has it, rather than a copy of the root.
    if (std::optional<Value> member = scope_.LookupMember(root.name, expr.name)) {
      Trace(expr, *member, in_chain);
      return std::move(*member);
    }
  }
  Value object = Eval(root, true);
  Value result;
  if (object.is_unknown()) {
    result = Unknown{};
  } else if (!object.is_map()) {
    Fail(expr, "cannot read attribute '" + expr.name + "' of a " + TypeOf(object));
  } else {
    auto it = object.as_map().find(expr.name);
    if (it == object.as_map().end()) {
      Fail(expr, ExprToString(expr.operands[0]) + " has no attribute '" + expr.name + "'");
    }
    result = it->second;
  }
  if (object.sensitive()) result.MarkSensitive();
  Trace(expr, result, in_chain);
  return result;
}

Value Evaluator::EvalIndex(const Expr& expr, bool in_chain) {
  Value object = Eval(expr.operands[0], true);
  Value index = Eval(expr.operands[1]);
  Value result;
  if (object.is_unknown() || index.is_unknown()) {
    result = Unknown{};
  } else if (object.is_list() && index.is_number()) {
    double n = index.as_number();
    std::size_t size = object.as_list().size();
    if (n < 0 || std::floor(n) != n || n >= static_cast<double>(size)) {
      Fail(expr.operands[1], "index " + index.ToDisplay() + " is out of range for a list of " +
                                 std::to_string(size));
    }
    result = object.as_list()[static_cast<std::size_t>(n)];
  } else if (object.is_map() && index.is_string()) {
    auto it = object.as_map().find(index.as_string());
    if (it == object.as_map().end()) {
      Fail(expr.operands[1], "no key " + index.ToDisplay() + " in " +
                                 ExprToString(expr.operands[0]));
    }
    result = it->second;
  } else {
    Fail(expr, std::string("cannot index a ") + TypeOf(object) + " with a " + TypeOf(index));
  }
  if (object.sensitive() || index.sensitive()) result.MarkSensitive();
  Trace(expr, result, in_chain);
  return result;
}

namespace {

EvalResult EvaluateWith(const Expr& expr, EvalScope& scope, bool tracing) {
  Evaluator evaluator(scope, tracing);
  EvalResult result;
  try {
    result.value = evaluator.Eval(expr);
    result.ok = true;
  } catch (const EvalError& error) {
    result.error = error.message;
    result.range = error.range;
  }
  result.trace = evaluator.TakeTrace();
  return result;
}

}  // namespace

EvalResult Evaluate(const Expr& expr, EvalScope& scope) { return EvaluateWith(expr, scope, true); }

EvalResult EvaluateUntraced(const Expr& expr, EvalScope& scope) {
  return EvaluateWith(expr, scope, false);
}

}  // namespace upgrade
