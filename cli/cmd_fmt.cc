// `upgrade fmt [--check] [--diff] PATH...`: rewrites plan files in canonical layout (folders are
// searched for *.upg; `-` formats standard input to standard output). It prints the files it
// changed; with `--check` it changes nothing, names the files that would change and exits 1 if
// any would; `--diff` shows the changes as a unified diff.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "lang/format.h"
#include "lang/source.h"

namespace upgrade::cli {
namespace {

/// Colors only for a terminal, and never with NO_COLOR set or --no-color given.
bool ColorOnStderr(bool no_color_flag) {
  return !no_color_flag && std::getenv("NO_COLOR") == nullptr && isatty(STDERR_FILENO) == 1;
}

/// The command line of `upgrade fmt`.
struct FmtFlags {
  std::vector<std::string> paths;
  bool check = false;
  bool diff = false;
  bool no_color = false;
};

/// The plan files named by `paths`: files as given, folders searched for *.upg (sorted).
std::vector<std::string> CollectFiles(const std::vector<std::string>& paths, bool* ok) {
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code error;
    if (path == "-" || !std::filesystem::is_directory(path, error)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    for (auto it = std::filesystem::recursive_directory_iterator(path, error);
         !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
      if (it->is_regular_file() && it->path().extension() == ".upg") {
        found.push_back(it->path().string());
      }
    }
    if (error) {
      std::cerr << "error: cannot read folder " << path << ": " << error.message() << "\n";
      *ok = false;
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

int RunFmt(const FmtFlags& flags) {
  bool ok = true;
  bool would_change = false;
  for (const auto& file : CollectFiles(flags.paths, &ok)) {
    std::optional<std::string> text;
    if (file == "-") {
      std::stringstream input;
      input << std::cin.rdbuf();
      text = input.str();
    } else {
      text = ReadSourceFile(file);
      if (!text) {
        std::cerr << "error: cannot read " << file << "\n";
        ok = false;
        continue;
      }
    }
    Diagnostics diagnostics;
    std::optional<std::string> formatted = FormatPlan(file, *text, diagnostics);
    if (!formatted) {
      SourceCache sources;
      sources.Add(file, *text);
      std::cerr << RenderDiagnostics(diagnostics, sources, ColorOnStderr(flags.no_color));
      ok = false;
      continue;
    }
    if (file == "-") {
      std::cout << *formatted;
      continue;
    }
    if (*formatted == *text) continue;
    would_change = true;
    std::cout << file << "\n";
    if (flags.diff) std::cout << UnifiedDiff(file, *text, *formatted);
    if (flags.check) continue;
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << *formatted;
    if (!out.flush()) {
      std::cerr << "error: cannot write " << file << "\n";
      ok = false;
    }
  }
  if (!ok) return 1;
  return flags.check && would_change ? 1 : 0;
}

}  // namespace

void AddFmtCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<FmtFlags>();
  CLI::App* fmt = app.add_subcommand("fmt", "Rewrite plan files in canonical layout");
  fmt->add_option("PATH", flags->paths, "Plan files or folders; - for standard input")->required();
  fmt->add_flag("--check", flags->check, "Change nothing; exit 1 if any file would change");
  fmt->add_flag("--diff", flags->diff, "Show the changes as a unified diff");
  fmt->add_flag("--no-color", flags->no_color, "Never color the output");
  fmt->callback([flags, exit_code] { *exit_code = RunFmt(*flags); });
}

}  // namespace upgrade::cli
