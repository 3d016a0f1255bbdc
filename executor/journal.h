// The write-ahead journal of a run (`runs/<id>/journal.jsonl`): one JSON object per line, the
// first line a versioned header.
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
//
// Every record reaches the file (write(2)) before Append returns, so a killed process loses
// none. Durability against a power loss is asked for per record: a kSynced record is on disk,
// with every record before it, when Append returns (group commit: appenders waiting at once
// share one fdatasync). The executor syncs `prepared` before Apply and the end of a run; a
// record written but not yet synced can only be lost together with every record after it, and
// each such loss leaves an operation in doubt, which resume and rollback reverse.
//
// The file is written in place over zeros laid down ahead of the records (as databases lay down
// their write-ahead logs): once those blocks are on disk, an fdatasync only writes the new
// records, where a growing file would also commit its new size to the file system's own journal
// on every sync, which doubles the cost of each sync on ext4. A closed journal is cut back to its
// records; after a crash the zeros stay, and the records end at the first zero byte.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
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

/// Whether Append returns only once the record is safe from a power loss.
enum class Durability {
  kSynced,   ///< on disk, with every record before it
  kWritten,  ///< in the file (a killed process keeps it); on disk with the next kSynced one
};

/// Where the executor writes its records. Append returns an error text (empty on success); a
/// journal that cannot write stops the run, since nothing may change without its record.
class Journal {
 public:
  virtual ~Journal() = default;
  /// A record without a time gets the current one.
  std::string Append(const JournalRecord& record, Durability durability = Durability::kSynced) {
    return Write(record, durability);
  }
  /// Puts every record the calling thread has appended on disk, as a kSynced append would
  /// (sharing syncs with other threads): how a record appended kWritten is made durable later,
  /// once the caller has done work that must not wait for the disk.
  virtual std::string SyncWritten() = 0;

 protected:
  virtual std::string Write(const JournalRecord& record, Durability durability) = 0;
};

/// How a simulated crash ends the process (tests).
enum class CrashKind {
  kKill,       ///< the process dies: what was written stays in the file
  kPowerLoss,  ///< the machine dies: what was not synced yet is lost
};

/// The journal on disk: appends lines from parallel steps, syncing with group commit.
class FileJournal : public Journal {
 public:
  /// Opens (creating if needed) `path` for appending. Check `error()` afterwards.
  explicit FileJournal(std::string path);
  ~FileJournal() override;

  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }
  /// How many fdatasync calls were made (each may cover many records).
  int syncs() const;
  std::string SyncWritten() override;

  /// Test hook: at the `n`th append (1-based), write the record if `write_it`, then throw
  /// SimulatedCrash; every later append throws again, writing nothing. With kPowerLoss the
  /// file is cut back to what was synced.
  void CrashAt(int n, bool write_it, CrashKind kind = CrashKind::kKill) {
    crash_at_ = n;
    crash_writes_ = write_it;
    crash_kind_ = kind;
  }

 protected:
  std::string Write(const JournalRecord& record, Durability durability) override;

 private:
  [[noreturn]] void Crash(int records_written);
  std::string SyncThrough(std::unique_lock<std::mutex>& lock, int64_t offset);

  bool EnsureRoomFor(size_t bytes);

  std::string path_;
  int fd_ = -1;
  std::string error_;
  mutable std::mutex mutex_;
  std::condition_variable synced_;
  int64_t written_ = 0;   // bytes of records in the file
  int64_t laid_down_ = 0; // bytes of the file: the records, then zeros
  int64_t durable_ = 0;   // bytes known to be on disk
  bool syncing_ = false;  // an appender is in fdatasync
  std::string sync_error_;
  int syncs_ = 0;
  int appends_ = 0;
  int crash_at_ = -1;
  bool crash_writes_ = true;
  CrashKind crash_kind_ = CrashKind::kKill;
  bool crashed_ = false;
};

/// A journal in memory, for tests; it can simulate a crash like FileJournal.
class MemoryJournal : public Journal {
 public:
  void CrashAt(int n, bool write_it) {
    crash_at_ = n;
    crash_writes_ = write_it;
  }
  std::vector<JournalRecord> records() const;
  /// Called for every sync a file journal would make (a kSynced append, SyncWritten).
  void OnSync(std::function<void()> on_sync) { on_sync_ = std::move(on_sync); }
  /// Makes every sync from now on fail with `error`, as a disk that stopped writing would.
  void FailSyncs(std::string error) { sync_error_ = std::move(error); }
  std::string SyncWritten() override;

 protected:
  std::string Write(const JournalRecord& record, Durability durability) override;

 private:
  mutable std::mutex mutex_;
  std::vector<JournalRecord> records_;
  std::function<void()> on_sync_;
  std::string sync_error_;
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
