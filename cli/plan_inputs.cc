// Loading a plan with its command-line inputs, and the small decisions every command shares.
#include "cli/plan_inputs.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "lang/loader.h"
#include "lang/value_json.h"

namespace upgrade::cli {
namespace {

std::optional<Duration> ParseDuration(const std::string& text) {
  size_t i = 0;
  long long total = 0;
  if (text.empty()) return std::nullopt;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start) return std::nullopt;
    long long n = std::stoll(text.substr(start, i - start));
    std::string unit;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) unit += text[i++];
    if (unit == "ms") total += n;
    else if (unit == "s") total += n * 1000;
    else if (unit == "m") total += n * 60000;
    else if (unit == "h") total += n * 3600000;
    else return std::nullopt;
  }
  return Duration(total);
}

std::string Trim(const std::string& s) {
  size_t begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  size_t end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

const std::string& TypeOf(const Program& program, const std::string& name) {
  static const std::string kNone;
  const Input* input = program.FindInput(name);
  return input ? input->type : kNone;
}

/// One `name = value` (or JSON member) read into `out`, typed by the program's inputs.
void AddVar(const Program& program, const std::string& name, const nlohmann::json& raw,
            const SourceRange& where, std::map<std::string, Value>& out,
            Diagnostics& diagnostics) {
  std::string error;
  std::optional<Value> value;
  if (raw.is_string()) {
    value = ParseInputValue(raw.get<std::string>(), TypeOf(program, name), &error);
  } else {
    value = ValueFromJson(raw);
  }
  if (!value) {
    diagnostics.Error(where, "invalid value for input '" + name + "': " + error);
    return;
  }
  out[name] = std::move(*value);
}

void ReadVarFile(const Program& program, const std::string& path,
                 std::map<std::string, Value>& out, Diagnostics& diagnostics) {
  SourceRange where;
  where.begin.path = path;
  std::optional<std::string> text = ReadSourceFile(path);
  if (!text) {
    diagnostics.Error(where, std::string("cannot read var file: ") + std::strerror(errno));
    return;
  }
  if (Trim(*text).rfind('{', 0) == 0) {
    nlohmann::json json = nlohmann::json::parse(*text, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
      diagnostics.Error(where, "var file is not a JSON object");
      return;
    }
    for (const auto& [name, value] : json.items()) AddVar(program, name, value, where, out, diagnostics);
    return;
  }
  std::istringstream lines(*text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    std::string content = Trim(line);
    if (content.empty() || content[0] == '#') continue;
    where.begin.line = number;
    where.begin.column = 1;
    size_t eq = content.find('=');
    if (eq == std::string::npos) {
      diagnostics.Error(where, "expected NAME = VALUE");
      continue;
    }
    std::string value = Trim(content.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      nlohmann::json unquoted = nlohmann::json::parse(value, nullptr, false);
      if (unquoted.is_string()) value = unquoted.get<std::string>();
    }
    AddVar(program, Trim(content.substr(0, eq)), value, where, out, diagnostics);
  }
}

}  // namespace

std::optional<Value> ParseInputValue(const std::string& text, const std::string& type,
                                     std::string* error) {
  if (type.empty() || type == "string") return Value(text);
  if (type == "number") {
    char* end = nullptr;
    double n = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0') {
      *error = "expected a number, got \"" + text + "\"";
      return std::nullopt;
    }
    return Value(n);
  }
  if (type == "bool") {
    if (text == "true") return Value(true);
    if (text == "false") return Value(false);
    *error = "expected true or false, got \"" + text + "\"";
    return std::nullopt;
  }
  if (type == "duration") {
    if (auto d = ParseDuration(text)) return Value(*d);
    *error = "expected a duration such as 30s or 2m, got \"" + text + "\"";
    return std::nullopt;
  }
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  bool fits = type == "list" ? json.is_array() : json.is_object();
  if (json.is_discarded() || !fits) {
    *error = "expected a " + type + " in JSON, got \"" + text + "\"";
    return std::nullopt;
  }
  return ValueFromJson(json);
}

void AddInputOptions(CLI::App* command, std::vector<std::string>* vars, std::string* var_file,
                     const std::string& var_help) {
  command->add_option("--var", *vars, var_help);
  command->add_option("--var-file", *var_file, "Input values: a JSON object or NAME = VALUE lines");
}

std::map<std::string, Value> ReadVars(const Program& program, const std::vector<std::string>& vars,
                                      const std::string& var_file, Diagnostics& diagnostics) {
  std::map<std::string, Value> out;
  if (!var_file.empty()) ReadVarFile(program, var_file, out, diagnostics);
  for (const std::string& var : vars) {
    size_t eq = var.find('=');
    if (eq == std::string::npos || eq == 0) {
      diagnostics.Error(SourceRange{}, "--var needs NAME=VALUE, got '" + var + "'");
      continue;
    }
    AddVar(program, var.substr(0, eq), var.substr(eq + 1), SourceRange{}, out, diagnostics);
  }
  return out;
}

std::optional<LoadedProgram> LoadProgramWithVars(const std::string& path,
                                                 const std::vector<std::string>& vars,
                                                 const std::string& var_file,
                                                 const ProviderRegistry& providers,
                                                 Diagnostics& diagnostics, SourceCache& cache) {
  std::string absolute = std::filesystem::absolute(path).lexically_normal().string();
  std::optional<std::string> text = ReadSourceFile(absolute);
  if (!text) {
    diagnostics.Error(SourceRange{{path, 0, 0}, 0},
                      std::string("cannot read plan file: ") + std::strerror(errno));
    return std::nullopt;
  }
  cache.Add(absolute, *text);  // the loader parses it from there rather than reading it again
  LoadedProgram loaded;
  CheckOptions options;
  options.require_inputs = true;
  // --var values are typed by the inputs the plan declares, read from it as parsed.
  options.read_inputs = [&](const Program& parsed, Diagnostics& found) {
    loaded.inputs = ReadVars(parsed, vars, var_file, found);
    return loaded.inputs;
  };
  if (const char* stdlib = std::getenv("UPGRADE_STDLIB_DIR")) options.stdlib_dir = stdlib;
  std::optional<Program> program =
      LoadProgram(absolute, providers.Schemas(), options, diagnostics, cache);
  if (!program || diagnostics.HasErrors()) return std::nullopt;
  loaded.sources[absolute] = std::move(*text);
  for (const Import& import : program->imports) {
    if (const std::string* imported = cache.Text(import.resolved_path))
      loaded.sources[import.resolved_path] = *imported;
  }
  loaded.program = std::make_shared<const Program>(std::move(*program));
  return loaded;
}

std::string StateDirFor(const std::string& plan_path, const std::string& state_flag) {
  if (!state_flag.empty()) return std::filesystem::absolute(state_flag).lexically_normal().string();
  std::filesystem::path plan = std::filesystem::absolute(plan_path).lexically_normal();
  return (plan.parent_path() / ".upgrade").string();
}

bool UseColor(int fd, bool no_color_flag) {
  if (no_color_flag) return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return isatty(fd) == 1;
}

void PrintDiagnostics(const Diagnostics& diagnostics, SourceCache& cache, bool no_color_flag) {
  if (diagnostics.empty()) return;
  std::cerr << RenderDiagnostics(diagnostics, cache, UseColor(STDERR_FILENO, no_color_flag));
}

}  // namespace upgrade::cli
