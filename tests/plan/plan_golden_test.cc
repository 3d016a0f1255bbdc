// Golden plan outputs: each tests/plan/NAME.upg is planned against the in-memory FakeProvider,
// whose things start as NAME.things.json says, and what a user would see is compared with
// NAME.plan.txt (the human plan) and NAME.plan.json (--json), or NAME.errors.txt when planning
// fails. UPGRADE_UPDATE_GOLDEN=1 rewrites the expected files from the actual output.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>

#include "lang/loader.h"
#include "lang/value_json.h"
#include "planner/plan_render.h"
#include "planner/planner.h"
#include "providers/registry.h"
#include "tests/support/fake_provider.h"
#include "tests/support/test_support.h"

namespace upgrade::testing {
namespace {

std::string GoldenDir() { return SourceDir() + "/tests/plan"; }

std::vector<std::string> GoldenNames() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(GoldenDir())) {
    if (entry.path().extension() == ".upg") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// Output with the checkout's own path and the plan's time taken out, so goldens are portable.
std::string Portable(std::string text) {
  const std::string dir = GoldenDir() + "/";
  for (size_t at; (at = text.find(dir)) != std::string::npos;) text.erase(at, dir.size());
  return text;
}

void Compare(const std::string& name, const std::string& actual) {
  std::string path = GoldenDir() + "/" + name;
  const char* update = std::getenv("UPGRADE_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") WriteFile(path, actual);
  ASSERT_TRUE(std::filesystem::exists(path)) << "missing golden file " << path;
  EXPECT_EQ(actual, ReadFile(path)) << "golden file " << name << " differs";
}

class PlanGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PlanGoldenTest, MatchesExpectedOutput) {
  const std::string name = GetParam();
  const std::string base = GoldenDir() + "/" + name;
  ProviderRegistry registry;
  auto fake = std::make_unique<FakeProvider>();
  if (std::filesystem::exists(base + ".things.json")) {
    nlohmann::json things = nlohmann::json::parse(ReadFile(base + ".things.json"));
    for (const auto& [id, attributes] : things.items())
      fake->things[id] = ValueFromJson(attributes).as_map();
  }
  registry.Add(std::move(fake));

  Diagnostics diagnostics;
  SourceCache cache;
  CheckOptions options;
  options.require_inputs = true;
  std::optional<Program> program =
      LoadProgram(base + ".upg", registry.Schemas(), options, diagnostics, cache);
  std::optional<Plan> plan;
  if (program) {
    PlannerOptions planner_options;
    planner_options.parallelism = 2;
    plan = Planner(registry, planner_options)
               .Run(std::make_shared<const Program>(std::move(*program)), {}, diagnostics);
  }
  if (!plan) {
    Compare(name + ".errors.txt", Portable(RenderDiagnostics(diagnostics, cache, false)));
    return;
  }
  ASSERT_FALSE(diagnostics.HasErrors());
  Compare(name + ".plan.txt", Portable(RenderPlan(*plan, {})));
  nlohmann::json json = nlohmann::json::parse(RenderPlanJson(*plan));
  json["timestamp"] = "(time of planning)";
  Compare(name + ".plan.json", Portable(json.dump(2) + "\n"));
}

INSTANTIATE_TEST_SUITE_P(Golden, PlanGoldenTest, ::testing::ValuesIn(GoldenNames()),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return param.param;
                         });

}  // namespace
}  // namespace upgrade::testing
