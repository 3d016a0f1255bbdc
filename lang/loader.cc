// LoadProgram: reads a plan, loads its imports (each checked on its own first), merges them
// under their aliases and checks the whole.
//
// Merging renames: in an imported plan imported as `pg`, resource `db` becomes `pg.db`, step
// `backup` becomes `pg.backup`, and its `input` becomes the let `pg.input`, a map of the values
// the import block gives (or the imported plan's defaults). After checking, every reference
// root is `input`, `each`, a let, a resource, a step, or one of these with an import prefix.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "lang/checker.h"
#include "lang/loader.h"

namespace upgrade {
namespace {

/// Renames every reference root of `expr` for import `alias` (`each` stays `each`).
void RenameRoots(Expr& expr, const std::string& alias) {
  if (expr.kind == Expr::Kind::kReference && expr.name != "each") {
    expr.name = alias + "." + expr.name;
  }
  for (auto& operand : expr.operands) RenameRoots(operand, alias);
}

void RenameAll(std::vector<Attribute>& attributes, const std::string& alias) {
  for (auto& attribute : attributes) RenameRoots(attribute.value, alias);
}

std::string Directory(const std::string& path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

std::string Normalize(const std::string& path) {
  std::vector<std::string> parts;
  std::stringstream stream(path);
  for (std::string part; std::getline(stream, part, '/');) {
    if (part.empty() || part == ".") continue;
    if (part == ".." && !parts.empty() && parts.back() != "..") {
      parts.pop_back();
    } else {
      parts.push_back(part);
    }
  }
  std::string out = !path.empty() && path[0] == '/' ? "/" : "";
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "/" : "") + parts[i];
  return out;
}

/// Loads plan files and their imports, remembering the chain of imports for cycle errors.
class Loader {
 public:
  Loader(const SchemaRegistry& registry, const CheckOptions& options, Diagnostics& diagnostics,
         SourceCache& sources)
      : registry_(registry), options_(options), diagnostics_(diagnostics), sources_(sources) {}

  std::optional<Program> Load(const std::string& path, bool is_main);

 private:
  std::string Resolve(const Program& importer, const Import& import) const;
  bool LoadImport(Program& program, Import& import);
  void Merge(Program& program, Program imported, const Import& import);

  std::vector<Import> nested_imports_;  ///< imports of merged plans, renamed, added after the loop

  const SchemaRegistry& registry_;
  CheckOptions options_;  // a copy: read_inputs fills given_inputs
  Diagnostics& diagnostics_;
  SourceCache& sources_;
  std::vector<std::pair<std::string, SourceRange>> chain_;  ///< files being loaded, and why
};

std::string Loader::Resolve(const Program& importer, const Import& import) const {
  const std::string& path = import.path;
  bool is_path = path.find('/') != std::string::npos ||
                 (path.size() > 4 && path.compare(path.size() - 4, 4, ".upg") == 0);
  if (!is_path) {
    std::string dir = options_.stdlib_dir;
    if (dir.empty()) {
      const char* from_env = std::getenv("UPGRADE_STDLIB_DIR");
      dir = from_env != nullptr && *from_env != '\0' ? from_env : UPGRADE_STDLIB_DEFAULT;
    }
    return Normalize(dir + "/" + path + ".upg");
  }
  if (path[0] == '/') return Normalize(path);
  return Normalize(Directory(importer.path) + path);
}

bool Loader::LoadImport(Program& program, Import& import) {
  import.resolved_path = Resolve(program, import);
  for (std::size_t i = 0; i < chain_.size(); ++i) {
    if (chain_[i].first != import.resolved_path) continue;
    std::string text = "import cycle: ";
    for (std::size_t k = i; k < chain_.size(); ++k) text += chain_[k].first + " -> ";
    text += import.resolved_path;
    Diagnostic& error = diagnostics_.Error(import.range, text);
    for (std::size_t k = i; k + 1 < chain_.size(); ++k) {
      error.notes.push_back({Severity::kNote, chain_[k].second,
                             chain_[k].first + " imports " + chain_[k + 1].first, {}});
    }
    return false;
  }
  chain_.back().second = import.range;
  if (!std::ifstream(import.resolved_path)) {
    diagnostics_.Error(import.range, "cannot read plan '" + import.resolved_path +
                                         "': " + std::strerror(errno));
    return false;
  }
  std::optional<Program> imported = Load(import.resolved_path, false);
  if (!imported) return false;
  bool ok = true;
  std::vector<std::string> names;
  for (const auto& input : imported->inputs) names.push_back(input.name);
  for (const auto& given : import.inputs) {
    if (imported->FindInput(given.name) != nullptr) continue;
    diagnostics_.Error(given.range, "plan '" + import.path + "' has no input '" + given.name +
                                        "'" + DidYouMean(given.name, names));
    ok = false;
  }
  for (const auto& input : imported->inputs) {
    bool given = std::any_of(import.inputs.begin(), import.inputs.end(),
                             [&](const Attribute& a) { return a.name == input.name; });
    if (given || input.default_value) continue;
    diagnostics_.Error(import.range, "import '" + import.alias + "' needs input '" + input.name + "'");
    ok = false;
  }
  if (ok) Merge(program, std::move(*imported), import);
  return ok;
}

void Loader::Merge(Program& program, Program imported, const Import& import) {
  const std::string& alias = import.alias;
  Let inputs;
  inputs.name = alias + ".input";
  inputs.range = import.range;
  inputs.value.kind = Expr::Kind::kMap;
  inputs.value.range = import.range;
  for (auto& input : imported.inputs) {
    Expr value;
    auto given = std::find_if(import.inputs.begin(), import.inputs.end(),
                              [&](const Attribute& a) { return a.name == input.name; });
    if (given != import.inputs.end()) {
      value = given->value;
    } else {
      value = std::move(*input.default_value);
      RenameRoots(value, alias);
    }
    if (input.sensitive) {
      Expr call;
      call.kind = Expr::Kind::kCall;
      call.name = "sensitive";
      call.range = value.range;
      call.operands.push_back(std::move(value));
      value = std::move(call);
    }
    inputs.value.keys.push_back(input.name);
    inputs.value.operands.push_back(std::move(value));
  }
  program.lets.push_back(std::move(inputs));
  for (auto& let : imported.lets) {
    let.name = alias + "." + let.name;
    RenameRoots(let.value, alias);
    program.lets.push_back(std::move(let));
  }
  for (auto& resource : imported.resources) {
    resource.name = alias + "." + resource.name;
    if (resource.for_each) RenameRoots(*resource.for_each, alias);
    RenameAll(resource.attributes, alias);
    program.resources.push_back(std::move(resource));
  }
  for (auto& step : imported.steps) {
    step.name = alias + "." + step.name;
    for (auto& after : step.after) after.name = alias + "." + after.name;
    for (auto& name : step.depends_on) name = alias + "." + name;
    for (auto& name : step.touches) name = alias + "." + name;
    if (step.for_each) RenameRoots(*step.for_each, alias);
    for (auto& statement : step.statements) {
      if (statement.kind == Statement::Kind::kSet || statement.kind == Statement::Kind::kSnapshot) {
        statement.target = alias + "." + statement.target;
      }
      if (statement.target_index) RenameRoots(*statement.target_index, alias);
      if (statement.condition) RenameRoots(*statement.condition, alias);
      RenameAll(statement.attributes, alias);
    }
    program.steps.push_back(std::move(step));
  }
  for (auto& nested : imported.imports) {
    nested.alias = alias + "." + nested.alias;
    RenameAll(nested.inputs, alias);
    nested_imports_.push_back(std::move(nested));
  }
}

std::optional<Program> Loader::Load(const std::string& path, bool is_main) {
  // A file the caller has read already is in `sources_`; others are read and added.
  const std::string* contents = sources_.Text(path);
  if (contents == nullptr) {
    std::optional<std::string> text = ReadSourceFile(path);
    if (!text) {
      SourceRange range;
      range.begin.path = path;
      diagnostics_.Error(range, std::string("cannot read plan file: ") + std::strerror(errno));
      return std::nullopt;
    }
    sources_.Add(path, std::move(*text));
    contents = sources_.Text(path);
  }
  int errors_before = diagnostics_.ErrorCount();
  std::optional<Program> program = ParseProgram(path, *contents, diagnostics_);
  if (!program) return std::nullopt;
  if (is_main && options_.read_inputs) {
    options_.given_inputs = options_.read_inputs(*program, diagnostics_);
    if (diagnostics_.ErrorCount() > errors_before) return std::nullopt;
  }
  chain_.emplace_back(path, SourceRange{});
  std::size_t own_imports = program->imports.size();
  std::vector<Import> nested;
  for (std::size_t i = 0; i < own_imports; ++i) {
    LoadImport(*program, program->imports[i]);
    nested.insert(nested.end(), std::make_move_iterator(nested_imports_.begin()),
                  std::make_move_iterator(nested_imports_.end()));
    nested_imports_.clear();
  }
  for (auto& import : nested) program->imports.push_back(std::move(import));
  chain_.pop_back();
  if (diagnostics_.ErrorCount() > errors_before) return std::nullopt;
  CheckProgram(*program, registry_, options_, is_main, diagnostics_);
  if (diagnostics_.ErrorCount() > errors_before) return std::nullopt;
  return program;
}

}  // namespace

std::optional<Program> LoadProgram(const std::string& path, const SchemaRegistry& registry,
                                   const CheckOptions& options, Diagnostics& diagnostics,
                                   SourceCache& sources) {
  Loader loader(registry, options, diagnostics, sources);
  return loader.Load(path, true);
}

}  // namespace upgrade
