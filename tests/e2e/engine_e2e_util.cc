// Helpers for the engine's end-to-end tests.
#include "tests/e2e/engine_e2e_util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "tests/support/test_support.h"

namespace upgrade::testing {

std::map<std::string, std::string> TreeOf(const std::string& root) {
  namespace fs = std::filesystem;
  std::map<std::string, std::string> tree;
  if (!fs::exists(root)) return tree;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    std::string path = it->path().string();
    struct stat st {};
    lstat(path.c_str(), &st);
    std::ostringstream entry;
    entry << std::oct << (st.st_mode & 07777) << " ";
    if (S_ISLNK(st.st_mode)) {
      entry << "link -> " << fs::read_symlink(it->path()).string();
    } else if (S_ISDIR(st.st_mode)) {
      entry << "dir";
    } else {
      entry << "file " << ReadFile(path);
    }
    tree[fs::relative(it->path(), root).string()] = entry.str();
  }
  return tree;
}

pid_t Spawn(const std::vector<std::string>& argv, const std::string& log) {
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  setpgid(pid, pid);
  return pid;
}

bool WaitForJournalLine(const std::string& state_dir, const std::vector<std::string>& needles,
                        int seconds) {
  namespace fs = std::filesystem;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    for (const auto& run : fs::directory_iterator(state_dir + "/runs", ec)) {
      std::string journal = run.path().string() + "/journal.jsonl";
      if (!fs::exists(journal)) continue;
      std::istringstream lines(ReadFile(journal));
      std::string line;
      while (std::getline(lines, line)) {
        bool all = true;
        for (const auto& needle : needles) all = all && line.find(needle) != std::string::npos;
        if (all) return true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string AllBytesUnder(const std::string& dir) {
  namespace fs = std::filesystem;
  std::string all;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) all += ReadFile(entry.path().string()) + "\n";
  }
  return all;
}

}  // namespace upgrade::testing
