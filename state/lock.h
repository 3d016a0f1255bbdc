// The lock of a state directory: one apply or rollback at a time. The lock file names its
// holder (host, pid, user, run, time) so a refused operator knows whom to ask; an flock(2) on
// it is what actually holds it, so the kernel lets go when the holder dies, even by kill -9,
// and the next run takes the lock over safely.
#pragma once

#include <memory>
#include <optional>
#include <string>

namespace upgrade {

/// Who holds (or held) a lock.
struct LockHolder {
  std::string host;
  long pid = 0;
  std::string user;
  std::string run_id;
  std::string since;  ///< RFC 3339, UTC

  /// "user@host, pid 123, run R, since T".
  std::string Describe() const;
  /// This process, for run `run_id`.
  static LockHolder Current(const std::string& run_id);
};

/// A held lock; released when destroyed.
class StateLock {
 public:
  ~StateLock();
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;

  /// Takes the lock of state directory `dir` for `holder`. When a live process holds it,
  /// returns nullptr with `*error` naming the holder. When the recorded holder is gone, takes
  /// it over and sets `*previous` to whom it was taken from.
  static std::unique_ptr<StateLock> Acquire(const std::string& dir, const LockHolder& holder,
                                            std::string* error,
                                            std::optional<LockHolder>* previous = nullptr);

  /// The holder recorded in `dir`'s lock file, if any, and whether a live process holds it.
  static std::optional<LockHolder> ReadHolder(const std::string& dir, bool* held);

  /// Removes `dir`'s lock whoever holds it; false and `*error` when there is none.
  static bool ForceUnlock(const std::string& dir, std::optional<LockHolder>* removed,
                          std::string* error);

  /// Records `run_id` as the holder's run (once the run has its id).
  void SetRun(const std::string& run_id);

 private:
  StateLock(std::string path, int fd, LockHolder holder);
  std::string path_;
  int fd_;
  LockHolder holder_;
};

}  // namespace upgrade
