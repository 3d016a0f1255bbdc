// `upgrade validate FILE...`: parses and checks plan files against the schemas of every provider
// upgrade ships, without touching any system. Exit 0 when no file has errors (warnings do not
// fail), 1 otherwise; `--json` prints the diagnostics for editors and CI.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "lang/loader.h"
#include "providers/registry.h"

namespace upgrade::cli {
namespace {

/// Colors only for a terminal, and never with NO_COLOR set or --no-color given.
bool ColorOnStderr(bool no_color_flag) {
  return !no_color_flag && std::getenv("NO_COLOR") == nullptr && isatty(STDERR_FILENO) == 1;
}

/// The command line of `upgrade validate`.
struct ValidateFlags {
  std::vector<std::string> files;
  bool json = false;
  bool no_color = false;
};

nlohmann::json DiagnosticJson(const Diagnostic& diagnostic) {
  static const char* kSeverity[] = {"error", "warning", "note"};
  nlohmann::json out = {
      {"severity", kSeverity[static_cast<int>(diagnostic.severity)]},
      {"path", diagnostic.range.begin.path},
      {"line", diagnostic.range.begin.line},
      {"column", diagnostic.range.begin.column},
      {"end_column", diagnostic.range.end_column},
      {"message", diagnostic.message},
  };
  nlohmann::json notes = nlohmann::json::array();
  for (const auto& note : diagnostic.notes) notes.push_back(DiagnosticJson(note));
  out["notes"] = notes;
  return out;
}

std::string Count(int n, const char* what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

int RunValidate(const ValidateFlags& flags) {
  SchemaRegistry registry = MakeDefaultProviders()->Schemas();
  nlohmann::json files = nlohmann::json::array();
  nlohmann::json all = nlohmann::json::array();
  int errors = 0, warnings = 0;
  for (const auto& file : flags.files) {
    Diagnostics diagnostics;
    SourceCache sources;
    CheckOptions options;
    auto program = LoadProgram(file, registry, options, diagnostics, sources);
    int file_errors = diagnostics.ErrorCount();
    int file_warnings = static_cast<int>(diagnostics.items().size()) - file_errors;
    errors += file_errors;
    warnings += file_warnings;
    if (flags.json) {
      files.push_back({{"path", file}, {"valid", file_errors == 0 && program.has_value()}});
      for (const auto& diagnostic : diagnostics.items()) all.push_back(DiagnosticJson(diagnostic));
      continue;
    }
    std::cerr << RenderDiagnostics(diagnostics, sources, ColorOnStderr(flags.no_color));
    std::string summary = file_errors == 0 ? "valid" : Count(file_errors, "error");
    if (file_warnings > 0) summary += ", " + Count(file_warnings, "warning");
    std::cout << file << ": " << summary << "\n";
  }
  if (flags.json) {
    nlohmann::json out = {{"valid", errors == 0},
                          {"error_count", errors},
                          {"warning_count", warnings},
                          {"files", files},
                          {"diagnostics", all}};
    std::cout << out.dump(2) << "\n";
  }
  return errors == 0 ? 0 : 1;
}

}  // namespace

void AddValidateCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ValidateFlags>();
  CLI::App* validate = app.add_subcommand("validate", "Check plan files without touching any system");
  validate->add_option("FILE", flags->files, "Plan files (.upg)")->required();
  validate->add_flag("--json", flags->json, "Print the diagnostics as JSON");
  validate->add_flag("--no-color", flags->no_color, "Never color the output");
  validate->callback([flags, exit_code] { *exit_code = RunValidate(*flags); });
}

}  // namespace upgrade::cli
