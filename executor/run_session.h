// Everything one apply, resume or rollback holds in its state directory: the lock, the run's
// folder with its journal and spdlog log, the blob store, and state.json, which is written once
// the run has ended. The commands open one session each.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "executor/journal.h"
#include "providers/provider.h"
#include "state/blob_store.h"
#include "state/lock.h"
#include "state/run_store.h"
#include "state/state_store.h"

namespace upgrade {

/// A locked state directory and, once chosen, one run in it.
class RunSession {
 public:
  ~RunSession();

  /// Locks `state_dir` (refused naming the holder; a dead holder's lock is taken over, and
  /// `*taken_over` says from whom). Also refuses a state.json that is corrupt or newer.
  static std::unique_ptr<RunSession> Open(const std::string& state_dir, std::string* error,
                                          std::optional<LockHolder>* taken_over);

  /// Starts a fresh run (its folder, journal and log).
  bool StartRun(std::string* error);
  /// Continues run `run_id` (appending to its journal and log).
  bool ContinueRun(const std::string& run_id, std::string* error);

  /// The context providers get: the blob store, the run's log, the run id.
  ProviderContext Context(const std::string& base_dir) const;
  /// Records `states` (of resources with `types`) into state.json.
  bool SaveStates(const std::map<std::string, State>& states,
                  const std::map<std::string, std::string>& types, std::string* error);

  const std::string& run_id() const { return run_id_; }
  const std::string& state_dir() const { return state_dir_; }
  RunStore& runs() { return runs_; }
  FileJournal& journal() { return *journal_; }
  FileBlobStore& blobs() { return blobs_; }
  /// Removes the run's folder (a run refused before it did anything).
  void DiscardRun();

 private:
  explicit RunSession(const std::string& state_dir);
  bool OpenRunFiles(std::string* error);

  std::string state_dir_;
  StateStore store_;
  StateFile state_;
  RunStore runs_;
  FileBlobStore blobs_;
  std::unique_ptr<StateLock> lock_;
  std::string run_id_;
  std::unique_ptr<FileJournal> journal_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace upgrade
