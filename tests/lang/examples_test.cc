// Every plan shipped in examples/ and stdlib-plans/ checks against the real providers' schemas
// and is already in canonical layout (`upgrade fmt --check` would pass). The folders are walked,
// so plans added later are covered too.
#include <gtest/gtest.h>

#include <filesystem>

#include "lang/format.h"
#include "lang/loader.h"
#include "providers/registry.h"
#include "tests/support/test_support.h"

namespace upgrade::testing {
namespace {

std::vector<std::string> ShippedPlans() {
  std::vector<std::string> plans;
  for (const char* folder : {"examples", "stdlib-plans"}) {
    std::string dir = SourceDir() + "/" + folder;
    if (!std::filesystem::exists(dir)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      if (entry.is_regular_file() && entry.path().extension() == ".upg") {
        plans.push_back(entry.path().string());
      }
    }
  }
  std::sort(plans.begin(), plans.end());
  return plans;
}

TEST(ShippedPlansTest, ValidateAndAreFormatted) {
  SchemaRegistry registry = MakeDefaultProviders()->Schemas();
  std::vector<std::string> plans = ShippedPlans();
  for (const auto& path : plans) {
    SCOPED_TRACE(path);
    Diagnostics diagnostics;
    SourceCache sources;
    CheckOptions options;
    options.stdlib_dir = SourceDir() + "/stdlib-plans";
    auto program = LoadProgram(path, registry, options, diagnostics, sources);
    EXPECT_TRUE(program.has_value() && !diagnostics.HasErrors())
        << RenderDiagnostics(diagnostics, sources, false);
    std::string text = ReadFile(path);
    Diagnostics format_diagnostics;
    auto formatted = FormatPlan(path, text, format_diagnostics);
    ASSERT_TRUE(formatted.has_value());
    EXPECT_EQ(*formatted, text) << "not in canonical layout: run upgrade fmt " << path;
  }
  RecordProperty("plans", static_cast<int>(plans.size()));
}

}  // namespace
}  // namespace upgrade::testing
