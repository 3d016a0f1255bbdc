// Positions in plan files, carried by every IR node so that errors found late still point home.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>

namespace upgrade {

/// The path of a source file, held once per process and shared by every position in the file:
/// copying a position copies a pointer, not the path (a plan of 1,000 steps has some 15,000
/// positions). Made from a string, it reads as one; two are equal when their texts are.
class SourcePath {
 public:
  SourcePath() = default;
  // Implicit: a path is given wherever a string was, and read wherever a string is wanted.
  SourcePath(const std::string& path);  // NOLINT(google-explicit-constructor)
  SourcePath(const char* path) : SourcePath(std::string(path)) {}  // NOLINT
  operator const std::string&() const { return *text_; }  // NOLINT

  const std::string& str() const { return *text_; }
  bool empty() const { return text_->empty(); }

  /// The process holds one copy of each text, so equal texts are the same copy.
  friend bool operator==(const SourcePath& a, const SourcePath& b) { return a.text_ == b.text_; }
  friend bool operator==(const SourcePath& a, const std::string& b) { return *a.text_ == b; }
  friend bool operator==(const SourcePath& a, const char* b) { return *a.text_ == b; }

 private:
  static const std::string kNone;
  const std::string* text_ = &kNone;  ///< never null; never freed
};

/// A path in JSON is its text.
void to_json(nlohmann::json& json, const SourcePath& path);

/// A 1-based line and column in one source file; line 0 means "no position known".
struct SourceLocation {
  SourcePath path;
  int line = 0;
  int column = 0;

  bool Known() const { return line > 0; }
  /// "path:line:col", or just "path" when the position is unknown.
  std::string ToString() const;
};

/// The whole of the file at `path`, read with one read of its size; nullopt when it cannot be
/// opened or read, a directory included (errno says why).
std::optional<std::string> ReadSourceFile(const std::string& path);

/// A span on one line of a source file: `begin` and the column one past its end (0 if unknown).
struct SourceRange {
  SourceLocation begin;
  int end_column = 0;
};

}  // namespace upgrade
