// Unit tests of migration file loading and planning (no server).
#include "providers/postgres/migrations.h"

#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace upgrade::postgres {
namespace {

using upgrade::testing::TempDir;
using upgrade::testing::WriteFile;

std::vector<std::string> Describe(const MigrationPlan& plan) {
  std::vector<std::string> out;
  for (const auto& step : plan.steps) out.push_back((step.up ? "up " : "down ") + step.version);
  return out;
}

std::vector<MigrationFile> Files(const std::vector<std::string>& versions, bool downs = true) {
  std::vector<MigrationFile> files;
  for (const auto& version : versions) {
    MigrationFile file;
    file.version = version;
    file.name = "m" + version;
    file.up_path = version + ".up.sql";
    if (downs) file.down_path = version + ".down.sql";
    files.push_back(file);
  }
  return files;
}

TEST(CompareVersionsTest, ComparesNumerically) {
  EXPECT_EQ(CompareVersions("9", "10"), -1);
  EXPECT_EQ(CompareVersions("0002", "2"), 0);
  EXPECT_EQ(CompareVersions("0010", "0009"), 1);
  EXPECT_TRUE(IsZeroVersion("0000"));
  EXPECT_TRUE(IsZeroVersion("none"));
  EXPECT_FALSE(IsZeroVersion("0001"));
}

TEST(PlanMigrationsTest, GoesUpToTheTargetIncludingGaps) {
  auto files = Files({"0001", "0002", "0003", "0004"});
  EXPECT_EQ(Describe(PlanMigrations(files, {"0001", "0003"}, "0004")),
            (std::vector<std::string>{"up 0002", "up 0004"}));
  EXPECT_EQ(Describe(PlanMigrations(files, {}, "latest")),
            (std::vector<std::string>{"up 0001", "up 0002", "up 0003", "up 0004"}));
  EXPECT_TRUE(PlanMigrations(files, {"0001", "0002"}, "0002").steps.empty());
}

TEST(PlanMigrationsTest, GoesDownNewestFirst) {
  auto files = Files({"0001", "0002", "0003"});
  EXPECT_EQ(Describe(PlanMigrations(files, {"0001", "0002", "0003"}, "0001")),
            (std::vector<std::string>{"down 0003", "down 0002"}));
  EXPECT_EQ(Describe(PlanMigrations(files, {"0001", "0002"}, "0")),
            (std::vector<std::string>{"down 0002", "down 0001"}));
}

TEST(PlanMigrationsTest, RefusesWhatCannotBePlanned) {
  EXPECT_EQ(PlanMigrations(Files({"0001"}), {}, "0007").error, "no migration has version 0007");
  EXPECT_EQ(PlanMigrations(Files({"0001", "0002"}, false), {"0001", "0002"}, "0001").error,
            "migration 0002_m0002 has no down file: cannot migrate down past it");
  EXPECT_EQ(PlanMigrations(Files({"0001"}), {"0001", "0005"}, "0001").error,
            "applied migration 0005 has no file: cannot migrate down past it");
}

TEST(LoadMigrationsTest, ReadsFilesChecksumsAndMarkers) {
  TempDir dir;
  WriteFile(dir.Join("0010_later.up.sql"), "select 10;");
  WriteFile(dir.Join("0002_index.up.sql"), "-- upgrade:no-transaction\nselect 2;");
  WriteFile(dir.Join("0002_index.down.sql"), "select -2;");
  WriteFile(dir.Join("README.md"), "not a migration");
  std::vector<MigrationFile> files;
  std::string error;
  ASSERT_TRUE(LoadMigrations(dir.path(), &files, &error)) << error;
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].Label(), "0002_index");
  EXPECT_TRUE(files[0].up_no_transaction);
  EXPECT_FALSE(files[0].down_no_transaction);
  EXPECT_EQ(files[0].down_path, dir.Join("0002_index.down.sql"));
  EXPECT_EQ(files[1].version, "0010");
  EXPECT_TRUE(files[1].down_path.empty());
  // sha256("select 10;"), computed independently with sha256sum.
  EXPECT_EQ(files[1].checksum, "sha256:d65865a3f6c18372342b50fc0ab4e3e837a8b5c412e9c44687bee9966c9c30c4");
}

TEST(LoadMigrationsTest, NamesTheBadFile) {
  TempDir dir;
  WriteFile(dir.Join("add_users.sql"), "select 1;");
  std::vector<MigrationFile> files;
  std::string error;
  EXPECT_FALSE(LoadMigrations(dir.path(), &files, &error));
  EXPECT_EQ(error, dir.Join("add_users.sql") +
                       ": migration files are named <version>_<name>.up.sql or .down.sql");
}

TEST(LoadMigrationsTest, RefusesADownWithoutUpAndDuplicateVersions) {
  TempDir dir;
  WriteFile(dir.Join("0003_x.down.sql"), "select 1;");
  std::vector<MigrationFile> files;
  std::string error;
  EXPECT_FALSE(LoadMigrations(dir.path(), &files, &error));
  EXPECT_EQ(error, dir.Join("0003_x.down.sql") + ": down migration without its up file");
  TempDir twice;
  WriteFile(twice.Join("0001_a.up.sql"), "select 1;");
  WriteFile(twice.Join("01_b.up.sql"), "select 1;");
  EXPECT_FALSE(LoadMigrations(twice.path(), &files, &error));
  EXPECT_NE(error.find("is also used by"), std::string::npos) << error;
}

}  // namespace
}  // namespace upgrade::postgres
