// The runs of a state directory: `runs/<id>/` holds one apply's journal.jsonl, plan.json and
// log. Run ids sort by time: "20261121T091500Z-3f2a".
#pragma once

#include <string>
#include <vector>

namespace upgrade {

/// Names and finds run folders under a state directory.
class RunStore {
 public:
  explicit RunStore(std::string state_dir);

  /// A fresh run id (UTC time, then random) and its folder, created.
  std::string NewRun(std::string* error);
  std::string RunDir(const std::string& run_id) const;
  std::string JournalPath(const std::string& run_id) const;
  std::string PlanPath(const std::string& run_id) const;
  std::string LogPath(const std::string& run_id) const;
  /// Every run id with a journal, oldest first.
  std::vector<std::string> ListRuns() const;

 private:
  std::string state_dir_;
};

}  // namespace upgrade
