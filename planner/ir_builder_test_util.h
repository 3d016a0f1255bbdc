// Builders of IR by hand for the planner's tests: the checked program a plan file would give,
// without going through the parser (and with `depends_on` / `touches` filled as the checker
// fills them).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lang/ir.h"

namespace upgrade::testing {

inline SourceRange At(int line, int column = 1, int end_column = 0) {
  SourceRange range;
  range.begin = {"/plans/test.upg", line, column};
  range.end_column = end_column;
  return range;
}

inline Expr Lit(Value value) {
  Expr e;
  e.kind = Expr::Kind::kLiteral;
  e.literal = std::move(value);
  return e;
}

inline Expr Ref(const std::string& name) {
  Expr e;
  e.kind = Expr::Kind::kReference;
  e.name = name;
  return e;
}

inline Expr Attr(Expr object, const std::string& name) {
  Expr e;
  e.kind = Expr::Kind::kAttribute;
  e.name = name;
  e.operands.push_back(std::move(object));
  return e;
}

inline Expr Index(Expr object, Expr index) {
  Expr e;
  e.kind = Expr::Kind::kIndex;
  e.operands.push_back(std::move(object));
  e.operands.push_back(std::move(index));
  return e;
}

inline Expr Call(const std::string& name, std::vector<Expr> args) {
  Expr e;
  e.kind = Expr::Kind::kCall;
  e.name = name;
  e.operands = std::move(args);
  return e;
}

inline Expr Binary(const std::string& op, Expr left, Expr right) {
  Expr e;
  e.kind = Expr::Kind::kBinary;
  e.name = op;
  e.operands.push_back(std::move(left));
  e.operands.push_back(std::move(right));
  return e;
}

inline Expr ListOf(std::vector<Expr> items) {
  Expr e;
  e.kind = Expr::Kind::kList;
  e.operands = std::move(items);
  return e;
}

inline Attribute A(const std::string& name, Expr value) { return {name, std::move(value), {}}; }

/// `resource fake.thing NAME { id = ID, ... }`
inline Resource Thing(const std::string& name, const std::string& id,
                      std::vector<Attribute> more = {}) {
  Resource r;
  r.type = "fake.thing";
  r.name = name;
  r.attributes.push_back(A("id", Lit(id)));
  for (auto& a : more) r.attributes.push_back(std::move(a));
  return r;
}

inline Statement Set(const std::string& target, std::vector<Attribute> attributes, int line = 0) {
  Statement s;
  s.kind = Statement::Kind::kSet;
  s.target = target;
  s.attributes = std::move(attributes);
  s.range = At(line);
  return s;
}

inline Statement RunAction(std::vector<Attribute> attributes, int line = 0) {
  Statement s;
  s.kind = Statement::Kind::kRun;
  s.target = "fake.action";
  s.attributes = std::move(attributes);
  s.range = At(line);
  return s;
}

inline Statement Snapshot(const std::string& target, int line = 0) {
  Statement s;
  s.kind = Statement::Kind::kSnapshot;
  s.target = target;
  s.range = At(line);
  return s;
}

inline Statement Require(Expr condition, const std::string& message = "", int line = 0) {
  Statement s;
  s.kind = Statement::Kind::kRequire;
  s.condition = std::move(condition);
  s.message = message;
  s.range = At(line, 3);
  return s;
}

inline Statement Verify(Expr condition, Duration within = Duration(0), Duration every = Duration(0)) {
  Statement s;
  s.kind = Statement::Kind::kVerify;
  s.condition = std::move(condition);
  s.within = within;
  s.every = every;
  return s;
}

/// A step; `after` fills both `after` and `depends_on`, `touches` as given.
inline Step MakeStep(const std::string& name, std::vector<std::string> after,
                     std::vector<Statement> statements, std::vector<std::string> touches = {}) {
  Step step;
  step.name = name;
  for (const auto& a : after) step.after.push_back({a, {}});
  step.depends_on = after;
  step.statements = std::move(statements);
  step.touches = std::move(touches);
  step.range = At(1);
  return step;
}

inline std::shared_ptr<const Program> Share(Program program) {
  if (program.path.empty()) program.path = "/plans/test.upg";
  return std::make_shared<const Program>(std::move(program));
}

}  // namespace upgrade::testing
