// Shared helpers of the s3 integration tests (see s3_integration.h).
#include "providers/s3/s3_integration.h"

#include <random>

namespace upgrade::s3::testing {

std::string Endpoint() { return upgrade::testing::RequireEnv("UPGRADE_TEST_S3_ENDPOINT"); }

Value::Map Connection(Value::Map extra) {
  extra["endpoint"] = Endpoint();
  extra["region"] = "us-east-1";
  extra["access_key"] = Value("S3RVER").MarkSensitive();
  extra["secret_key"] = Value("S3RVER").MarkSensitive();
  return extra;
}

std::string FreshBucket() {
  static std::mt19937 random{std::random_device{}()};
  char name[16];
  std::snprintf(name, sizeof name, "t-%08x", static_cast<unsigned>(random()));
  return name;
}

upgrade::testing::CommandResult Aws(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/aws", "--endpoint-url", Endpoint()};
  argv.insert(argv.end(), args.begin(), args.end());
  return upgrade::testing::RunCommand(argv, {{"AWS_ACCESS_KEY_ID", "S3RVER"},
                                             {"AWS_SECRET_ACCESS_KEY", "S3RVER"},
                                             {"AWS_DEFAULT_REGION", "us-east-1"},
                                             {"AWS_CONFIG_FILE", "/dev/null"},
                                             {"AWS_SHARED_CREDENTIALS_FILE", "/dev/null"},
                                             {"AWS_EC2_METADATA_DISABLED", "true"},
                                             {"AWS_PAGER", ""}});
}

Context::Context() : blobs_(std::make_unique<FileBlobStore>(dir_.Join("blobs"))) {
  context_.blobs = blobs_.get();
  context_.run_id = "test-run";
  context_.progress = [this](const std::string& text) { progress_.push_back(text); };
}

}  // namespace upgrade::s3::testing
