// A run's session: lock, run folder, journal, log, blobs and state.json.
#include "executor/run_session.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "state/atomic_file.h"

namespace upgrade {

RunSession::RunSession(const std::string& state_dir)
    : state_dir_(state_dir),
      store_(state_dir),
      runs_(state_dir),
      blobs_(state_dir + "/blobs") {}

RunSession::~RunSession() {
  if (log_) log_->flush();
}

std::unique_ptr<RunSession> RunSession::Open(const std::string& state_dir, std::string* error,
                                             std::optional<LockHolder>* taken_over) {
  std::unique_ptr<RunSession> session(new RunSession(state_dir));
  session->lock_ = StateLock::Acquire(state_dir, LockHolder::Current(""), error, taken_over);
  if (!session->lock_) return nullptr;
  if (!session->store_.Load(&session->state_, error)) return nullptr;
  return session;
}

bool RunSession::StartRun(std::string* error) {
  run_id_ = runs_.NewRun(error);
  if (run_id_.empty()) return false;
  return OpenRunFiles(error);
}

bool RunSession::ContinueRun(const std::string& run_id, std::string* error) {
  run_id_ = run_id;
  return OpenRunFiles(error);
}

bool RunSession::OpenRunFiles(std::string* error) {
  lock_->SetRun(run_id_);
  journal_ = std::make_unique<FileJournal>(runs_.JournalPath(run_id_));
  if (!journal_->error().empty()) {
    *error = journal_->error();
    return false;
  }
  try {
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(runs_.LogPath(run_id_));
    log_ = std::make_shared<spdlog::logger>("run", sink);
    log_->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    log_->flush_on(spdlog::level::info);
  } catch (const spdlog::spdlog_ex& e) {
    *error = std::string("cannot open the run log: ") + e.what();
    return false;
  }
  return true;
}

ProviderContext RunSession::Context(const std::string& base_dir) const {
  ProviderContext context;
  context.blobs = const_cast<FileBlobStore*>(&blobs_);
  context.log = log_.get();
  context.run_id = run_id_;
  context.base_dir = base_dir;
  return context;
}

bool RunSession::SaveStates(const std::map<std::string, State>& states,
                            const std::map<std::string, std::string>& types,
                            std::string* error) {
  std::string now = NowRfc3339();
  for (const auto& [name, state] : states) {
    auto type = types.find(name);
    if (type == types.end()) continue;
    if (!state.exists) {
      state_.resources.erase(name);
      continue;
    }
    ManagedResource& resource = state_.resources[name];
    resource.type = type->second;
    resource.state = state;
    resource.run_id = run_id_;
    resource.updated_at = now;
  }
  return store_.Save(&state_, error);
}

void RunSession::DiscardRun() {
  journal_.reset();
  log_.reset();
  std::error_code ignored;
  if (!run_id_.empty()) std::filesystem::remove_all(runs_.RunDir(run_id_), ignored);
}

}  // namespace upgrade
