// Evaluate: precedence, short-circuit, unknown and sensitive propagation, errors and the trace.
#include "lang/eval.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>

#include "lang/loader.h"
#include "lang/schema.h"

namespace upgrade {
namespace {

/// A scope with fixed names, recording the functions called.
class FakeScope : public EvalScope {
 public:
  std::map<std::string, Value> names;
  std::vector<std::string> calls;

  std::optional<Value> Lookup(const std::string& name) override {
    auto it = names.find(name);
    if (it == names.end()) return std::nullopt;
    return it->second;
  }
  std::optional<Value> Call(const std::string& name, const std::vector<Value>& args,
                            std::string* error) override {
    calls.push_back(name);
    if (name == "boom") {
      *error = "it broke";
      return std::nullopt;
    }
    return CallBuiltinFunction(name, args, "", error);
  }
};

/// Parses `text` as the value of a let.
Expr Parse(const std::string& text) {
  Diagnostics diagnostics;
  auto program = ParseProgram("test.upg", "let x = " + text + "\n", diagnostics);
  EXPECT_TRUE(program.has_value()) << text;
  if (!program) return Expr{};
  return program->lets.at(0).value;
}

EvalResult Eval(const std::string& text, FakeScope& scope) { return Evaluate(Parse(text), scope); }

Value EvalOk(const std::string& text) {
  FakeScope scope;
  EvalResult result = Eval(text, scope);
  EXPECT_TRUE(result.ok) << text << ": " << result.error;
  return result.value;
}

std::string EvalError(const std::string& text, FakeScope& scope) {
  EvalResult result = Eval(text, scope);
  EXPECT_FALSE(result.ok) << text;
  return result.error;
}

TEST(EvalTest, ArithmeticPrecedence) {
  EXPECT_EQ(EvalOk("1 + 2 * 3"), Value(7));
  EXPECT_EQ(EvalOk("(1 + 2) * 3"), Value(9));
  EXPECT_EQ(EvalOk("10 - 4 - 3"), Value(3));
  EXPECT_EQ(EvalOk("-2 * 3"), Value(-6));
  EXPECT_EQ(EvalOk("7 % 4 + 1"), Value(4));
  EXPECT_EQ(EvalOk("1 + 2 == 3 && 2 < 3"), Value(true));
  EXPECT_EQ(EvalOk("true || false && false"), Value(true));
  EXPECT_EQ(EvalOk("!false == true"), Value(true));
  EXPECT_EQ(EvalOk("\"a\" + \"b\""), Value("ab"));
  EXPECT_EQ(EvalOk("2m + 30s"), Value(Duration(150000)));
  EXPECT_EQ(EvalOk("30s * 2 > 1m - 1s"), Value(true));
  EXPECT_EQ(EvalOk("\"b\" in [\"a\", \"b\"]"), Value(true));
  EXPECT_EQ(EvalOk("\"k\" in { k = 1 }"), Value(true));
  EXPECT_EQ(EvalOk("\"ell\" in \"hello\""), Value(true));
  EXPECT_EQ(EvalOk("[1, 2][1]"), Value(2));
  EXPECT_EQ(EvalOk("{ a = { b = 3 } }.a.b"), Value(3));
  EXPECT_EQ(EvalOk("\"n=${1 + 1} ${true} ${30s}\""), Value("n=2 true 30s"));
}

TEST(EvalTest, ShortCircuitSkipsTheRightSide) {
  FakeScope scope;
  EvalResult result = Eval("false && boom()", scope);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.value, Value(false));
  result = Eval("true || boom()", scope);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.value, Value(true));
  EXPECT_TRUE(scope.calls.empty());
  EXPECT_EQ(EvalError("true && boom()", scope), "boom: it broke");
  EXPECT_EQ(scope.calls, std::vector<std::string>{"boom"});
}

TEST(EvalTest, UnknownPropagates) {
  FakeScope scope;
  scope.names["c"] = Value::Map{{"id", Value(Unknown{})}, {"name", Value("web")}};
  EXPECT_TRUE(Eval("c.id", scope).value.is_unknown());
  EXPECT_TRUE(Eval("c.id + 1", scope).value.is_unknown());
  EXPECT_TRUE(Eval("\"id=${c.id}\"", scope).value.is_unknown());
  EXPECT_TRUE(Eval("c.id == \"x\"", scope).value.is_unknown());
  EXPECT_TRUE(Eval("lower(c.id)", scope).value.is_unknown());
  EXPECT_TRUE(scope.calls.empty());  // never called with an unknown argument
  // A decided side wins over an unknown one.
  EXPECT_EQ(Eval("c.id == \"x\" && false", scope).value, Value(false));
  EXPECT_EQ(Eval("c.id == \"x\" || true", scope).value, Value(true));
  EXPECT_TRUE(Eval("c.id == \"x\" && true", scope).value.is_unknown());
  EXPECT_EQ(Eval("c.name", scope).value, Value("web"));
}

TEST(EvalTest, SensitivePropagates) {
  FakeScope scope;
  scope.names["input"] = Value::Map{{"password", Value("hunter2").MarkSensitive()}};
  EvalResult result = Eval("\"postgresql://app:${input.password}@db/app\"", scope);
  ASSERT_TRUE(result.ok);
  EXPECT_TRUE(result.value.sensitive());
  EXPECT_EQ(result.value.ToDisplay(), "(sensitive value)");
  EXPECT_TRUE(Eval("upper(input.password)", scope).value.sensitive());
  EXPECT_TRUE(Eval("length(input.password) > 3", scope).value.sensitive());
  EXPECT_TRUE(Eval("[input.password]", scope).value.ContainsSensitive());
  EXPECT_FALSE(Eval("\"plain\"", scope).value.sensitive());
  EXPECT_TRUE(Eval("sensitive(\"x\")", scope).value.sensitive());
}

TEST(EvalTest, ErrorsNameTheProblemAndPlace) {
  FakeScope scope;
  scope.names["m"] = Value::Map{{"a", Value(1)}};
  EXPECT_EQ(EvalError("1 < \"a\"", scope), "cannot compare number with string");
  EXPECT_EQ(EvalError("1 + true", scope), "cannot apply '+' to number and bool");
  EXPECT_EQ(EvalError("1 / 0", scope), "division by zero");
  EXPECT_EQ(EvalError("!1", scope), "'!' needs a bool, got number");
  EXPECT_EQ(EvalError("1 && true", scope), "'&&' needs bool operands, got number");
  EXPECT_EQ(EvalError("m.b", scope), "m has no attribute 'b'");
  EXPECT_EQ(EvalError("[1][3]", scope), "index 3 is out of range for a list of 1");
  EXPECT_EQ(EvalError("nobody", scope), "unknown name 'nobody'");
  EXPECT_EQ(EvalError("\"${[1]}\"", scope), "cannot interpolate a list into a string");
  EXPECT_EQ(EvalError("tonumber(\"x1\")", scope), "tonumber: cannot convert \"x1\" to a number");
  EvalResult result = Eval("1 + (2 < \"b\")", scope);
  EXPECT_EQ(result.range.begin.line, 1);
  EXPECT_EQ(result.range.begin.column, 14);  // `2 < "b"` in `let x = 1 + (2 < "b")`
}

TEST(EvalTest, TraceShowsReferencesAndCalls) {
  FakeScope scope;
  scope.names["db"] = Value::Map{{"version", Value("14")}};
  scope.names["input"] = Value::Map{{"want", Value("15")}};
  EvalResult result = Eval("db.version == input.want && lower(\"A\") == \"a\"", scope);
  ASSERT_TRUE(result.ok);
  ASSERT_EQ(result.trace.size(), 2u);  // `&&` stopped after the first comparison
  EXPECT_EQ(result.trace[0].first, "db.version");
  EXPECT_EQ(result.trace[0].second, Value("14"));
  EXPECT_EQ(result.trace[1].first, "input.want");
}

TEST(EvalTest, BuiltinFunctions) {
  EXPECT_EQ(EvalOk("sha256(\"abc\")"),
            Value("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  EXPECT_EQ(EvalOk("join(\"-\", [\"a\", 1, true])"), Value("a-1-true"));
  EXPECT_EQ(EvalOk("format(\"%s:%d %q %%\", \"a\", 2.7, \"b\")"), Value("a:2 \"b\" %"));
  EXPECT_EQ(EvalOk("split(\",\", \"a,b\")"), Value(Value::List{Value("a"), Value("b")}));
  EXPECT_EQ(EvalOk("contains([1, 2], 2)"), Value(true));
  EXPECT_EQ(EvalOk("length({ a = 1, b = 2 })"), Value(2));
  EXPECT_EQ(EvalOk("tostring(5)"), Value("5"));
  EXPECT_EQ(EvalOk("tonumber(\"2.5\")"), Value(2.5));
  EXPECT_EQ(EvalOk("replace(\"a.b.c\", \".\", \"/\")"), Value("a/b/c"));
  EXPECT_EQ(EvalOk("trimspace(\"  x \\n\")"), Value("x"));
  EXPECT_EQ(EvalOk("keys({ b = 1, a = 2 })"), Value(Value::List{Value("a"), Value("b")}));
  EXPECT_EQ(EvalOk("range(3)"), Value(Value::List{Value(0), Value(1), Value(2)}));
  EXPECT_EQ(EvalOk("env(\"UPGRADE_SURELY_UNSET_VARIABLE\", \"fallback\")"), Value("fallback"));
  FakeScope scope;
  EXPECT_EQ(EvalError("env(\"UPGRADE_SURELY_UNSET_VARIABLE\")", scope),
            "env: environment variable UPGRADE_SURELY_UNSET_VARIABLE is not set");
  SchemaRegistry registry;
  RegisterBuiltinFunctions(registry);
  EXPECT_NE(registry.FindFunction("sha256"), nullptr);
  EXPECT_TRUE(IsBuiltinFunction("format"));
  EXPECT_FALSE(IsBuiltinFunction("http.get"));
}

TEST(EvalTest, FileGivesAFilesBytesAndNamesOneItCannotRead) {
  std::string path = ::testing::TempDir() + "/eval_test_file.bin";
  std::string bytes("first line\n\0second\n", 19);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  FakeScope scope;
  scope.names["p"] = Value(path);
  EvalResult read = Eval("file(p)", scope);
  ASSERT_TRUE(read.ok) << read.error;
  EXPECT_EQ(read.value, Value(bytes));
  std::remove(path.c_str());
  EXPECT_EQ(EvalError("file(p)", scope), "file: cannot read " + path);
  scope.names["p"] = Value(::testing::TempDir());  // a directory has no content to give
  EXPECT_EQ(EvalError("file(p)", scope), "file: cannot read " + ::testing::TempDir());
}

TEST(EvalTest, ExprToStringIsCanonical) {
  EXPECT_EQ(ExprToString(Parse("1+2*3")), "1 + 2 * 3");
  EXPECT_EQ(ExprToString(Parse("(1+2)*3")), "(1 + 2) * 3");
  EXPECT_EQ(ExprToString(Parse("1-(2-3)")), "1 - (2 - 3)");
  EXPECT_EQ(ExprToString(Parse("!(a&&b)")), "!(a && b)");
  EXPECT_EQ(ExprToString(Parse("-x.y[0]")), "-x.y[0]");
  EXPECT_EQ(ExprToString(Parse("http.get( \"u\" ).status")), "http.get(\"u\").status");
  EXPECT_EQ(ExprToString(Parse("{\"a b\"=1, c=[1,2]}")), "{ \"a b\" = 1, c = [1, 2] }");
  EXPECT_EQ(ExprToString(Parse("\"x${y}$${z}\\n\"")), "\"x${y}$${z}\\n\"");
  EXPECT_EQ(ExprToString(Parse("90s")), "1m30s");
}

}  // namespace
}  // namespace upgrade
