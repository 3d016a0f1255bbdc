// The write-ahead journal of a run (`runs/<id>/journal.jsonl`): one JSON object per line, the
// first line a versioned header, every record fsync'd before the call that follows it.
//
// For each operation the executor writes, in this order:
//   intent    (op, step, resource, planned change)      before anything is touched
//   prepared  (the undo record from Prepare)             before Apply starts
//   done      (the new state or the action's output)     after Apply succeeded
//   failed    (the error)                                after Apply failed
// plus step_begin / check / step_end, released, run_end; rollback appends reverse_intent /
// reverse_done / reverse_failed, restore_intent / restore_done, rollback_begin / rollback_end.
// Resume and rollback read only this (and the run's plan.json). Values are written with
// SecretPolicy::kDigest: a secret never reaches the journal.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "lang/value.h"

namespace upgrade {

/// One line of the journal. `type` says which fields mean something (see the file comment);
/// `data` holds the rest (change, undo, state, output, ...), merged into the JSON object.
struct JournalRecord {
  std::string type;
  std::string time;  ///< RFC 3339, UTC; filled on append when empty
  std::string step;
  std::string op;    ///< the operation id, "<step>#<n>"
  std::string text;  ///< an error, an outcome or a message, by type
  Value::Map data;

  const Value& Get(const std::string& key) const;
  /// The string in `data[key]`, or "" when absent or not a string.
  std::string GetString(const std::string& key) const;
};

/// Thrown only by a journal configured to simulate a crash (tests): the process "dies" right
/// after writing its Nth record, and nothing is written after that.
struct SimulatedCrash {
  int records_written = 0;
};

/// Where the executor writes its records. Append returns an error text (empty on success); a
/// journal that cannot write stops the run, since nothing may change without its record.
class Journal {
 public:
  virtual ~Journal() = default;
  virtual std::string Append(JournalRecord record) = 0;
};

/// The journal on disk: appends a line and fsyncs it, under a mutex (steps run in parallel).
class FileJournal : public Journal {
 public:
  /// Opens (creating if needed) `path` for appending. Check `error()` afterwards.
  explicit FileJournal(std::string path);
  ~FileJournal() override;

  std::string Append(JournalRecord record) override;
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

  /// Test hook: at the `n`th append (1-based), write the record if `write_it`, then throw
  /// SimulatedCrash; every later append throws again, writing nothing.
  void CrashAt(int n, bool write_it) {
    crash_at_ = n;
    crash_writes_ = write_it;
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::string error_;
  std::mutex mutex_;
  int appends_ = 0;
  int crash_at_ = -1;
  bool crash_writes_ = true;
  bool crashed_ = false;
};

/// A journal in memory, for tests; it can simulate a crash like FileJournal.
class MemoryJournal : public Journal {
 public:
  std::string Append(JournalRecord record) override;
  void CrashAt(int n, bool write_it) {
    crash_at_ = n;
    crash_writes_ = write_it;
  }
  std::vector<JournalRecord> records() const;

 private:
  mutable std::mutex mutex_;
  std::vector<JournalRecord> records_;
  int crash_at_ = -1;
  bool crash_writes_ = true;
  bool crashed_ = false;
};

/// The journal's format version, written in the header line.
inline constexpr int kJournalFormatVersion = 1;

/// The header record of a journal.
JournalRecord JournalHeader(const std::string& run_id, const std::string& plan_path);

/// Encodes one record as its JSON line (without the newline), secrets digested.
std::string JournalRecordToLine(const JournalRecord& record);

/// Reads a journal file. A last line cut short by a crash is ignored; any other bad line, a
/// missing header or a newer format is an error (false, `*error`).
bool ReadJournal(const std::string& path, std::vector<JournalRecord>* records,
                 std::string* error);

}  // namespace upgrade
