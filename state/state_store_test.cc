// Tests of state.json: round trip, serial and lineage, secrets digested, refusal of corrupt and
// newer files (which are then left byte for byte as they were).
#include "state/state_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>
#include <vector>

#include "state/atomic_file.h"
#include "tests/support/sync_recorder.h"
#include "tests/support/test_support.h"

namespace upgrade {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

ManagedResource FileResource(const std::string& content) {
  ManagedResource resource;
  resource.type = "fs.file";
  resource.state.exists = true;
  resource.state.attributes["content"] = Value(content);
  resource.state.attributes["mode"] = Value("0644");
  resource.run_id = "r1";
  return resource;
}

TEST(StateStoreTest, MissingFileLoadsEmptyWithFreshLineage) {
  TempDir dir;
  StateStore store(dir.path());
  StateFile state;
  std::string error;
  ASSERT_TRUE(store.Load(&state, &error)) << error;
  EXPECT_EQ(state.serial, 0);
  EXPECT_EQ(state.lineage.size(), 32u);
  EXPECT_TRUE(state.resources.empty());
  EXPECT_FALSE(std::filesystem::exists(store.StatePath()));
}

TEST(StateStoreTest, SaveThenLoadRoundTripsAndCountsSerial) {
  TempDir dir;
  StateStore store(dir.path());
  StateFile state;
  std::string error;
  ASSERT_TRUE(store.Load(&state, &error));
  state.resources["config"] = FileResource("a=1\n");
  ASSERT_TRUE(store.Save(&state, &error)) << error;
  EXPECT_EQ(state.serial, 1);
  state.resources["config"] = FileResource("a=2\n");
  ASSERT_TRUE(store.Save(&state, &error)) << error;
  EXPECT_EQ(state.serial, 2);

  StateFile loaded;
  ASSERT_TRUE(store.Load(&loaded, &error)) << error;
  EXPECT_EQ(loaded.serial, 2);
  EXPECT_EQ(loaded.lineage, state.lineage);
  ASSERT_EQ(loaded.resources.count("config"), 1u);
  EXPECT_EQ(loaded.resources["config"].type, "fs.file");
  EXPECT_EQ(loaded.resources["config"].state, state.resources["config"].state);
  // No temp files are left beside it.
  int entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    (void)entry;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(StateStoreTest, EachResourceIsOneLineUnderTheTopMembers) {
  TempDir dir;
  StateStore store(dir.path());
  StateFile state;
  state.lineage = "5be0c8";
  state.resources["b"] = FileResource("two\n");
  state.resources["a"] = FileResource("one");
  state.resources["a"].updated_at = "2026-11-21T09:15:00Z";
  std::string error;
  ASSERT_TRUE(store.Save(&state, &error)) << error;
  EXPECT_EQ(ReadFile(store.StatePath()),
            "{\n"
            "\"format_version\": 1,\n"
            "\"serial\": 1,\n"
            "\"lineage\": \"5be0c8\",\n"
            "\"resources\": {\n"
            "\"a\": {\"type\":\"fs.file\",\"exists\":true,\"attributes\":{\"content\":\"one\","
            "\"mode\":\"0644\"},\"run\":\"r1\",\"updated_at\":\"2026-11-21T09:15:00Z\"},\n"
            "\"b\": {\"type\":\"fs.file\",\"exists\":true,\"attributes\":{\"content\":\"two\\n\","
            "\"mode\":\"0644\"},\"run\":\"r1\",\"updated_at\":\"\"}\n"
            "}\n"
            "}\n");
  state.resources.clear();
  ASSERT_TRUE(store.Save(&state, &error)) << error;
  EXPECT_EQ(ReadFile(store.StatePath()),
            "{\n\"format_version\": 1,\n\"serial\": 2,\n\"lineage\": \"5be0c8\",\n"
            "\"resources\": {}\n}\n");
}

TEST(StateStoreTest, SensitiveAttributesAreStoredOnlyAsDigests) {
  TempDir dir;
  StateStore store(dir.path());
  StateFile state;
  std::string error;
  ASSERT_TRUE(store.Load(&state, &error));
  ManagedResource resource = FileResource("x");
  resource.state.attributes["password"] = Value("hunter2-secret").MarkSensitive();
  state.resources["db"] = resource;
  ASSERT_TRUE(store.Save(&state, &error)) << error;
  std::string text = ReadFile(store.StatePath());
  EXPECT_EQ(text.find("hunter2-secret"), std::string::npos) << text;
  EXPECT_NE(text.find("\"password\":{\"$sensitive\":\"sha256:"), std::string::npos) << text;
}

constexpr const char* kCorruptText = "{\"format_version\": 1, \"serial\": ";

// Save of `state` is refused over the corrupt file, which stays as it was.
void ExpectSaveRefusedOverCorruptFile(StateStore& store, StateFile* state) {
  std::string error;
  EXPECT_FALSE(store.Save(state, &error));
  EXPECT_EQ(error, store.StatePath() +
                       ": state file is corrupt (not valid JSON); it was left untouched");
  EXPECT_EQ(ReadFile(store.StatePath()), kCorruptText);
}

TEST(StateStoreTest, CorruptFileIsRefusedAndNeverOverwritten) {
  TempDir dir;
  StateStore store(dir.path());
  WriteFile(store.StatePath(), kCorruptText);
  StateFile state;
  std::string error;
  EXPECT_FALSE(store.Load(&state, &error));
  EXPECT_EQ(error, store.StatePath() +
                       ": state file is corrupt (not valid JSON); it was left untouched");
  state = StateFile{};
  state.lineage = "abc";
  ExpectSaveRefusedOverCorruptFile(store, &state);
}

TEST(StateStoreTest, NewerFormatIsRefusedAndNeverOverwritten) {
  TempDir dir;
  StateStore store(dir.path());
  const std::string newer =
      "{\"format_version\": 7, \"serial\": 3, \"lineage\": \"x\", \"resources\": {}}";
  WriteFile(store.StatePath(), newer);
  StateFile state;
  std::string error;
  EXPECT_FALSE(store.Load(&state, &error));
  EXPECT_EQ(error, store.StatePath() +
                       ": state file has format version 7, newer than this upgrade "
                       "understands (1); use a newer upgrade");
  state = StateFile{};
  state.lineage = "x";
  state.serial = 3;
  EXPECT_FALSE(store.Save(&state, &error));
  EXPECT_EQ(ReadFile(store.StatePath()), newer);
}

TEST(StateStoreTest, ConcurrentWriterIsDetectedBySerial) {
  TempDir dir;
  StateStore store(dir.path());
  StateFile first, second;
  std::string error;
  ASSERT_TRUE(store.Load(&first, &error));
  ASSERT_TRUE(store.Save(&first, &error));
  ASSERT_TRUE(store.Load(&second, &error));
  ASSERT_TRUE(store.Save(&second, &error));
  EXPECT_FALSE(store.Save(&first, &error));
  EXPECT_NE(error.find("state file changed since it was read (serial 1 -> 2)"),
            std::string::npos)
      << error;
}

// Save skips parsing the file only when it is the very text that was loaded or saved.
TEST(StateStoreTest, AFileSpoiledAfterItWasWrittenIsRefusedAndKept) {
  TempDir dir;
  StateStore store(dir.path());
  StateFile state;
  state.lineage = "abc";
  std::string error;
  ASSERT_TRUE(store.Save(&state, &error)) << error;
  WriteFile(store.StatePath(), kCorruptText);
  ExpectSaveRefusedOverCorruptFile(store, &state);
}

TEST(StateStoreTest, OtherLineageIsRefused) {
  TempDir dir;
  StateStore store(dir.path());
  StateFile state;
  std::string error;
  ASSERT_TRUE(store.Load(&state, &error));
  ASSERT_TRUE(store.Save(&state, &error));
  StateFile stranger;
  stranger.lineage = "0000";
  stranger.serial = 1;
  EXPECT_FALSE(store.Save(&stranger, &error));
  EXPECT_NE(error.find("belongs to another lineage"), std::string::npos) << error;
}

TEST(AtomicFileTest, ReplacesContentWhole) {
  TempDir dir;
  std::string path = dir.Join("f");
  std::string error;
  ASSERT_TRUE(WriteFileAtomic(path, "one", &error)) << error;
  ASSERT_TRUE(WriteFileAtomic(path, "two", &error)) << error;
  EXPECT_EQ(ReadFile(path), "two");
}

TEST(AtomicFileTest, ParallelWritersIntoOneDirectoryAllLand) {
  TempDir dir;
  std::vector<std::thread> writers;
  std::vector<std::string> errors(16);
  for (int i = 0; i < 16; ++i) {
    writers.emplace_back([&, i] {
      for (int n = 0; n < 20; ++n) {
        std::string path = dir.Join("f" + std::to_string(i) + "_" + std::to_string(n));
        if (!WriteFileAtomic(path, path, &errors[i])) return;
      }
    });
  }
  for (auto& writer : writers) writer.join();
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(errors[i], "");
    for (int n = 0; n < 20; ++n) {
      std::string path = dir.Join("f" + std::to_string(i) + "_" + std::to_string(n));
      EXPECT_EQ(ReadFile(path), path);
    }
  }
}

TEST(AtomicFileTest, WritesSyncTheTempFileThenTheDirectory) {
  TempDir dir;
  testing::SyncRecorder syncs(dir.path());
  std::string error;
  ASSERT_TRUE(WriteFileAtomic(dir.Join("f"), "one", &error)) << error;
  std::vector<std::string> seen = syncs.Take();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].rfind("file .f.tmp.", 0), 0u) << seen[0];
  EXPECT_EQ(seen[1], "dir .");
}

TEST(AtomicFileTest, NewDirectoriesAreSyncedIntoTheirParentsOutermostFirst) {
  TempDir dir;
  testing::SyncRecorder syncs(dir.path());
  std::string error;
  ASSERT_TRUE(MakeDirectories(dir.Join("a/b/c"), &error)) << error;
  EXPECT_TRUE(std::filesystem::is_directory(dir.Join("a/b/c")));
  EXPECT_EQ(syncs.Take(), (std::vector<std::string>{"dir .", "dir a", "dir a/b"}));
  ASSERT_TRUE(MakeDirectories(dir.Join("a/b/c"), &error)) << error;  // nothing new: no sync
  EXPECT_EQ(syncs.Take(), (std::vector<std::string>{}));
}

TEST(AtomicFileTest, SyncOfAMissingDirectoryIsAnError) {
  TempDir dir;
  std::string error;
  EXPECT_FALSE(SyncDirectory(dir.Join("gone"), &error));
  EXPECT_EQ(error, "cannot open directory " + dir.Join("gone") + ": No such file or directory");
}

}  // namespace
}  // namespace upgrade
