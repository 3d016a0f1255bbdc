// The journal: JSON lines appended with group commit, and read back for resume/rollback.
#include "executor/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>

#include "lang/value_json.h"
#include "lang/json_text.h"
#include "state/atomic_file.h"

namespace upgrade {
namespace {

constexpr const char* kFormatName = "upgrade-journal";

// Where the last record the calling thread appended ends, and in which journal: what
// SyncWritten has to make durable.
thread_local const FileJournal* last_journal = nullptr;
thread_local int64_t last_record_end = 0;

// Writes all of `bytes` at `offset`, retrying short writes and EINTR; false on an error (errno).
bool WriteAt(int fd, std::string_view bytes, int64_t offset) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t wrote = pwrite(fd, bytes.data() + done, bytes.size() - done,
                           offset + static_cast<int64_t>(done));
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return false;
    done += static_cast<size_t>(wrote);
  }
  return true;
}

std::optional<JournalRecord> RecordFromJson(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("type") || !json["type"].is_string()) {
    return std::nullopt;
  }
  JournalRecord record;
  for (auto it = json.begin(); it != json.end(); ++it) {
    const std::string& key = it.key();
    if (key == "type" || key == "time" || key == "step" || key == "op" || key == "text") {
      if (!it.value().is_string()) return std::nullopt;
      std::string value = it.value().get<std::string>();
      if (key == "type") record.type = value;
      if (key == "time") record.time = value;
      if (key == "step") record.step = value;
      if (key == "op") record.op = value;
      if (key == "text") record.text = value;
    } else {
      record.data[key] = ValueFromJson(it.value());
    }
  }
  return record;
}

}  // namespace

const Value& JournalRecord::Get(const std::string& key) const {
  static const Value kNull;
  auto it = data.find(key);
  return it == data.end() ? kNull : it->second;
}

std::string JournalRecord::GetString(const std::string& key) const {
  const Value& value = Get(key);
  return value.is_string() ? value.as_string() : "";
}

// Written directly as text (nlohmann's compact dump of the same object, keys in the same
// sorted order): parallel steps encode several records each, and building a json tree per
// record was most of the executor's own time.
std::string JournalRecordToLine(const JournalRecord& record) {
  std::map<std::string_view, const std::string*> fields = {{"time", &record.time},
                                                           {"type", &record.type}};
  if (!record.step.empty()) fields["step"] = &record.step;
  if (!record.op.empty()) fields["op"] = &record.op;
  if (!record.text.empty()) fields["text"] = &record.text;
  std::string line;
  line.reserve(256);
  JsonWriter json(line);
  json.BeginObject();
  auto field = fields.begin();
  auto data = record.data.begin();
  while (field != fields.end() || data != record.data.end()) {
    bool field_first = data == record.data.end() ||
                       (field != fields.end() && field->first < std::string_view(data->first));
    if (field_first) {
      json.Member(field->first, *field->second);
      ++field;
      continue;
    }
    if (field != fields.end() && field->first == data->first) ++field;  // data wins, as before
    json.Key(data->first);
    json.Digested(data->second);
    ++data;
  }
  json.EndObject();
  return line;
}

JournalRecord JournalHeader(const std::string& run_id, const std::string& plan_path) {
  JournalRecord header;
  header.type = "header";
  header.data["format"] = Value(kFormatName);
  header.data["version"] = Value(kJournalFormatVersion);
  header.data["run"] = Value(run_id);
  header.data["plan"] = Value(plan_path);
  return header;
}

FileJournal::FileJournal(std::string path) : path_(std::move(path)) {
  fd_ = open(path_.c_str(), O_RDWR | O_CLOEXEC);
  bool created = fd_ < 0 && errno == ENOENT;
  if (created) fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    error_ = "cannot open journal " + path_ + ": " + std::strerror(errno);
    return;
  }
  // A new journal's name is on disk before any record is: syncing the records alone would
  // not keep the file they are in.
  if (created && !SyncParentDirectory(path_, &error_)) return;
  // Resume appends to an earlier run's journal, after its last whole record: the zeros laid
  // down ahead and a record torn by a power loss (never synced, so never relied on) are written
  // over. Any sync flushes the earlier part too.
  std::string ignored;
  std::string text = ReadWholeFile(path_, &ignored).value_or("");
  laid_down_ = static_cast<int64_t>(text.size());
  text.resize(std::min(text.size(), text.find('\0')));
  size_t last_newline = text.rfind('\n');
  written_ = durable_ = last_newline == std::string::npos ? 0 : last_newline + 1;
  if (written_ < static_cast<int64_t>(text.size()) &&
      !WriteAt(fd_, std::string(text.size() - written_, '\0'), written_)) {
    error_ = "cannot write journal " + path_ + ": " + std::strerror(errno);
  }
}

FileJournal::~FileJournal() {
  if (fd_ < 0) return;
  // Cut the zeros off a journal that is done with; after a crash (simulated here) they stay.
  if (!crashed_ && ftruncate(fd_, written_) != 0) {
    // Harmless: readers stop at the first zero byte.
  }
  close(fd_);
}

// Makes sure `bytes` more fit before the zeros run out, laying down more zeros when not. They
// are only written here; the next sync puts them on disk with the records it syncs.
bool FileJournal::EnsureRoomFor(size_t bytes) {
  constexpr int64_t kLayDownBytes = 1 << 20;
  if (written_ + static_cast<int64_t>(bytes) <= laid_down_) return true;
  int64_t target = written_ + static_cast<int64_t>(bytes) + kLayDownBytes;
  static const std::string kZeros(64 << 10, '\0');
  while (laid_down_ < target) {
    size_t size = static_cast<size_t>(std::min<int64_t>(kZeros.size(), target - laid_down_));
    if (!WriteAt(fd_, std::string_view(kZeros).substr(0, size), laid_down_)) return false;
    laid_down_ += static_cast<int64_t>(size);
  }
  return true;
}

int FileJournal::syncs() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return syncs_;
}

void FileJournal::Crash(int records_written) {
  crashed_ = true;
  if (crash_kind_ == CrashKind::kPowerLoss && ftruncate(fd_, durable_) == 0) {
    written_ = laid_down_ = durable_;
  }
  throw SimulatedCrash{records_written};
}

std::string FileJournal::Write(const JournalRecord& record, Durability durability) {
  // Encoding is the costly part; parallel steps do it outside the lock.
  std::string line;
  if (record.time.empty()) {
    JournalRecord timed = record;
    timed.time = NowRfc3339();
    line = JournalRecordToLine(timed);
  } else {
    line = JournalRecordToLine(record);
  }
  line += '\n';
  std::unique_lock<std::mutex> lock(mutex_);
  if (crashed_) throw SimulatedCrash{appends_};
  if (fd_ < 0) return error_;
  ++appends_;
  bool crash = crash_at_ >= 0 && appends_ >= crash_at_;
  if (crash && !crash_writes_) Crash(appends_ - 1);
  if (!EnsureRoomFor(line.size()) || !WriteAt(fd_, line, written_)) {
    std::string error = "cannot write journal " + path_ + ": " + std::strerror(errno);
    // Never leave half a line for the next record to follow.
    if (ftruncate(fd_, written_) != 0) error_ = error;
    laid_down_ = written_;
    return error;
  }
  written_ += static_cast<int64_t>(line.size());
  last_journal = this;
  last_record_end = written_;
  if (crash) Crash(appends_);
  if (durability == Durability::kWritten) return "";
  return SyncThrough(lock, written_);
}

std::string FileJournal::SyncWritten() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (crashed_) throw SimulatedCrash{appends_};
  if (fd_ < 0) return error_;
  // Never past the records there are (another journal may have lived at this address).
  int64_t through = last_journal == this ? std::min(last_record_end, written_) : written_;
  return SyncThrough(lock, through);
}

// Group commit: the first appender to need a sync syncs everything written so far; the ones
// arriving meanwhile wait for it, or for the next sync when theirs came after it started.
std::string FileJournal::SyncThrough(std::unique_lock<std::mutex>& lock, int64_t offset) {
  while (durable_ < offset) {
    if (crashed_) throw SimulatedCrash{appends_};  // a simulated crash: nothing is synced now
    // After a failed fdatasync the kernel may have dropped the pages: never trust the file again.
    if (!sync_error_.empty()) return sync_error_;
    if (syncing_) {
      synced_.wait(lock);
      continue;
    }
    syncing_ = true;
    int64_t target = written_;
    lock.unlock();
    int code = fdatasync(fd_);
    int sync_errno = errno;
    lock.lock();
    syncing_ = false;
    ++syncs_;
    synced_.notify_all();
    if (crashed_) throw SimulatedCrash{appends_};  // the machine died during the sync
    if (code != 0) {
      sync_error_ = "cannot write journal " + path_ + ": " + std::strerror(sync_errno);
    } else {
      durable_ = std::max(durable_, target);
    }
  }
  return "";
}

std::string MemoryJournal::Write(const JournalRecord& written, Durability durability) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (crashed_) throw SimulatedCrash{static_cast<int>(records_.size())};
  bool crash = crash_at_ >= 0 && static_cast<int>(records_.size()) + 1 >= crash_at_;
  if (crash && !crash_writes_) {
    crashed_ = true;
    throw SimulatedCrash{static_cast<int>(records_.size())};
  }
  JournalRecord record = written;
  if (record.time.empty()) record.time = NowRfc3339();
  // Round-trip through the line format, so tests see exactly what a file would hold.
  record = *RecordFromJson(nlohmann::json::parse(JournalRecordToLine(record)));
  records_.push_back(std::move(record));
  if (crash) {
    crashed_ = true;
    throw SimulatedCrash{static_cast<int>(records_.size())};
  }
  if (durability == Durability::kWritten) return "";
  lock.unlock();  // the hook may look at the records
  if (on_sync_) on_sync_();
  return sync_error_;
}

std::string MemoryJournal::SyncWritten() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (crashed_) throw SimulatedCrash{static_cast<int>(records_.size())};
  }
  if (on_sync_) on_sync_();  // the hook may look at the records
  return sync_error_;
}

std::vector<JournalRecord> MemoryJournal::records() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return records_;
}

bool ReadJournal(const std::string& path, std::vector<JournalRecord>* records,
                 std::string* error) {
  std::string read_error;
  std::optional<std::string> text = ReadWholeFile(path, &read_error);
  if (!text) {
    *error = read_error.empty() ? "no journal at " + path : read_error;
    return false;
  }
  records->clear();
  text->resize(std::min(text->size(), text->find('\0')));  // the zeros laid down ahead
  std::istringstream lines(*text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    bool last = lines.peek() == EOF;
    bool complete = !last || (!text->empty() && text->back() == '\n');
    nlohmann::json json = nlohmann::json::parse(line, nullptr, false);
    std::optional<JournalRecord> record;
    if (!json.is_discarded()) record = RecordFromJson(json);
    if (!record || !complete) {
      if (last) break;  // torn by a crash in the middle of a write: it never happened
      *error = path + ":" + std::to_string(number) + ": journal is corrupt";
      return false;
    }
    records->push_back(std::move(*record));
  }
  if (records->empty() || records->front().type != "header" ||
      records->front().GetString("format") != kFormatName) {
    *error = path + ": not an upgrade journal (no header line)";
    return false;
  }
  const Value& version = records->front().Get("version");
  if (!version.is_number() || version.as_number() > kJournalFormatVersion) {
    *error = path + ": journal has a newer format than this upgrade understands";
    return false;
  }
  return true;
}

}  // namespace upgrade
