// The front door of `lang/`: read a plan file, parse it, merge its imports and check it.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "lang/diagnostic.h"
#include "lang/ir.h"
#include "lang/schema.h"

namespace upgrade {

/// How strictly to check a plan.
struct CheckOptions {
  /// Inputs given on the command line (`--var`, `--var-file`); a required input missing from
  /// here is an error only when `require_inputs` is set (plan and apply set it; validate not).
  std::map<std::string, Value> given_inputs;
  bool require_inputs = false;
  /// Where `import "name"` finds the ready-made plans (the stdlib-plans folder).
  std::string stdlib_dir;
  /// When set, gives `given_inputs` from the main file as parsed, before it is checked: the
  /// command line's `--var` values are typed by the inputs the file declares. Problems go to
  /// the diagnostics it is handed, and stop the load.
  std::function<std::map<std::string, Value>(const Program&, Diagnostics&)> read_inputs;
};

/// Parses `text` as the plan file `path` without checking names or types. Syntax errors go to
/// `diagnostics`; nullopt when the file could not be parsed.
std::optional<Program> ParseProgram(const std::string& path, const std::string& text,
                                    Diagnostics& diagnostics);

/// Reads, parses and checks the plan at `path` with its imports. Every problem found goes to
/// `diagnostics` (and every file read to `sources`, for rendering; a file whose text `sources`
/// holds already is taken from there, not read again); nullopt on any error.
std::optional<Program> LoadProgram(const std::string& path, const SchemaRegistry& registry,
                                   const CheckOptions& options, Diagnostics& diagnostics,
                                   SourceCache& sources);

}  // namespace upgrade
