// Collecting diagnostics and rendering them as compilers do: the position, the message, the
// source line and a caret with `~` under the rest of the range.
#include "lang/diagnostic.h"

#include <sstream>

namespace upgrade {
namespace {

constexpr const char* kBold = "\033[1m";
constexpr const char* kRed = "\033[1;31m";
constexpr const char* kMagenta = "\033[1;35m";
constexpr const char* kCyan = "\033[1;36m";
constexpr const char* kGreen = "\033[1;32m";
constexpr const char* kReset = "\033[0m";

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream stream(text);
  while (std::getline(stream, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "error";
}

const char* SeverityColor(Severity severity) {
  switch (severity) {
    case Severity::kError: return kRed;
    case Severity::kWarning: return kMagenta;
    case Severity::kNote: return kCyan;
  }
  return kRed;
}

/// The caret line: whitespace matching the source up to the column (tabs kept, one space per
/// UTF-8 character), `^`, then `~` to the end of the range.
std::string CaretLine(const std::string& source, int column, int end_column) {
  std::string out;
  int limit = std::min<int>(column - 1, static_cast<int>(source.size()));
  for (int i = 0; i < limit; ++i) {
    unsigned char c = static_cast<unsigned char>(source[i]);
    if ((c & 0xC0) == 0x80) continue;
    out += c == '\t' ? '\t' : ' ';
  }
  out += '^';
  int end = std::min<int>(end_column, static_cast<int>(source.size()) + 1);
  for (int i = column; i < end - 1; ++i) {
    unsigned char c = static_cast<unsigned char>(source[i]);
    if ((c & 0xC0) == 0x80) continue;
    out += '~';
  }
  return out;
}

void RenderOne(const Diagnostic& diagnostic, SourceCache& sources, bool color, std::string& out) {
  const SourceLocation& at = diagnostic.range.begin;
  std::string place = at.ToString();
  if (!place.empty()) {
    out += color ? std::string(kBold) + place + ":" + kReset + " " : place + ": ";
  }
  const char* severity = SeverityName(diagnostic.severity);
  if (color) {
    out += std::string(SeverityColor(diagnostic.severity)) + severity + ":" + kReset + " " +
           kBold + diagnostic.message + kReset + "\n";
  } else {
    out += std::string(severity) + ": " + diagnostic.message + "\n";
  }
  if (at.Known()) {
    std::string line = sources.Line(at.path, at.line);
    if (!line.empty() || at.column <= 1) {
      out += line + "\n";
      std::string caret = CaretLine(line, at.column, diagnostic.range.end_column);
      out += color ? std::string(kGreen) + caret + kReset + "\n" : caret + "\n";
    }
  }
  for (const auto& note : diagnostic.notes) RenderOne(note, sources, color, out);
}

}  // namespace

Diagnostic& Diagnostics::Error(const SourceRange& range, std::string message) {
  items_.push_back({Severity::kError, range, std::move(message), {}});
  return items_.back();
}

Diagnostic& Diagnostics::Warning(const SourceRange& range, std::string message) {
  items_.push_back({Severity::kWarning, range, std::move(message), {}});
  return items_.back();
}

void Diagnostics::Append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::HasErrors() const { return ErrorCount() > 0; }

int Diagnostics::ErrorCount() const {
  int count = 0;
  for (const auto& item : items_)
    if (item.severity == Severity::kError) ++count;
  return count;
}

void SourceCache::Add(const std::string& path, std::string text) {
  for (auto& file : files_) {
    if (file.path == path) {
      file = File{path, std::move(text), {}, false};
      return;
    }
  }
  files_.push_back(File{path, std::move(text), {}, false});
}

const std::string* SourceCache::Text(const std::string& path) const {
  for (const auto& file : files_) {
    if (file.path == path) return file.split ? nullptr : &file.text;
  }
  return nullptr;
}

std::string SourceCache::Line(const std::string& path, int line) {
  for (auto& file : files_) {
    if (file.path != path) continue;
    if (!file.split) {
      file.lines = SplitLines(file.text);
      file.split = true;
      std::string().swap(file.text);
    }
    return line >= 1 && line <= static_cast<int>(file.lines.size()) ? file.lines[line - 1] : "";
  }
  files_.push_back(File{path, ReadSourceFile(path).value_or(""), {}, false});
  return Line(path, line);
}

std::string RenderDiagnostic(const Diagnostic& diagnostic, SourceCache& sources, bool color) {
  std::string out;
  RenderOne(diagnostic, sources, color, out);
  return out;
}

std::string RenderDiagnostics(const Diagnostics& diagnostics, SourceCache& sources, bool color) {
  std::string out;
  for (const auto& diagnostic : diagnostics.items()) RenderOne(diagnostic, sources, color, out);
  return out;
}

}  // namespace upgrade
