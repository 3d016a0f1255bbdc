// Golden tests of the language: every tests/lang/ok/NAME.upg loads without errors and its
// warnings plus IR dump equal NAME.ir; every tests/lang/fail/NAME.upg fails and its diagnostics
// equal NAME.err, caret lines included. UPGRADE_UPDATE_GOLDEN=1 rewrites the expected files.
//
// A file may set options in comments: `# test: require_inputs` and `# test: given NAME VALUE`
// (VALUE a string).
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <gtest/gtest.h>

#include "lang/ir_dump.h"
#include "lang/loader.h"
#include "tests/lang/golden.h"
#include "tests/lang/test_registry.h"
#include "tests/support/test_support.h"

namespace upgrade::testing {

std::vector<std::string> GoldenFiles(const std::string& folder) {
  std::vector<std::string> files;
  std::string dir = SourceDir() + "/tests/lang/" + folder;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".upg") {
      files.push_back("tests/lang/" + folder + "/" + entry.path().filename().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string GoldenName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = std::filesystem::path(info.param).stem().string();
  for (char& c : name)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

GoldenOutcome RunGolden(const std::string& relative_path) {
  if (chdir(SourceDir().c_str()) != 0) ADD_FAILURE() << "cannot enter " << SourceDir();
  std::string text = ReadFile(relative_path);
  CheckOptions options;
  options.stdlib_dir = "tests/lang/stdlib";
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# test: require_inputs", 0) == 0) options.require_inputs = true;
    if (line.rfind("# test: given ", 0) == 0) {
      std::istringstream words(line.substr(14));
      std::string name, value;
      words >> name >> value;
      options.given_inputs[name] = Value(value);
    }
  }
  Diagnostics diagnostics;
  SourceCache sources;
  SchemaRegistry registry = MakeTestRegistry();
  auto program = LoadProgram(relative_path, registry, options, diagnostics, sources);
  GoldenOutcome outcome;
  outcome.ok = program.has_value() && !diagnostics.HasErrors();
  outcome.text = RenderDiagnostics(diagnostics, sources, false);
  if (program) outcome.text += DumpProgram(*program);
  return outcome;
}

void CompareWithGolden(const std::string& expected_path, const std::string& actual) {
  std::string full = SourceDir() + "/" + expected_path;
  const char* update = std::getenv("UPGRADE_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    WriteFile(full, actual);
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(full)) << expected_path << " is missing";
  EXPECT_EQ(ReadFile(full), actual) << "output differs from " << expected_path;
}

namespace {

std::string WithExtension(const std::string& path, const char* extension) {
  return path.substr(0, path.size() - 4) + extension;
}

class OkGolden : public ::testing::TestWithParam<std::string> {};
class FailGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(OkGolden, LoadsAndDumpsAsExpected) {
  GoldenOutcome outcome = RunGolden(GetParam());
  EXPECT_TRUE(outcome.ok) << outcome.text;
  CompareWithGolden(WithExtension(GetParam(), ".ir"), outcome.text);
}

TEST_P(FailGolden, FailsWithExactDiagnostics) {
  GoldenOutcome outcome = RunGolden(GetParam());
  EXPECT_FALSE(outcome.ok) << outcome.text;
  CompareWithGolden(WithExtension(GetParam(), ".err"), outcome.text);
}

INSTANTIATE_TEST_SUITE_P(Ok, OkGolden, ::testing::ValuesIn(GoldenFiles("ok")), GoldenName);
INSTANTIATE_TEST_SUITE_P(Fail, FailGolden, ::testing::ValuesIn(GoldenFiles("fail")), GoldenName);

}  // namespace
}  // namespace upgrade::testing
