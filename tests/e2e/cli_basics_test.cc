// The first things a user types: `upgrade --version`, `upgrade --help`, and a flag that does
// not exist.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace {

using ::testing::HasSubstr;
using ::upgrade::testing::RunCommand;
using ::upgrade::testing::UpgradeBinary;

TEST(CliBasicsTest, VersionPrintsNameAndVersion) {
  auto result = RunCommand({UpgradeBinary(), "--version"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, "upgrade 0.1.0\n");
  EXPECT_EQ(result.err, "");
}

TEST(CliBasicsTest, HelpListsUsageAndOptions) {
  auto result = RunCommand({UpgradeBinary(), "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("Usage: "));
  EXPECT_THAT(result.out, HasSubstr("--help"));
  EXPECT_THAT(result.out, HasSubstr("--version"));
  EXPECT_EQ(result.err, "");
}

TEST(CliBasicsTest, UnknownFlagFailsWithAnError) {
  auto result = RunCommand({UpgradeBinary(), "--no-such-flag"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("--no-such-flag"));
  EXPECT_EQ(result.out, "");
}

}  // namespace
