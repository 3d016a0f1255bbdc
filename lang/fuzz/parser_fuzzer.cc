// libFuzzer target for the language front end: parse, check against a fixed schema registry,
// evaluate the lets, and format. Any crash, leak, sanitizer report or hang is a bug; so is a
// formatted text that no longer parses. Inputs it ever crashed on become regression files in
// tests/lang/fail (or ok).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "lang/checker.h"
#include "lang/eval.h"
#include "lang/format.h"
#include "lang/loader.h"
#include "tests/lang/test_registry.h"

namespace {

/// Names are unknown; only the pure built-ins run (no environment, no files).
class FuzzScope : public upgrade::EvalScope {
 public:
  std::optional<upgrade::Value> Lookup(const std::string&) override { return std::nullopt; }
  std::optional<upgrade::Value> Call(const std::string& name,
                                     const std::vector<upgrade::Value>& args,
                                     std::string* error) override {
    if (name == "env" || name == "file") {
      *error = "not in the fuzzer";
      return std::nullopt;
    }
    return upgrade::CallBuiltinFunction(name, args, "", error);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const upgrade::SchemaRegistry registry = upgrade::testing::MakeTestRegistry();
  std::string text(reinterpret_cast<const char*>(data), size);
  upgrade::Diagnostics diagnostics;
  auto program = upgrade::ParseProgram("fuzz.upg", text, diagnostics);
  if (program) {
    upgrade::CheckOptions options;
    upgrade::CheckProgram(*program, registry, options, true, diagnostics);
    FuzzScope scope;
    for (const auto& let : program->lets) {
      (void)upgrade::Evaluate(let.value, scope);
      (void)upgrade::ExprToString(let.value);
    }
    upgrade::SourceCache sources;
    sources.Add("fuzz.upg", text);
    (void)upgrade::RenderDiagnostics(diagnostics, sources, true);
  }
  upgrade::Diagnostics format_diagnostics;
  auto formatted = upgrade::FormatPlan("fuzz.upg", text, format_diagnostics);
  if (formatted) {
    upgrade::Diagnostics again;
    if (!upgrade::FormatPlan("fuzz.upg", *formatted, again)) std::abort();
  }
  return 0;
}
