// Diagnostics: errors, warnings and notes with a source range, collected rather than thrown,
// and rendered as `path:line:col: error: message`, the source line and a caret.
#pragma once

#include <string>
#include <vector>

#include "lang/source.h"

namespace upgrade {

/// How bad a diagnostic is; a note only ever hangs under an error or a warning.
enum class Severity { kError, kWarning, kNote };

/// One message about a place in a plan (or about no place, when `range.begin` is unknown).
/// Messages are lower-case with no trailing period, as compilers write them.
struct Diagnostic {
  Severity severity = Severity::kError;
  SourceRange range;
  std::string message;
  std::vector<Diagnostic> notes;  ///< `note:` lines shown under this one, each with its place.
};

/// The diagnostics of one operation, in the order they were found.
class Diagnostics {
 public:
  Diagnostic& Error(const SourceRange& range, std::string message);
  Diagnostic& Warning(const SourceRange& range, std::string message);
  void Add(Diagnostic diagnostic) { items_.push_back(std::move(diagnostic)); }
  void Append(const Diagnostics& other);

  bool HasErrors() const;
  int ErrorCount() const;
  const std::vector<Diagnostic>& items() const { return items_; }
  bool empty() const { return items_.empty(); }

 private:
  std::vector<Diagnostic> items_;
};

/// Gives the text of source files for rendering; reads files from disk on first use.
class SourceCache {
 public:
  /// Registers text for `path` (for files that were read already, or exist only in memory).
  void Add(const std::string& path, std::string text);
  /// The text registered for `path` by Add, or null (none, or already split into lines).
  const std::string* Text(const std::string& path) const;
  /// Line `line` (1-based) of `path`, without its newline; empty when unavailable.
  std::string Line(const std::string& path, int line);

 private:
  /// One file's text, split into lines the first time one of them is asked for.
  struct File {
    std::string path;
    std::string text;
    std::vector<std::string> lines;
    bool split = false;
  };
  std::vector<File> files_;
};

/// Renders one diagnostic and its notes: `path:line:col: error: message`, then the source line,
/// then a caret under the column and `~` under the rest of the range. ANSI colors when `color`.
std::string RenderDiagnostic(const Diagnostic& diagnostic, SourceCache& sources, bool color);
/// Renders every diagnostic in order, one after another.
std::string RenderDiagnostics(const Diagnostics& diagnostics, SourceCache& sources, bool color);

}  // namespace upgrade
