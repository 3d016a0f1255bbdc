// Shared by the language's golden tests: the golden files and how one is run.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace upgrade::testing {

/// What loading one golden file gave: whether it checked, and the rendered diagnostics
/// followed by the IR dump.
struct GoldenOutcome {
  bool ok = false;
  std::string text;
};

/// tests/lang/FOLDER/*.upg, relative to the source tree, sorted.
std::vector<std::string> GoldenFiles(const std::string& folder);
/// A test name from a golden file's name.
std::string GoldenName(const ::testing::TestParamInfo<std::string>& info);
/// Loads `relative_path` (from the source tree, which becomes the working directory).
GoldenOutcome RunGolden(const std::string& relative_path);
/// Compares with an expected file, or rewrites it when UPGRADE_UPDATE_GOLDEN=1.
void CompareWithGolden(const std::string& expected_path, const std::string& actual);

}  // namespace upgrade::testing
