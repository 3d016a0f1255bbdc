// What each fs change and restore syncs before it returns (after which the journal tells it
// done): the entries it created, renamed or removed, and the inodes whose content or mode it
// changed, so a power loss right after `done` loses none of it.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

#include <gtest/gtest.h>

#include "providers/fs/fs_test_util.h"
#include "providers/fs/path_sync.h"
#include "state/atomic_file.h"
#include "tests/support/sync_recorder.h"

namespace upgrade {
namespace {

using testing::FsFixture;
using testing::RunAsNobody;
using testing::SyncRecorder;
using testing::TempDir;
using testing::WriteFile;
using Syncs = std::vector<std::string>;

class FsSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(root_.Join("app.conf"), "port = 80\n");
    std::filesystem::create_directories(root_.Join("data/sub"));
    WriteFile(root_.Join("data/sub/a.txt"), "alpha\n");
  }

  /// Plans, prepares and applies `desired` on `resource`, then reverses it; the syncs of
  /// Apply and of Reverse.
  std::pair<Syncs, Syncs> ApplyAndReverse(const ResourceConfig& resource,
                                          const Value::Map& desired) {
    Change change = fs_.Plan(resource, desired);
    Value undo = fs_.Prepare(resource, change);
    recorder_.Take();
    fs_.Apply(resource, change, undo);
    Syncs applied = recorder_.Take();
    fs_.Reverse(resource, undo);
    return {applied, recorder_.Take()};
  }

  TempDir root_;
  FsFixture fs_;
  SyncRecorder recorder_{root_.path()};
};

TEST_F(FsSyncTest, ANewFileSyncsEachNewDirectoryItsStagedContentAndItsEntry) {
  auto [applied, reversed] = ApplyAndReverse(
      FsFixture::Resource("fs.file", root_.Join("new/deep/f")), {{"content", "x\n"}});
  EXPECT_EQ(applied,
            (Syncs{"dir .", "dir new", "file new/deep/.f.upgrade-tmp", "dir new/deep"}));
  // Removed again with the directories it made: the outermost one's entry covers the rest.
  EXPECT_EQ(reversed, (Syncs{"dir ."}));
  EXPECT_FALSE(std::filesystem::exists(root_.Join("new")));
}

TEST_F(FsSyncTest, ADeletedFileSyncsItsDirectoryAndComesBackSynced) {
  auto [applied, reversed] = ApplyAndReverse(
      FsFixture::Resource("fs.file", root_.Join("app.conf")), {{"absent", true}});
  EXPECT_EQ(applied, (Syncs{"dir ."}));
  EXPECT_EQ(reversed, (Syncs{"file .app.conf.upgrade-tmp", "dir .", "inode app.conf"}));
}

TEST_F(FsSyncTest, AModeChangeSyncsTheFileItselfEachWay) {
  auto [applied, reversed] = ApplyAndReverse(
      FsFixture::Resource("fs.file", root_.Join("app.conf")), {{"mode", "0600"}});
  EXPECT_EQ(applied, (Syncs{"inode app.conf"}));
  EXPECT_EQ(reversed, (Syncs{"inode app.conf"}));
}

TEST_F(FsSyncTest, ANewDirectorySyncsItsModeAndItsEntry) {
  auto [applied, reversed] = ApplyAndReverse(
      FsFixture::Resource("fs.directory", root_.Join("x/y")), {{"mode", "0700"}});
  EXPECT_EQ(applied, (Syncs{"dir .", "inode x/y", "dir x"}));
  EXPECT_EQ(reversed, (Syncs{"dir ."}));
}

TEST_F(FsSyncTest, ADeletedTreeComesBackWhollyOnDiskBeforeItTakesItsPlace) {
  auto [applied, reversed] = ApplyAndReverse(
      FsFixture::Resource("fs.directory", root_.Join("data")), {{"absent", true}});
  EXPECT_EQ(applied, (Syncs{"dir ."}));
  EXPECT_EQ(reversed, (Syncs{"tree .data.upgrade-restore", "dir ."}));
  EXPECT_EQ(testing::ReadFile(root_.Join("data/sub/a.txt")), "alpha\n");
}

TEST_F(FsSyncTest, ASymlinkSyncsItsDirectoryEachWay) {
  auto [applied, reversed] = ApplyAndReverse(
      FsFixture::Resource("fs.symlink", root_.Join("link")), {{"target", "app.conf"}});
  EXPECT_EQ(applied, (Syncs{"dir ."}));
  EXPECT_EQ(reversed, (Syncs{"dir ."}));
  EXPECT_FALSE(std::filesystem::exists(root_.Join("link")));
}

TEST_F(FsSyncTest, ASyncThatCannotBeMadeNamesThePath) {
  std::string error;
  EXPECT_FALSE(fs::SyncInode(root_.Join("none"), &error));
  EXPECT_EQ(error, "cannot sync " + root_.Join("none") + ": no such file or directory");
  error.clear();
  EXPECT_FALSE(SyncParentDirectory(root_.Join("gone/none"), &error));
  EXPECT_EQ(error, "cannot open directory " + root_.Join("gone") + ": No such file or directory");
  // A removal whose directory went too leaves nothing to sync.
  EXPECT_TRUE(fs::SyncRemoval(root_.Join("gone/none"), &error));
  EXPECT_EQ(recorder_.Take(), (Syncs{"dir gone"}));
}

// A user other than root cannot open a directory of theirs whose mode denies them reading
// (fs.directory mode "0300"): its mode change is made durable through its parent's sync.
// Run as root, the check runs in a child that has become `nobody`.
TEST_F(FsSyncTest, AnInodeTheUserMayNotOpenIsSyncedThroughItsDirectory) {
  std::string locked = root_.Join("locked");
  ASSERT_EQ(mkdir(locked.c_str(), 0300), 0);
  ASSERT_EQ(chmod(locked.c_str(), 0300), 0);
  ASSERT_EQ(chmod(root_.path().c_str(), 0755), 0);
  if (geteuid() == 0) {
    ASSERT_EQ(chown(locked.c_str(), testing::kNobody, testing::kNobody), 0);
  }
  recorder_.Take();
  int result = RunAsNobody([&] {
    SyncRecorder recorder(root_.path());
    std::string error;
    if (!fs::SyncInode(locked, &error)) return 2;
    return recorder.Take() == Syncs{"dir ."} ? 0 : 3;
  });
  EXPECT_EQ(result, 0) << "1: cannot become nobody, 2: the sync failed, "
                          "3: not synced through the directory";
}

}  // namespace
}  // namespace upgrade
