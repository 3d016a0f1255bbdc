// Positions in plan files, carried by every IR node so that errors found late still point home.
#pragma once

#include <optional>
#include <string>

namespace upgrade {

/// A 1-based line and column in one source file; line 0 means "no position known".
struct SourceLocation {
  std::string path;
  int line = 0;
  int column = 0;

  bool Known() const { return line > 0; }
  /// "path:line:col", or just "path" when the position is unknown.
  std::string ToString() const;
};

/// The whole of the file at `path`, read with one read of its size; nullopt when it cannot be
/// opened (errno says why). A file that opens but cannot be read (a directory) reads as empty.
std::optional<std::string> ReadSourceFile(const std::string& path);

/// A span on one line of a source file: `begin` and the column one past its end (0 if unknown).
struct SourceRange {
  SourceLocation begin;
  int end_column = 0;
};

}  // namespace upgrade
