// examples/s3/migrate.upg through the built binary against s3rver: `upgrade plan` shows the
// migration as a reversible run, `upgrade apply` puts every file of the directory into the
// bucket (checked with awscli), `upgrade rollback` empties what it put there; a missing bucket
// stops the plan at its `require`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "tests/support/test_support.h"

namespace upgrade::testing {
namespace {

using ::testing::HasSubstr;

std::map<std::string, std::string> S3Env() {
  return {{"AWS_ACCESS_KEY_ID", "S3RVER"},          {"AWS_SECRET_ACCESS_KEY", "S3RVER"},
          {"AWS_DEFAULT_REGION", "us-east-1"},      {"AWS_CONFIG_FILE", "/dev/null"},
          {"AWS_SHARED_CREDENTIALS_FILE", "/dev/null"}, {"AWS_EC2_METADATA_DISABLED", "true"},
          {"NO_COLOR", "1"}};
}

CommandResult Aws(const std::string& endpoint, std::vector<std::string> args) {
  args.insert(args.begin(), {"/usr/bin/aws", "--endpoint-url", endpoint});
  return RunCommand(args, S3Env());
}

CommandResult Upgrade(std::vector<std::string> args) {
  args.insert(args.begin(), UpgradeBinary());
  return RunCommand(args, S3Env(), "", "", 300);
}

std::string FreshBucket() {
  std::mt19937 random{std::random_device{}()};
  char name[24];
  std::snprintf(name, sizeof name, "e2e-%08x", static_cast<unsigned>(random()));
  return name;
}

int CountObjects(const std::string& endpoint, const std::string& bucket) {
  CommandResult listed = Aws(endpoint, {"s3api", "list-objects-v2", "--bucket", bucket, "--query",
                                        "length(Contents || `[]`)", "--output", "text"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  return std::atoi(listed.out.c_str());
}

std::vector<std::string> Vars(const std::string& endpoint, const std::string& bucket,
                              const std::string& source_dir) {
  return {"--var", "endpoint=" + endpoint, "--var", "bucket=" + bucket,
          "--var", "source_dir=" + source_dir};
}

TEST(S3MigrateE2eTest, ApplyFillsTheBucketVerifiedAndRollbackEmptiesIt) {
  std::string endpoint = RequireEnv("UPGRADE_TEST_S3_ENDPOINT");
  std::string bucket = FreshBucket();
  ASSERT_EQ(Aws(endpoint, {"s3api", "create-bucket", "--bucket", bucket}).exit_code, 0);
  TempDir source;
  TempDir state;
  std::filesystem::create_directories(source.Join("reports/2024"));
  for (int i = 0; i < 40; ++i) {
    WriteFile(source.Join("reports/2024/r" + std::to_string(i) + ".csv"),
              "id,value\n" + std::to_string(i) + "," + std::to_string(i * i) + "\n");
  }
  WriteFile(source.Join("index.html"), "<h1>archive</h1>\n");
  std::string plan_file = SourceDir() + "/examples/s3/migrate.upg";
  std::vector<std::string> vars = Vars(endpoint, bucket, source.path());

  std::vector<std::string> plan = {"plan", plan_file, "--state", state.path()};
  plan.insert(plan.end(), vars.begin(), vars.end());
  CommandResult planned = Upgrade(plan);
  ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  EXPECT_THAT(planned.out, HasSubstr("s3.migrate"));
  EXPECT_THAT(planned.out, HasSubstr("Rollback: 1 of 1 steps reversible"));
  EXPECT_EQ(CountObjects(endpoint, bucket), 0) << "planning touches nothing";

  std::vector<std::string> apply = {"apply", plan_file, "--auto-approve", "--state", state.path()};
  apply.insert(apply.end(), vars.begin(), vars.end());
  CommandResult applied = Upgrade(apply);
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_EQ(CountObjects(endpoint, bucket), 41);
  TempDir down;
  ASSERT_EQ(Aws(endpoint, {"s3", "cp", "s3://" + bucket + "/reports/2024/r7.csv",
                           down.Join("r7.csv")})
                .exit_code,
            0);
  EXPECT_EQ(ReadFile(down.Join("r7.csv")), "id,value\n7,49\n");
  EXPECT_THAT(applied.out + applied.err, ::testing::Not(HasSubstr("S3RVER")));

  CommandResult rolled_back = Upgrade({"rollback", "--auto-approve", "--state", state.path()});
  ASSERT_EQ(rolled_back.exit_code, 0) << rolled_back.out << rolled_back.err;
  EXPECT_EQ(CountObjects(endpoint, bucket), 0);
  EXPECT_EQ(ReadFile(source.Join("index.html")), "<h1>archive</h1>\n");
}

TEST(S3MigrateE2eTest, AMissingBucketStopsThePlanAtItsRequire) {
  std::string endpoint = RequireEnv("UPGRADE_TEST_S3_ENDPOINT");
  TempDir source;
  TempDir state;
  WriteFile(source.Join("a.txt"), "a");
  std::vector<std::string> plan = {"plan", SourceDir() + "/examples/s3/migrate.upg", "--state",
                                   state.path()};
  std::vector<std::string> vars = Vars(endpoint, FreshBucket(), source.path());
  plan.insert(plan.end(), vars.begin(), vars.end());
  CommandResult planned = Upgrade(plan);
  EXPECT_EQ(planned.exit_code, 1) << planned.out;
  EXPECT_THAT(planned.out + planned.err, HasSubstr("the bucket must exist and answer"));
}

}  // namespace
}  // namespace upgrade::testing
