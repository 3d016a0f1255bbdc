// fs.file on the real file system: every change, then Reverse, leaves the tree byte-identical
// (content, mode, existence), also after a partial Apply or none at all.
#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "lang/value_json.h"
#include "providers/fs/fs_test_util.h"
#include "providers/fs/fs_types.h"

namespace upgrade {
namespace {

using fs::ResolvePath;
using testing::FsFixture;
using testing::ReadFile;
using testing::RunAsNobody;
using testing::TempDir;
using testing::TreeFingerprint;
using testing::WriteFile;

std::string ModeOf(const std::string& path) {
  struct stat st {};
  lstat(path.c_str(), &st);
  char text[8];
  std::snprintf(text, sizeof(text), "%04o", st.st_mode & 07777);
  return text;
}

ino_t InodeOf(const std::string& path) {
  struct stat st {};
  lstat(path.c_str(), &st);
  return st.st_ino;
}

class FsFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(root_.Join("app.conf"), "port = 80\n");
    chmod(root_.Join("app.conf").c_str(), 0640);
    std::filesystem::create_directory(root_.Join("etc"));
    WriteFile(root_.Join("etc/other"), "untouched\n");
    before_ = TreeFingerprint(root_.path());
  }

  TempDir root_;
  FsFixture fs_;
  std::string before_;
};

TEST_F(FsFileTest, ReadsAMissingFileAsAbsent) {
  ReadResult read = fs_.provider().Read(FsFixture::Resource("fs.file", root_.Join("nope")),
                                        fs_.context());
  EXPECT_EQ(read.error, "");
  EXPECT_FALSE(read.state.exists);
  EXPECT_TRUE(read.state.attributes.empty());
}

TEST_F(FsFileTest, ReadsContentModeHashAndSize) {
  ReadResult read = fs_.provider().Read(FsFixture::Resource("fs.file", root_.Join("app.conf")),
                                        fs_.context());
  ASSERT_EQ(read.error, "");
  EXPECT_TRUE(read.state.exists);
  EXPECT_EQ(read.state.attributes.at("content"), Value("port = 80\n"));
  EXPECT_EQ(read.state.attributes.at("mode"), Value("0640"));
  EXPECT_EQ(read.state.attributes.at("size"), Value(10));
  EXPECT_EQ(read.state.attributes.at("sha256"), Value(Sha256Hex("port = 80\n")));
}

// The access time of `path`, after setting it to two days before its modification time when
// `age` is true (old enough that the kernel's relatime moves it on the next read).
timespec AccessTimeOf(const std::string& path, bool age = false) {
  struct stat st {};
  stat(path.c_str(), &st);
  if (age) {
    timespec times[2] = {st.st_mtim, {0, UTIME_OMIT}};
    times[0].tv_sec -= 2 * 24 * 3600;
    utimensat(AT_FDCWD, path.c_str(), times, 0);
    stat(path.c_str(), &st);
  }
  return st.st_atim;
}

bool operator==(const timespec& a, const timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

// A plan reads the systems without changing them, access times included; small files are
// read whole, large ones (past what a plan shows) hashed in pieces.
TEST_F(FsFileTest, ReadingLeavesAccessTimesAlone) {
  std::string small = root_.Join("app.conf");
  std::string large = root_.Join("large.bin");
  WriteFile(large, std::string(100000, 'x'));
  timespec aged = AccessTimeOf(small, true);
  ReadFile(small);
  ASSERT_FALSE(AccessTimeOf(small) == aged) << "this file system does not move access times";
  for (const std::string& path : {small, large}) {
    aged = AccessTimeOf(path, true);
    ReadResult read = fs_.provider().Read(FsFixture::Resource("fs.file", path), fs_.context());
    ASSERT_EQ(read.error, "") << path;
    EXPECT_TRUE(AccessTimeOf(path) == aged) << path;
  }
}

// Only a file's owner (or root) may read it without moving its access time; anyone else
// reads it the ordinary way. Run as root, the read runs in a child that has become `nobody`.
TEST_F(FsFileTest, ReadsAFileOfAnotherUser) {
  std::string path = root_.Join("app.conf");
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  ASSERT_EQ(chmod(root_.path().c_str(), 0755), 0);
  int result = RunAsNobody([&] {
    ReadResult read = fs_.provider().Read(FsFixture::Resource("fs.file", path), fs_.context());
    if (!read.error.empty()) return 2;
    return read.state.attributes.at("content") == Value("port = 80\n") ? 0 : 3;
  });
  EXPECT_EQ(result, 0) << "1: cannot become nobody, 2: the read failed, "
                          "3: another content was read";
}

TEST_F(FsFileTest, CreatesFileInNewDirectoriesAndReversesToIdenticalTree) {
  ResourceConfig resource = FsFixture::Resource("fs.file", root_.Join("new/deep/file.txt"));
  Change change = fs_.Plan(resource, {{"content", "hello\n"}, {"mode", "0600"}});
  EXPECT_EQ(change.action, ChangeAction::kCreate);
  ASSERT_EQ(change.attributes.size(), 5u);  // content, mode, path, sha256, size
  EXPECT_EQ(change.attributes[0].name, "content");
  EXPECT_EQ(change.attributes[0].after, Value("hello\n"));
  Value undo = fs_.Prepare(resource, change);
  State state = fs_.Apply(resource, change, undo);
  EXPECT_EQ(ReadFile(root_.Join("new/deep/file.txt")), "hello\n");
  EXPECT_EQ(ModeOf(root_.Join("new/deep/file.txt")), "0600");
  EXPECT_EQ(state, fs_.provider().Read(resource, fs_.context()).state);
  EXPECT_EQ(fs_.Plan(resource, {{"content", "hello\n"}, {"mode", "0600"}}).action,
            ChangeAction::kNone);

  fs_.Reverse(resource, undo);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
  EXPECT_FALSE(std::filesystem::exists(root_.Join("new")));
}

TEST_F(FsFileTest, UpdatesContentAndModeAndReversesToIdenticalTree) {
  ResourceConfig resource = FsFixture::Resource("fs.file", root_.Join("app.conf"));
  Change change = fs_.Plan(resource, {{"content", "port = 8080\n"}, {"mode", "0600"}});
  EXPECT_EQ(change.action, ChangeAction::kUpdate);
  std::vector<std::string> names;
  for (const AttributeChange& attribute : change.attributes) names.push_back(attribute.name);
  EXPECT_EQ(names, (std::vector<std::string>{"content", "mode", "sha256", "size"}));
  EXPECT_EQ(change.attributes[0].before, Value("port = 80\n"));
  EXPECT_EQ(change.attributes[1].before, Value("0640"));
  Value undo = fs_.Prepare(resource, change);
  fs_.Apply(resource, change, undo);
  EXPECT_EQ(ReadFile(root_.Join("app.conf")), "port = 8080\n");
  EXPECT_EQ(ModeOf(root_.Join("app.conf")), "0600");

  fs_.Reverse(resource, undo);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
  fs_.Reverse(resource, undo);  // idempotent
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
}

TEST_F(FsFileTest, ChangesModeInPlace) {
  ResourceConfig resource = FsFixture::Resource("fs.file", root_.Join("app.conf"));
  ino_t inode = InodeOf(root_.Join("app.conf"));
  Change change = fs_.Plan(resource, {{"mode", "0444"}});
  EXPECT_EQ(change.action, ChangeAction::kUpdate);
  ASSERT_EQ(change.attributes.size(), 1u);
  EXPECT_EQ(change.attributes[0].name, "mode");
  Value undo = fs_.Prepare(resource, change);
  fs_.Apply(resource, change, undo);
  EXPECT_EQ(ModeOf(root_.Join("app.conf")), "0444");
  EXPECT_EQ(InodeOf(root_.Join("app.conf")), inode);
  fs_.Reverse(resource, undo);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
}

TEST_F(FsFileTest, DeletesAndReverseBringsBytesAndModeBack) {
  ResourceConfig resource = FsFixture::Resource("fs.file", root_.Join("app.conf"));
  Change change = fs_.Plan(resource, {{"absent", true}});
  EXPECT_EQ(change.action, ChangeAction::kDelete);
  Value undo = fs_.Prepare(resource, change);
  State state = fs_.Apply(resource, change, undo);
  EXPECT_FALSE(state.exists);
  EXPECT_FALSE(std::filesystem::exists(root_.Join("app.conf")));
  EXPECT_EQ(fs_.Plan(resource, {{"absent", true}}).action, ChangeAction::kNone);
  State restored = fs_.Reverse(resource, undo);
  EXPECT_TRUE(restored.exists);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
}

TEST_F(FsFileTest, CopiesBinarySourceAndKeepsItsContentOutOfThePlan) {
  std::string binary("\x00\x01\xff\xfe binary", 11);
  WriteFile(root_.Join("etc/source.bin"), binary);
  before_ = TreeFingerprint(root_.path());
  ResourceConfig resource = FsFixture::Resource("fs.file", root_.Join("app.conf"));
  Change change = fs_.Plan(resource, {{"source", root_.Join("etc/source.bin")}});
  EXPECT_EQ(change.action, ChangeAction::kUpdate);
  EXPECT_EQ(change.after.attributes.count("content"), 0u);
  EXPECT_EQ(change.after.attributes.at("sha256"), Value(Sha256Hex(binary)));
  Value undo = fs_.Prepare(resource, change);
  fs_.Apply(resource, change, undo);
  EXPECT_EQ(ReadFile(root_.Join("app.conf")), binary);
  EXPECT_EQ(ModeOf(root_.Join("app.conf")), "0640");  // the mode it had is kept
  fs_.Reverse(resource, undo);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
}

TEST_F(FsFileTest, RefusesToApplyWhenTheSourceChangedSinceThePlan) {
  WriteFile(root_.Join("etc/source"), "planned");
  ResourceConfig resource = FsFixture::Resource("fs.file", root_.Join("app.conf"));
  Change change = fs_.Plan(resource, {{"source", root_.Join("etc/source")}});
  WriteFile(root_.Join("etc/source"), "changed");
  Value undo = fs_.Prepare(resource, change);
  Operation operation{Operation::Kind::kChange, resource, change};
  ApplyResult applied = fs_.provider().Apply(operation, undo, fs_.context());
  EXPECT_EQ(applied.error, "fs.file " + root_.Join("app.conf") +
                               ": the content written differs from the plan (source " +
                               root_.Join("etc/source") + " changed since the plan)");
  WriteFile(root_.Join("etc/source"), "");
  std::filesystem::remove(root_.Join("etc/source"));
  fs_.Reverse(resource, undo);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
}

TEST_F(FsFileTest, NewContentIsStagedBeforeTheWriteAheadAndRenamedInAfter) {
  ResourceConfig resource = FsFixture::Resource("fs.file", root_.Join("app.conf"));
  Change change = fs_.Plan(resource, {{"content", "port = 81\n"}});
  Value undo = fs_.Prepare(resource, change);
  Operation operation{Operation::Kind::kChange, resource, change};
  ASSERT_TRUE(fs_.provider().DefersWriteAhead(operation));
  int calls = 0;
  ProviderContext context = fs_.context();
  context.write_ahead = [&] {
    ++calls;
    EXPECT_EQ(ReadFile(root_.Join(".app.conf.upgrade-tmp")), "port = 81\n");
    EXPECT_EQ(ReadFile(root_.Join("app.conf")), "port = 80\n");  // not touched yet
    return std::string();
  };
  ApplyResult applied = fs_.provider().Apply(operation, undo, context);
  EXPECT_EQ(applied.error, "");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(ReadFile(root_.Join("app.conf")), "port = 81\n");
  EXPECT_FALSE(std::filesystem::exists(root_.Join(".app.conf.upgrade-tmp")));
}

TEST_F(FsFileTest, FailedWriteAheadLeavesEverythingAsItWas) {
  const std::string kJournalError = "cannot write journal /j: Input/output error";
  ProviderContext context = fs_.context();
  context.write_ahead = [&] { return kJournalError; };
  ResourceConfig rewritten = FsFixture::Resource("fs.file", root_.Join("app.conf"));
  ResourceConfig created = FsFixture::Resource("fs.file", root_.Join("new/dir/f"));
  ResourceConfig deleted = FsFixture::Resource("fs.file", root_.Join("etc/other"));
  ResourceConfig chmodded = FsFixture::Resource("fs.file", root_.Join("etc/other"));
  for (auto [resource, desired] : std::vector<std::pair<ResourceConfig, Value::Map>>{
           {rewritten, {{"content", "port = 81\n"}}},
           {created, {{"content", "x"}}},
           {deleted, {{"absent", true}}},
           {chmodded, {{"content", "untouched\n"}, {"mode", "0600"}}}}) {
    Change change = fs_.Plan(resource, desired);
    Value undo = fs_.Prepare(resource, change);
    Operation operation{Operation::Kind::kChange, resource, change};
    EXPECT_EQ(fs_.provider().Apply(operation, undo, context).error, kJournalError);
    EXPECT_EQ(TreeFingerprint(root_.path()), before_) << desired.begin()->first;
  }
}

TEST_F(FsFileTest, ReverseWithoutApplyChangesNothing) {
  ResourceConfig resource = FsFixture::Resource("fs.file", root_.Join("app.conf"));
  Change change = fs_.Plan(resource, {{"content", "x"}});
  Value undo = fs_.Prepare(resource, change);
  fs_.Reverse(resource, undo);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);

  ResourceConfig created = FsFixture::Resource("fs.file", root_.Join("a/b/c"));
  Value undo_created = fs_.Prepare(created, fs_.Plan(created, {{"content", "x"}}));
  fs_.Reverse(created, undo_created);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
}

// A crash in the middle of an atomic write leaves the temp sibling and maybe new parents.
TEST_F(FsFileTest, ReverseAfterPartialApplyCleansUp) {
  ResourceConfig resource = FsFixture::Resource("fs.file", root_.Join("app.conf"));
  Value undo = fs_.Prepare(resource, fs_.Plan(resource, {{"content", "half"}}));
  WriteFile(root_.Join(".app.conf.upgrade-tmp"), "hal");
  fs_.Reverse(resource, undo);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);

  ResourceConfig created = FsFixture::Resource("fs.file", root_.Join("n1/n2/f"));
  Value undo_created = fs_.Prepare(created, fs_.Plan(created, {{"content", "x"}}));
  std::filesystem::create_directories(root_.Join("n1/n2"));
  WriteFile(root_.Join("n1/n2/.f.upgrade-tmp"), "");
  fs_.Reverse(created, undo_created);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
}

TEST_F(FsFileTest, ReportsBadPlansWithClearErrors) {
  ResourceConfig resource = FsFixture::Resource("fs.file", root_.Join("app.conf"));
  ReadResult read = fs_.provider().Read(resource, fs_.context());
  auto diff = [&](const ResourceConfig& r, const State& prior, Value::Map desired) {
    return fs_.provider().Diff(DiffRequest{r, prior, std::move(desired)}).error;
  };
  EXPECT_EQ(diff(resource, read.state, {{"content", "a"}, {"source", "/b"}}),
            "fs.file " + root_.Join("app.conf") + " sets both content and source");
  EXPECT_EQ(diff(resource, read.state, {{"mode", "rw-r--r--"}}),
            "mode must be a string of 3 or 4 octal digits, like \"0644\": got rw-r--r--");
  ResourceConfig missing = FsFixture::Resource("fs.file", root_.Join("missing"));
  EXPECT_EQ(diff(missing, State{}, {{"mode", "0644"}}),
            "fs.file " + root_.Join("missing") +
                " does not exist: give content or source to create it");
  EXPECT_EQ(diff(resource, read.state, {{"source", root_.Join("nope")}}),
            "fs.file " + root_.Join("app.conf") + ": source " + root_.Join("nope") +
                " does not exist");
  ReadResult directory =
      fs_.provider().Read(FsFixture::Resource("fs.file", root_.Join("etc")), fs_.context());
  EXPECT_EQ(directory.error, root_.Join("etc") + " is a directory, not a file");
}

TEST_F(FsFileTest, HidesSensitiveContent) {
  ResourceConfig resource =
      FsFixture::Resource("fs.file", root_.Join("app.conf"), {{"sensitive", true}});
  ReadResult read = fs_.provider().Read(resource, fs_.context());
  EXPECT_TRUE(read.state.attributes.at("content").sensitive());
  Change change = fs_.Plan(resource, {{"content", "password = hunter2\n"}});
  ASSERT_EQ(change.attributes[0].name, "content");
  EXPECT_TRUE(change.attributes[0].sensitive);
  EXPECT_TRUE(change.after.attributes.at("content").sensitive());
  EXPECT_EQ(change.attributes[0].after.ToDisplay(), "(sensitive value)");

  ResourceConfig plain = FsFixture::Resource("fs.file", root_.Join("other"));
  Change secret = fs_.Plan(plain, {{"content", Value("token").MarkSensitive()}});
  EXPECT_TRUE(secret.attributes[0].sensitive);
}

// Apply returns the planned state without reading the file back when it wrote the planned bytes
// itself: that state must be what a Read finds, and never less secret.
TEST_F(FsFileTest, TheStateApplyReturnsIsWhatReadThenSees) {
  struct Case {
    std::string file;
    Value::Map extra;  // resource-block attributes
    Value::Map desired;
    bool secret;       // the content is marked sensitive in the state Apply returns
  };
  std::vector<Case> cases = {
      {"app.conf", {}, {{"content", "port = 8080\n"}, {"mode", "0600"}}, false},  // update
      {"app.conf", {}, {{"mode", "0444"}}, false},                                  // mode only
      {"big", {}, {{"content", std::string(20000, 'x')}}, false},  // content not shown
      {"secret", {{"sensitive", true}}, {{"content", "password = hunter2\n"}}, true},
      {"token", {}, {{"content", Value("t0ken").MarkSensitive()}}, true},
  };
  for (const Case& each : cases) {
    SCOPED_TRACE(each.file);
    ResourceConfig resource = FsFixture::Resource("fs.file", root_.Join(each.file), each.extra);
    Change change = fs_.Plan(resource, each.desired);
    State applied = fs_.Apply(resource, change, fs_.Prepare(resource, change));
    EXPECT_EQ(applied, fs_.provider().Read(resource, fs_.context()).state);
    auto content = applied.attributes.find("content");
    EXPECT_EQ(content != applied.attributes.end() && content->second.sensitive(), each.secret);
  }
}

TEST_F(FsFileTest, ShowsContentOnlyForSmallTextFiles) {
  std::string big(20000, 'x');
  WriteFile(root_.Join("big"), big);
  ReadResult read =
      fs_.provider().Read(FsFixture::Resource("fs.file", root_.Join("big")), fs_.context());
  EXPECT_EQ(read.state.attributes.count("content"), 0u);
  EXPECT_EQ(read.state.attributes.at("size"), Value(20000));
  ResourceConfig resource = FsFixture::Resource("fs.file", root_.Join("big"));
  Change change = fs_.Plan(resource, {{"content", big}});
  EXPECT_EQ(change.action, ChangeAction::kNone);
  Change bigger = fs_.Plan(resource, {{"content", big + "y"}});
  EXPECT_EQ(bigger.action, ChangeAction::kUpdate);
  Value undo = fs_.Prepare(resource, bigger);
  fs_.Apply(resource, bigger, undo);
  EXPECT_EQ(ReadFile(root_.Join("big")), big + "y");
  fs_.Reverse(resource, undo);
  EXPECT_EQ(ReadFile(root_.Join("big")), big);
}

TEST_F(FsFileTest, ResolvesRelativePathsAgainstThePlanDirectory) {
  fs_.context().base_dir = root_.path();
  ResourceConfig resource = FsFixture::Resource("fs.file", "conf/new.conf");
  Change change = fs_.Plan(resource, {{"content", "relative\n"}});
  EXPECT_EQ(change.action, ChangeAction::kCreate);
  Value undo = fs_.Prepare(resource, change);
  State state = fs_.Apply(resource, change, undo);
  EXPECT_EQ(ReadFile(root_.Join("conf/new.conf")), "relative\n");
  EXPECT_EQ(state.attributes.at("path"), Value("conf/new.conf"));
  EXPECT_EQ(state, change.after);
  fs_.Reverse(resource, undo);
  EXPECT_EQ(TreeFingerprint(root_.path()), before_);
  DiffResult relative_source = fs_.provider().Diff(
      DiffRequest{resource, State{}, {{"source", "etc/other"}}});
  EXPECT_EQ(relative_source.error, "fs.file conf/new.conf: source must be an absolute path");
  // A plan in the root directory, and absolute paths, which no directory changes.
  EXPECT_EQ(ResolvePath("conf/new.conf", "/"), "/conf/new.conf");
  EXPECT_EQ(ResolvePath("/etc/app.conf", root_.path()), "/etc/app.conf");
}

// Tests run as root (as CI does), so files owned by someone else can be made.
TEST_F(FsFileTest, KeepsTheOwnerOfRewrittenFiles) {
  ASSERT_EQ(chown(root_.Join("app.conf").c_str(), 12345, 23456), 0);
  ResourceConfig resource = FsFixture::Resource("fs.file", root_.Join("app.conf"));
  Change change = fs_.Plan(resource, {{"content", "owned"}});
  Value undo = fs_.Prepare(resource, change);
  fs_.Apply(resource, change, undo);
  struct stat st {};
  stat(root_.Join("app.conf").c_str(), &st);
  EXPECT_EQ(st.st_uid, 12345u);
  EXPECT_EQ(st.st_gid, 23456u);
  std::filesystem::remove(root_.Join("app.conf"));
  fs_.Reverse(resource, undo);
  stat(root_.Join("app.conf").c_str(), &st);
  EXPECT_EQ(st.st_uid, 12345u);
  EXPECT_EQ(ReadFile(root_.Join("app.conf")), "port = 80\n");
}

}  // namespace
}  // namespace upgrade
