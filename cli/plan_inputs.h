// What the commands that load a plan share (plan, apply, graph): reading `--var` and
// `--var-file` into typed inputs, loading and checking the program with them, the default
// providers and state directory, and whether to use colors.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lang/diagnostic.h"
#include "lang/ir.h"
#include "providers/registry.h"

namespace CLI {
class App;
}  // namespace CLI

namespace upgrade::cli {

/// A plan file loaded and checked with the inputs the command line gave.
struct LoadedProgram {
  std::shared_ptr<const Program> program;
  std::map<std::string, Value> inputs;          ///< given with --var / --var-file, typed
  std::map<std::string, std::string> sources;   ///< path -> text of the plan and its imports
};

/// Converts the text of a `--var` value to the type `type` declares ("", "string", "number",
/// "bool", "duration", "list", "map"; lists and maps are written in JSON). Sets `*error`.
std::optional<Value> ParseInputValue(const std::string& text, const std::string& type,
                                     std::string* error);

/// Reads `--var NAME=VALUE` items and the `--var-file` (a JSON object, or `name = value` lines)
/// into inputs typed by the inputs `program` declares. Problems go to `diagnostics`.
/// Adds `--var NAME=VALUE` (repeatable; `var_help` says what it is for) and `--var-file F` to
/// `command`, read later by ReadVars.
void AddInputOptions(CLI::App* command, std::vector<std::string>* vars, std::string* var_file,
                     const std::string& var_help = "An input value, NAME=VALUE (repeatable)");

std::map<std::string, Value> ReadVars(const Program& program, const std::vector<std::string>& vars,
                                      const std::string& var_file, Diagnostics& diagnostics);

/// Parses and checks the plan at `path` with its inputs. Every file read goes to `cache` for
/// rendering diagnostics. nullopt when there are errors.
std::optional<LoadedProgram> LoadProgramWithVars(const std::string& path,
                                                 const std::vector<std::string>& vars,
                                                 const std::string& var_file,
                                                 const ProviderRegistry& providers,
                                                 Diagnostics& diagnostics, SourceCache& cache);

/// `--state DIR` if given, else `.upgrade` beside the plan file.
std::string StateDirFor(const std::string& plan_path, const std::string& state_flag);

/// True when `fd` is a terminal, NO_COLOR is unset and `--no-color` was not given.
bool UseColor(int fd, bool no_color_flag);

/// Renders `diagnostics` to standard error (colored when it is a terminal).
void PrintDiagnostics(const Diagnostics& diagnostics, SourceCache& cache, bool no_color_flag);

}  // namespace upgrade::cli
