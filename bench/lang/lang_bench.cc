// The language benchmark: parse and check generated plans of N steps, each in a fresh child
// process so that its peak resident memory is its own. Prints a Markdown table; the numbers go
// into the Language section of docs/performance.md.
//   lang_bench [N...]          (default: 1000 2500 5000 10000 20000)
//   lang_bench --emit N        (prints the generated plan)
//   lang_bench --load FILE     (parses and checks FILE once, in this process: for profilers)
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "bench/lang/plan_generator.h"
#include "lang/loader.h"
#include "tests/lang/test_registry.h"

namespace {

double CpuMs() {
  timespec now {};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return now.tv_sec * 1e3 + now.tv_nsec / 1e6;
}

/// Parses and checks `path` three times; the median wall and CPU times in milliseconds as
/// "WALL CPU", or "" on errors. CPU time is what to compare on a shared machine.
std::string MedianLoadMs(const std::string& path) {
  upgrade::SchemaRegistry registry = upgrade::testing::MakeTestRegistry();
  std::vector<double> walls, cpus;
  for (int run = 0; run < 3; ++run) {
    upgrade::Diagnostics diagnostics;
    upgrade::SourceCache sources;
    auto start = std::chrono::steady_clock::now();
    double cpu_start = CpuMs();
    auto program = upgrade::LoadProgram(path, registry, {}, diagnostics, sources);
    cpus.push_back(CpuMs() - cpu_start);
    auto end = std::chrono::steady_clock::now();
    if (!program || diagnostics.HasErrors()) {
      std::cerr << upgrade::RenderDiagnostics(diagnostics, sources, false);
      return "";
    }
    walls.push_back(std::chrono::duration<double, std::milli>(end - start).count());
  }
  std::sort(walls.begin(), walls.end());
  std::sort(cpus.begin(), cpus.end());
  char text[64];
  std::snprintf(text, sizeof text, "%8.1f ms | %8.1f ms", walls[1], cpus[1]);
  return text;
}

/// Parses and checks `path` once; 0 when it is a valid plan. Meant for running under a profiler.
int LoadOnce(const std::string& path) {
  upgrade::SchemaRegistry registry = upgrade::testing::MakeTestRegistry();
  upgrade::Diagnostics diagnostics;
  upgrade::SourceCache sources;
  auto program = upgrade::LoadProgram(path, registry, {}, diagnostics, sources);
  if (!program || diagnostics.HasErrors()) {
    std::cerr << upgrade::RenderDiagnostics(diagnostics, sources, false);
    return 1;
  }
  std::printf("%zu steps, %zu resources\n", program->steps.size(), program->resources.size());
  return 0;
}

/// Runs one size in a child; returns false when the child failed.
bool Measure(int steps) {
  std::string text = upgrade::bench::GeneratePlan(steps);
  std::string path = "/tmp/upgrade-lang-bench-" + std::to_string(getpid()) + ".upg";
  std::ofstream(path) << text;
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return false;
  pid_t child = fork();
  if (child == 0) {
    close(pipe_fds[0]);
    std::string times = MedianLoadMs(path);
    dprintf(pipe_fds[1], "%s", times.c_str());
    _exit(times.empty() ? 1 : 0);
  }
  close(pipe_fds[1]);
  char buffer[64] = {};
  ssize_t got = read(pipe_fds[0], buffer, sizeof buffer - 1);
  close(pipe_fds[0]);
  int status = 0;
  struct rusage usage {};
  wait4(child, &status, 0, &usage);
  std::remove(path.c_str());
  if (got <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return false;
  std::printf("| %6d | %7.0f KiB | %s | %7.1f MiB |\n", steps, text.size() / 1024.0, buffer,
              usage.ru_maxrss / 1024.0);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--emit") {
    std::cout << upgrade::bench::GeneratePlan(std::atoi(argv[2]));
    return 0;
  }
  if (argc == 3 && std::string(argv[1]) == "--load") return LoadOnce(argv[2]);
  std::vector<int> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::atoi(argv[i]));
  if (sizes.empty()) sizes = {1000, 2500, 5000, 10000, 20000};
  std::printf("| steps  | plan size   | parse+check (wall) | parse+check (CPU) | peak RSS    |\n");
  std::printf("|-------:|------------:|-----------:|-----------:|------------:|\n");
  for (int steps : sizes) {
    if (!Measure(steps)) {
      std::fprintf(stderr, "lang_bench: the %d-step plan failed\n", steps);
      return 1;
    }
  }
  return 0;
}
