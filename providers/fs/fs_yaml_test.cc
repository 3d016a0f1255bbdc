// fs.yaml through the provider: plans show each edited path, apply keeps the rest of the file,
// Reverse brings the original bytes back.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "providers/fs/fs_test_util.h"

namespace upgrade {
namespace {

using testing::FsFixture;
using testing::ReadFile;
using testing::TempDir;
using testing::TreeFingerprint;
using testing::WriteFile;

const char* kCompose = R"(# the stack
services:
  web:
    image: "web:v1"  # the app
    environment:
      MODE: prod
  db:
    image: postgres:15
)";

class FsYamlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(root_.Join("docker-compose.yaml"), kCompose);
    chmod(root_.Join("docker-compose.yaml").c_str(), 0640);
    before_ = TreeFingerprint(root_.path());
    resource_ = FsFixture::Resource("fs.yaml", root_.Join("docker-compose.yaml"));
  }

  TempDir root_;
  FsFixture fs_;
  std::string before_;
  ResourceConfig resource_;
};

TEST_F(FsYamlTest, SetsOneValueKeepingCommentsAndReverses) {
  Value::Map desired{{"values", Value::Map{{"services.web.image", "web:v2"}}}};
  Change change = fs_.Plan(resource_, desired);
  EXPECT_EQ(change.action, ChangeAction::kUpdate);
  ASSERT_EQ(change.attributes.size(), 1u);
  EXPECT_EQ(change.attributes[0].name, "services.web.image");
  EXPECT_EQ(change.attributes[0].before, Value("web:v1"));
  EXPECT_EQ(change.attributes[0].after, Value("web:v2"));
  Value undo = fs_.Prepare(resource_, change);
  State state = fs_.Apply(resource_, change, undo);
  std::string expected = kCompose;
  expected.replace(expected.find("web:v1"), 6, "web:v2");
  EXPECT_EQ(ReadFile(root_.Join("docker-compose.yaml")), expected);
  EXPECT_EQ(state, change.after);
  EXPECT_EQ(fs_.Plan(resource_, desired).action, ChangeAction::kNone);
  fs_.Reverse(resource_, undo);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
  EXPECT_EQ(ReadFile(root_.Join("docker-compose.yaml")), kCompose);
}

TEST_F(FsYamlTest, DeletesAndAddsValuesAndReversesByteForByte) {
  Value::Map desired{{"values", Value::Map{{"services.web.restart", "always"}}},
                     {"delete", Value::List{"services.web.environment.MODE", "nothing.here"}}};
  Change change = fs_.Plan(resource_, desired);
  EXPECT_EQ(change.action, ChangeAction::kUpdate);
  ASSERT_EQ(change.attributes.size(), 2u);
  EXPECT_EQ(change.attributes[0].name, "services.web.environment.MODE");
  EXPECT_TRUE(change.attributes[0].after.is_null());
  EXPECT_EQ(change.attributes[1].name, "services.web.restart");
  Value undo = fs_.Prepare(resource_, change);
  State state = fs_.Apply(resource_, change, undo);
  EXPECT_EQ(state, change.after);
  std::string text = ReadFile(root_.Join("docker-compose.yaml"));
  EXPECT_NE(text.find("restart: always"), std::string::npos) << text;
  EXPECT_EQ(text.find("MODE"), std::string::npos) << text;
  EXPECT_NE(text.find("image: postgres:15"), std::string::npos) << text;
  struct stat st {};
  stat(root_.Join("docker-compose.yaml").c_str(), &st);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  fs_.Reverse(resource_, undo);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
}

TEST_F(FsYamlTest, CreatesAMissingFileAndReverseRemovesIt) {
  ResourceConfig resource = FsFixture::Resource("fs.yaml", root_.Join("new.yaml"));
  Change change = fs_.Plan(resource, {{"values", Value::Map{{"a.b", 1}}}});
  EXPECT_EQ(change.action, ChangeAction::kCreate);
  Value undo = fs_.Prepare(resource, change);
  fs_.Apply(resource, change, undo);
  EXPECT_EQ(ReadFile(root_.Join("new.yaml")), "a:\n  b: 1\n");
  fs_.Reverse(resource, undo);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
}

TEST_F(FsYamlTest, ReverseAfterNoApplyOrAHalfWrittenOneRestoresTheFile) {
  Value::Map desired{{"values", Value::Map{{"services.db.image", "postgres:16"}}}};
  Change change = fs_.Plan(resource_, desired);
  Value undo = fs_.Prepare(resource_, change);
  fs_.Reverse(resource_, undo);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
  WriteFile(root_.Join(".docker-compose.yaml.upgrade-tmp"), "services:\n  db:\n");
  WriteFile(root_.Join("docker-compose.yaml"), "truncated");
  fs_.Reverse(resource_, undo);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
}

TEST_F(FsYamlTest, ReportsBadEditsAndBadFiles) {
  ReadResult read = fs_.provider().Read(resource_, fs_.context());
  DiffResult through = fs_.provider().Diff(
      DiffRequest{resource_, read.state, {{"values", Value::Map{{"services.web.image.x", 1}}}}});
  EXPECT_EQ(through.error, "fs.yaml " + root_.Join("docker-compose.yaml") +
                               ": services.web.image.x: image is a string, not a map");
  DiffResult not_map =
      fs_.provider().Diff(DiffRequest{resource_, read.state, {{"values", "x"}}});
  EXPECT_EQ(not_map.error, "fs.yaml " + root_.Join("docker-compose.yaml") +
                               ": values must be a map of dotted paths to values");
  WriteFile(root_.Join("bad.yaml"), "a: [1,\n");
  ReadResult bad = fs_.provider().Read(FsFixture::Resource("fs.yaml", root_.Join("bad.yaml")),
                                       fs_.context());
  EXPECT_EQ(bad.error.rfind(root_.Join("bad.yaml") + ": yaml: line ", 0), 0u) << bad.error;
}

}  // namespace
}  // namespace upgrade
