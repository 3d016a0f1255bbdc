// Tests of the journal: the line format, fsync'd appends read back, torn last lines, refusal of
// corrupt or newer journals, secrets as digests, and the crash hook.
#include "executor/journal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "executor/executor_test_support.h"
#include "executor/journal_view.h"
#include "lang/value_json.h"
#include "tests/support/sync_recorder.h"
#include "tests/support/test_support.h"

namespace upgrade {
namespace {

using testing::ReadBack;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

JournalRecord Intent(const std::string& op) {
  JournalRecord record;
  record.type = "intent";
  record.step = "s";
  record.op = op;
  record.data["kind"] = Value("change");
  record.data["resource"] = Value("a");
  return record;
}

TEST(JournalTest, AppendsLinesThatReadBackInOrder) {
  TempDir dir;
  std::string path = dir.Join("journal.jsonl");
  {
    FileJournal journal(path);
    ASSERT_EQ(journal.error(), "");
    EXPECT_EQ(journal.Append(JournalHeader("run1", "/p/plan.upg")), "");
    EXPECT_EQ(journal.Append(Intent("s#0")), "");
  }
  std::vector<JournalRecord> records = ReadBack(path);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].type, "header");
  EXPECT_EQ(records[0].GetString("format"), "upgrade-journal");
  EXPECT_EQ(records[0].Get("version"), Value(1));
  EXPECT_EQ(records[0].GetString("run"), "run1");
  EXPECT_EQ(records[1].op, "s#0");
  EXPECT_EQ(records[1].GetString("resource"), "a");
  EXPECT_EQ(records[1].time.size(), 20u);
  std::string text = ReadFile(path);
  EXPECT_EQ(text.substr(0, text.find('\n')).find("{\"format\":\"upgrade-journal\""), 0u) << text;
}

TEST(JournalTest, ANewJournalsNameIsSyncedIntoItsDirectoryOnce) {
  TempDir dir;
  testing::SyncRecorder syncs(dir.path());
  std::string path = dir.Join("journal.jsonl");
  {
    FileJournal journal(path);
    ASSERT_EQ(journal.error(), "");
  }
  EXPECT_EQ(syncs.Take(), (std::vector<std::string>{"dir ."}));
  FileJournal reopened(path);  // as resume does: the name is on disk already
  ASSERT_EQ(reopened.error(), "");
  EXPECT_EQ(syncs.Take(), (std::vector<std::string>{}));
}

TEST(JournalTest, LineIsCompactJsonWithSortedKeysAndSecretsDigested) {
  JournalRecord record = Intent("s#0");
  record.time = "2026-11-21T09:15:00Z";
  record.text = "tab\there, quote \" and \u00e9";
  Value secret("hunter2");
  secret.MarkSensitive();
  record.data["config"] = Value(Value::Map{{"password", secret}, {"port", Value(5432)}});
  record.data["after"] = Value(Value::List{Value(1.5), Value(true), Value()});
  std::string line = JournalRecordToLine(record);
  EXPECT_EQ(line,
            "{\"after\":[1.5,true,null],\"config\":{\"password\":{\"$sensitive\":\"sha256:" +
                Sha256Hex("\"hunter2\"") + "\"},\"port\":5432},\"kind\":\"change\",\"op\":\"s#0\","
                "\"resource\":\"a\",\"step\":\"s\",\"text\":\"tab\\there, quote \\\" and \u00e9\","
                "\"time\":\"2026-11-21T09:15:00Z\",\"type\":\"intent\"}");
}

TEST(JournalTest, WrittenRecordsWaitForTheNextSyncedOne) {
  TempDir dir;
  std::string path = dir.Join("journal.jsonl");
  FileJournal journal(path);
  ASSERT_EQ(journal.Append(JournalHeader("run1", "p"), Durability::kWritten), "");
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(journal.Append(Intent("s#" + std::to_string(i)), Durability::kWritten), "");
  }
  EXPECT_EQ(journal.syncs(), 0);
  std::vector<JournalRecord> records = ReadBack(path);  // in the file already
  EXPECT_EQ(records.size(), 6u);
  ASSERT_EQ(journal.Append(Intent("s#5")), "");  // synced, with everything before it
  EXPECT_EQ(journal.syncs(), 1);
}

TEST(JournalTest, PowerLossKeepsOnlyWhatWasSynced) {
  TempDir dir;
  std::string path = dir.Join("journal.jsonl");
  {
    FileJournal journal(path);
    journal.CrashAt(4, true, CrashKind::kPowerLoss);
    journal.Append(JournalHeader("run1", "p"), Durability::kWritten);
    journal.Append(Intent("s#0"));
    journal.Append(Intent("s#1"), Durability::kWritten);
    EXPECT_THROW(journal.Append(Intent("s#2"), Durability::kWritten), SimulatedCrash);
  }
  std::vector<JournalRecord> records = ReadBack(path);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].op, "s#0");
}

TEST(JournalTest, SyncWrittenPutsTheThreadsRecordsOnDiskBeforeAPowerLoss) {
  TempDir dir;
  std::string path = dir.Join("journal.jsonl");
  {
    FileJournal journal(path);
    journal.CrashAt(4, true, CrashKind::kPowerLoss);
    journal.Append(JournalHeader("run1", "p"), Durability::kWritten);
    journal.Append(Intent("s#0"), Durability::kWritten);
    EXPECT_EQ(journal.SyncWritten(), "");
    EXPECT_EQ(journal.syncs(), 1);
    EXPECT_EQ(journal.SyncWritten(), "");  // nothing new: no second sync
    EXPECT_EQ(journal.syncs(), 1);
    journal.Append(Intent("s#1"), Durability::kWritten);
    EXPECT_THROW(journal.Append(Intent("s#2"), Durability::kWritten), SimulatedCrash);
    EXPECT_THROW(journal.SyncWritten(), SimulatedCrash);  // the machine is gone
  }
  std::vector<JournalRecord> records = ReadBack(path);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].op, "s#0");
}

TEST(JournalTest, SyncWrittenCoversWhatTheCallingThreadAppended) {
  TempDir dir;
  FileJournal journal(dir.Join("journal.jsonl"));
  journal.Append(JournalHeader("run1", "p"));
  ASSERT_EQ(journal.syncs(), 1);
  // Another thread's record, appended later, needs no sync of this thread's own.
  std::thread([&journal] { journal.Append(Intent("s#0"), Durability::kWritten); }).join();
  EXPECT_EQ(journal.SyncWritten(), "");
  EXPECT_EQ(journal.syncs(), 1);
  journal.Append(Intent("s#1"), Durability::kWritten);
  EXPECT_EQ(journal.SyncWritten(), "");
  EXPECT_EQ(journal.syncs(), 2);
}

TEST(JournalTest, TornLastLineIsIgnored) {
  TempDir dir;
  std::string path = dir.Join("journal.jsonl");
  {
    FileJournal journal(path);
    journal.Append(JournalHeader("run1", "p"));
    journal.Append(Intent("s#0"));
  }
  WriteFile(path, ReadFile(path) + "{\"type\":\"prepared\",\"op\":\"s#");
  std::vector<JournalRecord> records = ReadBack(path);
  EXPECT_EQ(records.size(), 2u);
}

TEST(JournalTest, RecordsGoOverZerosLaidDownAheadWhichAClosedJournalCutsOff) {
  TempDir dir;
  std::string path = dir.Join("journal.jsonl");
  std::string records_text;
  {
    FileJournal journal(path);
    journal.Append(JournalHeader("run1", "p"));
    journal.Append(Intent("s#0"), Durability::kSynced);
    std::string open_text = ReadFile(path);
    size_t end = open_text.find('\0');
    ASSERT_NE(end, std::string::npos) << "no zeros laid down ahead";
    EXPECT_GT(open_text.size(), 1u << 20);
    EXPECT_EQ(open_text.find_first_not_of('\0', end), std::string::npos);
    records_text = open_text.substr(0, end);
    std::vector<JournalRecord> records = ReadBack(path);
    EXPECT_EQ(records.size(), 2u);
  }
  EXPECT_EQ(ReadFile(path), records_text);
  EXPECT_EQ(std::count(records_text.begin(), records_text.end(), '\n'), 2);
}

TEST(JournalTest, ReopenedAfterACrashWritesOverATornRecordAndTheZeros) {
  TempDir dir;
  std::string path = dir.Join("journal.jsonl");
  {
    FileJournal journal(path);
    journal.Append(JournalHeader("run1", "p"));
    journal.Append(Intent("s#0"));
  }
  // What a power loss can leave: a record cut short, then the zeros laid down ahead.
  WriteFile(path, ReadFile(path) + "{\"type\":\"prepared\",\"op\":\"s#" +
                      std::string(4096, '\0'));
  {
    FileJournal journal(path);
    ASSERT_EQ(journal.error(), "");
    EXPECT_EQ(journal.Append(Intent("s#1"), Durability::kSynced), "");
  }
  std::vector<JournalRecord> records = ReadBack(path);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1].op, "s#0");
  EXPECT_EQ(records[2].op, "s#1");
  EXPECT_EQ(ReadFile(path).find('\0'), std::string::npos);
}

TEST(JournalTest, CorruptMiddleLineIsAnError) {
  TempDir dir;
  std::string path = dir.Join("journal.jsonl");
  {
    FileJournal journal(path);
    journal.Append(JournalHeader("run1", "p"));
  }
  WriteFile(path, ReadFile(path) + "garbage\n{\"type\":\"run_end\",\"time\":\"\"}\n");
  std::vector<JournalRecord> records;
  std::string error;
  EXPECT_FALSE(ReadJournal(path, &records, &error));
  EXPECT_EQ(error, path + ":2: journal is corrupt");
}

TEST(JournalTest, NewerFormatAndMissingHeaderAreRefused) {
  TempDir dir;
  std::string path = dir.Join("journal.jsonl");
  WriteFile(path, "{\"type\":\"header\",\"format\":\"upgrade-journal\",\"version\":9}\n");
  std::vector<JournalRecord> records;
  std::string error;
  EXPECT_FALSE(ReadJournal(path, &records, &error));
  EXPECT_EQ(error, path + ": journal has a newer format than this upgrade understands");
  WriteFile(path, "{\"type\":\"intent\"}\n");
  EXPECT_FALSE(ReadJournal(path, &records, &error));
  EXPECT_EQ(error, path + ": not an upgrade journal (no header line)");
}

TEST(JournalTest, SecretsAreWrittenOnlyAsDigests) {
  TempDir dir;
  std::string path = dir.Join("journal.jsonl");
  FileJournal journal(path);
  journal.Append(JournalHeader("run1", "p"));
  JournalRecord record = Intent("s#0");
  record.data["config"] = Value(Value::Map{{"password", Value("s3cr3t-pw").MarkSensitive()}});
  journal.Append(record);
  std::string text = ReadFile(path);
  EXPECT_EQ(text.find("s3cr3t-pw"), std::string::npos) << text;
  EXPECT_NE(text.find("$sensitive"), std::string::npos) << text;
}

TEST(JournalTest, CrashHookWritesOrDropsTheNthRecordThenRefusesAll) {
  TempDir dir;
  std::string path = dir.Join("journal.jsonl");
  {
    FileJournal journal(path);
    journal.CrashAt(2, /*write_it=*/true);
    journal.Append(JournalHeader("run1", "p"));
    EXPECT_THROW(journal.Append(Intent("s#0")), SimulatedCrash);
    EXPECT_THROW(journal.Append(Intent("s#1")), SimulatedCrash);
  }
  std::vector<JournalRecord> records = ReadBack(path);
  EXPECT_EQ(records.size(), 2u);

  MemoryJournal memory;
  memory.CrashAt(2, /*write_it=*/false);
  memory.Append(JournalHeader("run1", "p"));
  EXPECT_THROW(memory.Append(Intent("s#0")), SimulatedCrash);
  EXPECT_EQ(memory.records().size(), 1u);
}

TEST(JournalViewTest, FoldsOperationStatusAndSteps) {
  std::vector<JournalRecord> records;
  records.push_back(JournalHeader("run1", "p"));
  auto add = [&](const std::string& type, const std::string& op, Value::Map data = {}) {
    JournalRecord record;
    record.type = type;
    record.step = "s";
    record.op = op;
    record.data = std::move(data);
    records.push_back(record);
  };
  add("step_begin", "");
  records.push_back(Intent("s#0"));
  add("prepared", "s#0", {{"undo", Value("u0")}, {"reversible", Value(true)}});
  add("done", "s#0", {{"state", Value(Value::Map{{"exists", Value(true)}})}});
  records.push_back(Intent("s#1"));
  add("prepared", "s#1", {{"undo", Value("u1")}, {"reversible", Value(true)}});
  JournalView view = ViewJournal(records);
  EXPECT_EQ(view.run_id, "run1");
  ASSERT_EQ(view.ops.size(), 2u);
  EXPECT_TRUE(view.ops[0].done);
  EXPECT_FALSE(view.ops[0].InDoubt());
  EXPECT_TRUE(view.ops[1].InDoubt());
  EXPECT_EQ(view.ops[1].undo, Value("u1"));
  EXPECT_EQ(view.Status(), "interrupted");
  EXPECT_TRUE(view.CompletedSteps().empty());
}

}  // namespace
}  // namespace upgrade
