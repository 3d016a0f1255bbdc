// Run folders: creation with sortable ids, and listing.
#include "state/run_store.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>

#include "state/atomic_file.h"
#include "state/state_store.h"

namespace upgrade {

RunStore::RunStore(std::string state_dir) : state_dir_(std::move(state_dir)) {}

std::string RunStore::NewRun(std::string* error) {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  std::string id = std::string(stamp) + "-" + RandomHex(2);
  if (!MakeDirectories(RunDir(id), error)) return "";
  return id;
}

std::string RunStore::RunDir(const std::string& run_id) const {
  return state_dir_ + "/runs/" + run_id;
}
std::string RunStore::JournalPath(const std::string& run_id) const {
  return RunDir(run_id) + "/journal.jsonl";
}
std::string RunStore::PlanPath(const std::string& run_id) const {
  return RunDir(run_id) + "/plan.json";
}
std::string RunStore::LogPath(const std::string& run_id) const { return RunDir(run_id) + "/log"; }

std::vector<std::string> RunStore::ListRuns() const {
  std::vector<std::string> runs;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(state_dir_ + "/runs", ec)) {
    if (std::filesystem::exists(entry.path() / "journal.jsonl")) {
      runs.push_back(entry.path().filename().string());
    }
  }
  std::sort(runs.begin(), runs.end());
  return runs;
}

}  // namespace upgrade
