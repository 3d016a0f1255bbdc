// ExprToString (the canonical text of an expression) and lookups in a Program.
#include "lang/ir.h"

#include <unordered_map>

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

/// Lists this short are scanned: cheaper than hashing the name, and never stale.
constexpr std::size_t kScanned = 8;

template <typename T>
const T* Scan(const std::vector<T>& items, const std::string& name) {
  for (const auto& item : items)
    if (item.name == name) return &item;
  return nullptr;
}

template <typename T> constexpr int kTable = -1;
template <> constexpr int kTable<Input> = 0;
template <> constexpr int kTable<Let> = 1;
template <> constexpr int kTable<Resource> = 2;
template <> constexpr int kTable<Step> = 3;

}  // namespace

std::string ExprToString(const Expr& expr) {
  std::string out;
  Write(expr, out);
  return out;
}

/// Where each name first appears in one list, and which list (where, how long) it was built from.
struct ProgramIndex::Tables {
  struct Table {
    const void* data = nullptr;
    std::size_t size = 0;
    std::unordered_map<std::string, std::size_t> positions;
  };
  Table tables[4];
};

ProgramIndex::ProgramIndex() = default;
ProgramIndex::~ProgramIndex() = default;
ProgramIndex::ProgramIndex(const ProgramIndex& /*other*/) {}
ProgramIndex& ProgramIndex::operator=(const ProgramIndex& /*other*/) {
  std::lock_guard<std::mutex> lock(mutex_);
  tables_.reset();
  return *this;
}

template <typename T>
const T* ProgramIndex::Find(const std::vector<T>& items, const std::string& name) const {
  if (items.size() <= kScanned) return Scan(items, name);
  std::lock_guard<std::mutex> lock(mutex_);
  if (!tables_) tables_ = std::make_unique<Tables>();
  Tables::Table& table = tables_->tables[kTable<T>];
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool fresh = table.data == items.data() && table.size == items.size();
    if (!fresh || attempt == 1) {
      table.positions.clear();
      table.positions.reserve(items.size());
      for (std::size_t i = 0; i < items.size(); ++i) table.positions.emplace(items[i].name, i);
      table.data = items.data();
      table.size = items.size();
    }
    auto found = table.positions.find(name);
    if (found == table.positions.end()) return nullptr;
    // An item renamed in place since the index was built: build it again.
    if (items[found->second].name == name) return &items[found->second];
  }
  return nullptr;
}

template const Input* ProgramIndex::Find(const std::vector<Input>&, const std::string&) const;
template const Let* ProgramIndex::Find(const std::vector<Let>&, const std::string&) const;
template const Resource* ProgramIndex::Find(const std::vector<Resource>&,
                                            const std::string&) const;
template const Step* ProgramIndex::Find(const std::vector<Step>&, const std::string&) const;

const Input* Program::FindInput(const std::string& name) const { return index.Find(inputs, name); }
const Let* Program::FindLet(const std::string& name) const { return index.Find(lets, name); }
const Resource* Program::FindResource(const std::string& name) const {
  return index.Find(resources, name);
}
const Step* Program::FindStep(const std::string& name) const { return index.Find(steps, name); }

}  // namespace upgrade
