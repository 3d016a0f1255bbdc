// The checked intermediate representation of a plan file: the contract between `lang/`, which
// produces it, and `planner/`, which consumes it. Every node keeps its source range, so errors
// found at plan or apply time still point into the plan file.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "lang/source.h"
#include "lang/value.h"

namespace upgrade {

/// An expression, unevaluated. Which fields mean something depends on `kind`:
///
/// | kind       | name                               | operands                      |
/// |------------|------------------------------------|-------------------------------|
/// | kLiteral   | -                                  | - (`literal` holds the value) |
/// | kTemplate  | -                                  | parts: string literals, exprs |
/// | kReference | root name: `input`, `each`, a let, a resource, a step, an import | - |
/// | kCall      | function name, `env`, `http.get`   | arguments                     |
/// | kUnary     | operator: `!`, `-`                 | the operand                   |
/// | kBinary    | operator: `+ - * / % == != < <= > >= && \|\| in` | left, right     |
/// | kIndex     | -                                  | object, index                 |
/// | kAttribute | attribute name                     | object                        |
/// | kList      | -                                  | elements                      |
/// | kMap       | -                                  | values; `keys` holds the keys |
///
/// `input.target` is kAttribute("target") of kReference("input"); `db.version` likewise.
struct Expr {
  enum class Kind {
    kLiteral, kTemplate, kReference, kCall, kUnary, kBinary, kIndex, kAttribute, kList, kMap
  };
  Kind kind = Kind::kLiteral;
  SourceRange range;
  Value literal;
  std::string name;
  std::vector<std::string> keys;
  std::vector<Expr> operands;
};

/// Canonical source text of an expression, as `upgrade fmt` writes it (used in messages).
std::string ExprToString(const Expr& expr);

/// `name = value` inside a block.
struct Attribute {
  std::string name;
  Expr value;
  SourceRange range;  ///< of the name
};

/// What to do when a step fails during apply.
enum class OnFailure { kRollback, kStop };

/// When steps may start: weekdays and a time range in a zone, e.g. "Sat 02:00-04:00 UTC".
/// The checker parses the text; the executor refuses to start a step outside it.
struct MaintenanceWindow {
  std::string text;
  std::vector<int> weekdays;  ///< 0 = Sunday ... 6 = Saturday; empty = every day
  int start_minute = 0;       ///< minutes after midnight, in `utc_offset_minutes`' zone
  int end_minute = 0;         ///< may be less than start: the window crosses midnight
  int utc_offset_minutes = 0; ///< "UTC" = 0; "+02:00" = 120
};

/// The `plan "name" { ... }` block.
struct PlanBlock {
  std::string name;
  std::string description;
  std::optional<MaintenanceWindow> window;
  OnFailure on_failure = OnFailure::kRollback;
  SourceRange range;
};

/// `input NAME { default, description, sensitive, type }`: a value given with `--var`.
struct Input {
  std::string name;
  std::optional<Expr> default_value;  ///< none: the input is required
  std::string description;
  bool sensitive = false;
  std::string type;  ///< "", "string", "number", "bool", "duration", "list", "map"
  SourceRange range;
};

/// `let NAME = EXPR`: a named value computed once.
struct Let {
  std::string name;
  Expr value;
  SourceRange range;
};

/// `resource TYPE NAME { ... }`: a real thing, declared once with its identity.
/// With `for_each`, it stands for one instance per element (`NAME[key]`), `each.key` and
/// `each.value` naming the element inside the block.
struct Resource {
  std::string type;  ///< "fs.file", "docker.container"
  std::string name;  ///< unique among resources; "ALIAS.name" for one from an import
  std::vector<Attribute> attributes;
  std::optional<Expr> for_each;
  SourceRange range;
  SourceRange type_range;
};

/// One statement in a step. Which fields mean something depends on `kind`:
///
/// | kind      | target              | attributes          | condition | other           |
/// |-----------|---------------------|---------------------|-----------|-----------------|
/// | kRequire  | -                   | -                   | yes       | message         |
/// | kSet      | resource name       | desired attributes  | -         | target_index    |
/// | kRun      | action type         | action's attributes | -         | -               |
/// | kSnapshot | resource name       | options             | -         | target_index    |
/// | kVerify   | -                   | -                   | yes       | message, within, every |
struct Statement {
  enum class Kind { kRequire, kSet, kRun, kSnapshot, kVerify };
  Kind kind = Kind::kRequire;
  SourceRange range;
  std::string target;
  std::optional<Expr> target_index;  ///< `set node[each.key] {...}` on a for_each resource
  std::vector<Attribute> attributes;
  std::optional<Expr> condition;
  std::string message;
  Duration within{0};  ///< verify: keep retrying this long (0: check once)
  Duration every{0};   ///< verify: pause between tries
};

/// A step name as written in `after = [...]`.
struct StepRef {
  std::string name;
  SourceRange range;
};

/// `step NAME ["title"] { ... }`: one transition of the upgrade.
/// With `for_each`, one instance runs per element; `serial = N` runs them N at a time, each
/// batch only after the previous one passed its verify gates (0: all at once).
struct Step {
  std::string name;  ///< unique among steps; "ALIAS.name" for one from an import
  std::string title;
  std::vector<StepRef> after;
  std::vector<Statement> statements;
  std::optional<Expr> for_each;
  int serial = 0;
  SourceRange range;

  // Filled by the checker:
  std::vector<std::string> depends_on;  ///< `after` plus steps its expressions refer to; sorted
  std::vector<std::string> touches;     ///< resources it sets, snapshots or runs against; sorted
};

/// `import "path" as NAME { inputs }`: another plan whose resources and steps join this one
/// under `NAME.`.
struct Import {
  std::string path;           ///< as written
  std::string resolved_path;  ///< filled by the checker
  std::string alias;
  std::vector<Attribute> inputs;
  SourceRange range;
};

/// Lets Program's lookups find a name without scanning its list (lists of up to 8 are scanned).
/// Built on first use and rebuilt when a list has moved, changed size, or no longer holds the
/// name the index points at; a copied or moved Program starts with an empty index. One case it
/// cannot see: an item renamed in place, then looked up by its new name before any lookup of its
/// old one or any change of the list's size (the loader renames before it appends). Safe to use
/// from several threads.
class ProgramIndex {
 public:
  ProgramIndex();
  ~ProgramIndex();
  ProgramIndex(const ProgramIndex& /*other*/);
  ProgramIndex& operator=(const ProgramIndex& /*other*/);

  /// The first item of `items` called `name`, or null. T is Input, Let, Resource or Step.
  template <typename T>
  const T* Find(const std::vector<T>& items, const std::string& name) const;

 private:
  struct Tables;
  mutable std::mutex mutex_;
  mutable std::unique_ptr<Tables> tables_;
};

/// A whole plan after checking: imports merged, names resolved, types checked.
struct Program {
  std::string path;
  PlanBlock plan;
  std::vector<Input> inputs;
  std::vector<Let> lets;
  std::vector<Resource> resources;
  std::vector<Step> steps;
  std::vector<Import> imports;

  const Input* FindInput(const std::string& name) const;
  const Let* FindLet(const std::string& name) const;
  const Resource* FindResource(const std::string& name) const;
  const Step* FindStep(const std::string& name) const;

  /// What the Find functions above use; nothing else needs it.
  ProgramIndex index;
};

}  // namespace upgrade
