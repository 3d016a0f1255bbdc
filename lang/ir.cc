// ExprToString (the canonical text of an expression) and lookups in a Program.
#include "lang/ir.h"

namespace upgrade {
namespace {

/// Binding strength: a child binds less tightly than its parent needs parentheses.
int Precedence(const Expr& expr) {
  switch (expr.kind) {
    case Expr::Kind::kBinary: {
      const std::string& op = expr.name;
      if (op == "||") return 1;
      if (op == "&&") return 2;
      if (op == "+" || op == "-") return 4;
      if (op == "*" || op == "/" || op == "%") return 5;
      return 3;  // comparisons and `in`
    }
    case Expr::Kind::kUnary: return 6;
    case Expr::Kind::kLiteral:
      if ((expr.literal.is_number() && expr.literal.as_number() < 0) ||
          (expr.literal.is_duration() && expr.literal.as_duration().count() < 0)) {
        return 6;  // written as a unary minus
      }
      return 8;
    default: return 8;
  }
}

bool IsIdentifier(const std::string& text) {
  if (text.empty() || !(isalpha(static_cast<unsigned char>(text[0])) || text[0] == '_')) {
    return false;
  }
  for (char c : text)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  static const char* kReserved[] = {"true", "false", "null", "in"};
  for (const char* word : kReserved)
    if (text == word) return false;
  return true;
}

void AppendEscaped(const std::string& text, std::string& out) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '$':
        out += (i + 1 < text.size() && text[i + 1] == '{') ? "$$" : "$";
        break;
      default: out += c;
    }
  }
}

void Write(const Expr& expr, std::string& out);

void WriteOperand(const Expr& operand, bool parenthesize, std::string& out) {
  if (parenthesize) out += "(";
  Write(operand, out);
  if (parenthesize) out += ")";
}

void WriteLiteral(const Value& value, std::string& out) {
  if (value.is_string()) {
    out += "\"";
    AppendEscaped(value.as_string(), out);
    out += "\"";
  } else if (value.is_duration()) {
    out += FormatDuration(value.as_duration());
  } else {
    out += value.ToDisplayRevealed();
  }
}

void Write(const Expr& expr, std::string& out) {
  switch (expr.kind) {
    case Expr::Kind::kLiteral: WriteLiteral(expr.literal, out); return;
    case Expr::Kind::kTemplate:
      out += "\"";
      for (const auto& part : expr.operands) {
        if (part.kind == Expr::Kind::kLiteral && part.literal.is_string()) {
          AppendEscaped(part.literal.as_string(), out);
        } else {
          out += "${";
          Write(part, out);
          out += "}";
        }
      }
      out += "\"";
      return;
    case Expr::Kind::kReference: out += expr.name; return;
    case Expr::Kind::kCall:
      out += expr.name + "(";
      for (std::size_t i = 0; i < expr.operands.size(); ++i) {
        if (i > 0) out += ", ";
        Write(expr.operands[i], out);
      }
      out += ")";
      return;
    case Expr::Kind::kUnary:
      out += expr.name;
      WriteOperand(expr.operands[0], Precedence(expr.operands[0]) < 6, out);
      return;
    case Expr::Kind::kBinary: {
      int precedence = Precedence(expr);
      WriteOperand(expr.operands[0], Precedence(expr.operands[0]) < precedence, out);
      out += " " + expr.name + " ";
      WriteOperand(expr.operands[1], Precedence(expr.operands[1]) <= precedence, out);
      return;
    }
    case Expr::Kind::kIndex:
      WriteOperand(expr.operands[0], Precedence(expr.operands[0]) < 7, out);
      out += "[";
      Write(expr.operands[1], out);
      out += "]";
      return;
    case Expr::Kind::kAttribute:
      WriteOperand(expr.operands[0], Precedence(expr.operands[0]) < 7, out);
      out += "." + expr.name;
      return;
    case Expr::Kind::kList:
      out += "[";
      for (std::size_t i = 0; i < expr.operands.size(); ++i) {
        if (i > 0) out += ", ";
        Write(expr.operands[i], out);
      }
      out += "]";
      return;
    case Expr::Kind::kMap:
      if (expr.operands.empty()) {
        out += "{}";
        return;
      }
      out += "{ ";
      for (std::size_t i = 0; i < expr.operands.size(); ++i) {
        if (i > 0) out += ", ";
        if (IsIdentifier(expr.keys[i])) {
          out += expr.keys[i];
        } else {
          out += "\"";
          AppendEscaped(expr.keys[i], out);
          out += "\"";
        }
        out += " = ";
        Write(expr.operands[i], out);
      }
      out += " }";
      return;
  }
}

template <typename T>
const T* FindByName(const std::vector<T>& items, const std::string& name) {
  for (const auto& item : items)
    if (item.name == name) return &item;
  return nullptr;
}

}  // namespace

std::string ExprToString(const Expr& expr) {
  std::string out;
  Write(expr, out);
  return out;
}

const Input* Program::FindInput(const std::string& name) const { return FindByName(inputs, name); }
const Let* Program::FindLet(const std::string& name) const { return FindByName(lets, name); }
const Resource* Program::FindResource(const std::string& name) const {
  return FindByName(resources, name);
}
const Step* Program::FindStep(const std::string& name) const { return FindByName(steps, name); }

}  // namespace upgrade
