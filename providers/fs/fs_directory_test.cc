// fs.directory, fs.symlink and directory snapshots on the real file system: each change and
// its Reverse, and snapshot/restore, leave trees byte-identical.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "providers/fs/fs_test_util.h"

namespace upgrade {
namespace {

using testing::FsFixture;
using testing::ReadFile;
using testing::TempDir;
using testing::TreeFingerprint;
using testing::WriteFile;

// A small data directory: files with various modes, a subdirectory, a symlink, an empty dir.
void MakeDataTree(const std::string& dir) {
  std::filesystem::create_directories(dir + "/sub/empty");
  WriteFile(dir + "/a.txt", "alpha\n");
  WriteFile(dir + "/sub/b.bin", std::string("\x00\x01\x02", 3));
  WriteFile(dir + "/secret", "s");
  chmod((dir + "/secret").c_str(), 0600);
  chmod((dir + "/sub").c_str(), 0750);
  chmod(dir.c_str(), 0711);
  symlink("a.txt", (dir + "/link").c_str());
}

class FsDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MakeDataTree(root_.Join("data"));
    before_ = TreeFingerprint(root_.path());
  }

  TempDir root_;
  FsFixture fs_;
  std::string before_;
};

TEST_F(FsDirectoryTest, CreatesNestedDirectoryWithModeAndReverses) {
  ResourceConfig resource = FsFixture::Resource("fs.directory", root_.Join("x/y/z"));
  Change change = fs_.Plan(resource, {{"mode", "0700"}});
  EXPECT_EQ(change.action, ChangeAction::kCreate);
  Value undo = fs_.Prepare(resource, change);
  State state = fs_.Apply(resource, change, undo);
  EXPECT_EQ(state, change.after);
  EXPECT_EQ(state.attributes.at("mode"), Value("0700"));
  EXPECT_TRUE(std::filesystem::is_directory(root_.Join("x/y/z")));
  fs_.Reverse(resource, undo);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
}

TEST_F(FsDirectoryTest, ChangesModeInPlaceAndReverses) {
  ResourceConfig resource = FsFixture::Resource("fs.directory", root_.Join("data/sub"));
  Change change = fs_.Plan(resource, {{"mode", "0755"}});
  EXPECT_EQ(change.action, ChangeAction::kUpdate);
  ASSERT_EQ(change.attributes.size(), 1u);
  EXPECT_EQ(change.attributes[0].before, Value("0750"));
  EXPECT_EQ(change.attributes[0].after, Value("0755"));
  Value undo = fs_.Prepare(resource, change);
  fs_.Apply(resource, change, undo);
  EXPECT_NE(TreeFingerprint(root_.path()), before_);
  fs_.Reverse(resource, undo);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
}

TEST_F(FsDirectoryTest, DeletesWholeTreeAndReverseRestoresItByteForByte) {
  ResourceConfig resource = FsFixture::Resource("fs.directory", root_.Join("data"));
  Change change = fs_.Plan(resource, {{"absent", true}});
  EXPECT_EQ(change.action, ChangeAction::kDelete);
  EXPECT_EQ(change.notes.size(), 1u);
  Value undo = fs_.Prepare(resource, change);
  EXPECT_TRUE(undo.Get("blob").is_string());
  fs_.Apply(resource, change, undo);
  EXPECT_FALSE(std::filesystem::exists(root_.Join("data")));
  fs_.Reverse(resource, undo);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
  fs_.Reverse(resource, undo);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
}

// A crash while the tree was being deleted leaves part of it; Reverse brings all of it back.
TEST_F(FsDirectoryTest, ReverseAfterAPartialDeleteRestoresTheWholeTree) {
  ResourceConfig resource = FsFixture::Resource("fs.directory", root_.Join("data"));
  Change change = fs_.Plan(resource, {{"absent", true}});
  Value undo = fs_.Prepare(resource, change);
  std::filesystem::remove_all(root_.Join("data/sub"));
  std::filesystem::remove(root_.Join("data/a.txt"));
  fs_.Reverse(resource, undo);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
}

TEST_F(FsDirectoryTest, SnapshotRestoreReplacesTheTreeByteForByte) {
  ResourceConfig resource = FsFixture::Resource("fs.directory", root_.Join("data"));
  SnapshotResult estimate = fs_.provider().Snapshot(resource, {}, true, fs_.context());
  EXPECT_EQ(estimate.error, "");
  EXPECT_EQ(estimate.estimated_bytes, 6 + 3 + 1);
  EXPECT_TRUE(estimate.record.is_null());

  SnapshotResult snapshot = fs_.provider().Snapshot(resource, {}, false, fs_.context());
  ASSERT_EQ(snapshot.error, "");
  std::string blob = fs_.blobs().PathOf(snapshot.record.GetString("blob"));
  EXPECT_TRUE(std::filesystem::exists(blob));

  WriteFile(root_.Join("data/a.txt"), "changed");
  WriteFile(root_.Join("data/new"), "new");
  std::filesystem::remove(root_.Join("data/secret"));
  std::filesystem::remove_all(root_.Join("data/sub/empty"));
  chmod(root_.Join("data").c_str(), 0777);
  EXPECT_NE(TreeFingerprint(root_.path()), before_);

  EXPECT_EQ(fs_.provider().Restore(resource, snapshot.record, fs_.context()), "");
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
  EXPECT_EQ(ReadFile(root_.Join("data/sub/b.bin")), std::string("\x00\x01\x02", 3));

  // Restoring when the directory is gone altogether brings it back as well.
  std::filesystem::remove_all(root_.Join("data"));
  EXPECT_EQ(fs_.provider().Restore(resource, snapshot.record, fs_.context()), "");
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
}

TEST_F(FsDirectoryTest, SnapshotOfAMissingDirectoryRestoresItsAbsence) {
  ResourceConfig resource = FsFixture::Resource("fs.directory", root_.Join("later"));
  SnapshotResult snapshot = fs_.provider().Snapshot(resource, {}, false, fs_.context());
  ASSERT_EQ(snapshot.error, "");
  std::filesystem::create_directories(root_.Join("later/inside"));
  EXPECT_EQ(fs_.provider().Restore(resource, snapshot.record, fs_.context()), "");
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
}

TEST_F(FsDirectoryTest, RefusesSnapshotsOfOtherTypes) {
  SnapshotResult result = fs_.provider().Snapshot(
      FsFixture::Resource("fs.file", root_.Join("data/a.txt")), {}, false, fs_.context());
  EXPECT_EQ(result.error, "resource type fs.file does not support snapshots");
}

TEST_F(FsDirectoryTest, ManagesSymlinksAndReversesEachChange) {
  ResourceConfig resource = FsFixture::Resource("fs.symlink", root_.Join("data/link"));
  ReadResult read = fs_.provider().Read(resource, fs_.context());
  EXPECT_EQ(read.state.attributes.at("target"), Value("a.txt"));

  Change retarget = fs_.Plan(resource, {{"target", "secret"}});
  EXPECT_EQ(retarget.action, ChangeAction::kUpdate);
  Value undo = fs_.Prepare(resource, retarget);
  fs_.Apply(resource, retarget, undo);
  EXPECT_EQ(std::filesystem::read_symlink(root_.Join("data/link")).string(), "secret");
  fs_.Reverse(resource, undo);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);

  Change remove = fs_.Plan(resource, {{"absent", true}});
  EXPECT_EQ(remove.action, ChangeAction::kDelete);
  undo = fs_.Prepare(resource, remove);
  fs_.Apply(resource, remove, undo);
  EXPECT_FALSE(std::filesystem::is_symlink(root_.Join("data/link")));
  EXPECT_TRUE(std::filesystem::exists(root_.Join("data/a.txt")));
  fs_.Reverse(resource, undo);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);

  ResourceConfig created = FsFixture::Resource("fs.symlink", root_.Join("current"));
  Change create = fs_.Plan(created, {{"target", "data"}});
  EXPECT_EQ(create.action, ChangeAction::kCreate);
  undo = fs_.Prepare(created, create);
  State state = fs_.Apply(created, create, undo);
  EXPECT_EQ(state, create.after);
  EXPECT_EQ(ReadFile(root_.Join("current/a.txt")), "alpha\n");
  WriteFile(root_.Join(".current.upgrade-tmp"), "");  // as a crash mid-way would leave
  fs_.Reverse(created, undo);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
}

TEST_F(FsDirectoryTest, ReportsWrongKindsOfPath) {
  ReadResult file = fs_.provider().Read(
      FsFixture::Resource("fs.symlink", root_.Join("data/a.txt")), fs_.context());
  EXPECT_EQ(file.error, root_.Join("data/a.txt") + " is a file, not a symlink");
  ReadResult link = fs_.provider().Read(
      FsFixture::Resource("fs.directory", root_.Join("data/link")), fs_.context());
  EXPECT_EQ(link.error, root_.Join("data/link") + " is a symlink, not a directory");
  DiffResult no_target = fs_.provider().Diff(
      DiffRequest{FsFixture::Resource("fs.symlink", root_.Join("l")), State{}, {}});
  EXPECT_EQ(no_target.error,
            "fs.symlink " + root_.Join("l") + " does not exist: give a target to create it");
}

}  // namespace
}  // namespace upgrade
