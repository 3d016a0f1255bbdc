// UnifiedDiff: the line diff `upgrade fmt --diff` prints. Common leading and trailing lines are
// set aside first; the rest is matched by longest common subsequence when small enough, and
// shown as replaced wholesale otherwise.
#include <algorithm>
#include <sstream>
#include <vector>

#include "lang/format.h"

namespace upgrade {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

/// One line of the edit script: ' ' kept, '-' removed, '+' added.
struct Edit {
  char op;
  std::string line;
};

std::vector<Edit> MiddleEdits(const std::vector<std::string>& a, const std::vector<std::string>& b,
                              std::size_t a0, std::size_t a1, std::size_t b0, std::size_t b1) {
  std::size_t n = a1 - a0, m = b1 - b0;
  std::vector<Edit> edits;
  if (n * m > 4'000'000) {
    for (std::size_t i = a0; i < a1; ++i) edits.push_back({'-', a[i]});
    for (std::size_t j = b0; j < b1; ++j) edits.push_back({'+', b[j]});
    return edits;
  }
  std::vector<std::vector<int>> lcs(n + 1, std::vector<int>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      lcs[i][j] = a[a0 + i] == b[b0 + j] ? lcs[i + 1][j + 1] + 1
                                         : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[a0 + i] == b[b0 + j]) {
      edits.push_back({' ', a[a0 + i]});
      ++i, ++j;
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      edits.push_back({'-', a[a0 + i++]});
    } else {
      edits.push_back({'+', b[b0 + j++]});
    }
  }
  return edits;
}

}  // namespace

std::string UnifiedDiff(const std::string& path, const std::string& before,
                        const std::string& after) {
  if (before == after) return "";
  std::vector<std::string> a = Lines(before), b = Lines(after);
  std::size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  std::size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
    ++suffix;
  }
  std::vector<Edit> edits;
  for (std::size_t i = 0; i < prefix; ++i) edits.push_back({' ', a[i]});
  auto middle = MiddleEdits(a, b, prefix, a.size() - suffix, prefix, b.size() - suffix);
  edits.insert(edits.end(), middle.begin(), middle.end());
  for (std::size_t i = a.size() - suffix; i < a.size(); ++i) edits.push_back({' ', a[i]});

  constexpr std::size_t kContext = 3;
  std::string out = "--- a/" + path + "\n+++ b/" + path + "\n";
  std::size_t k = 0;
  std::size_t line_a = 1, line_b = 1;  // line numbers at edits[k]
  while (k < edits.size()) {
    if (edits[k].op == ' ') {
      ++k, ++line_a, ++line_b;
      continue;
    }
    // A hunk: back up to kContext lines of context, run until kContext*2 unchanged lines.
    std::size_t start = k >= kContext ? k - kContext : 0;
    std::size_t start_a = line_a - (k - start), start_b = line_b - (k - start);
    std::size_t end = k, unchanged = 0;
    while (end < edits.size() && unchanged <= 2 * kContext) {
      unchanged = edits[end].op == ' ' ? unchanged + 1 : 0;
      ++end;
    }
    if (unchanged > kContext) end -= unchanged - kContext;
    std::size_t count_a = 0, count_b = 0;
    std::string body;
    for (std::size_t e = start; e < end; ++e) {
      body += std::string(1, edits[e].op) + edits[e].line + "\n";
      if (edits[e].op != '+') ++count_a;
      if (edits[e].op != '-') ++count_b;
    }
    out += "@@ -" + std::to_string(count_a ? start_a : start_a - 1) + "," + std::to_string(count_a) +
           " +" + std::to_string(count_b ? start_b : start_b - 1) + "," + std::to_string(count_b) +
           " @@\n" + body;
    for (std::size_t e = k; e < end; ++e) {
      if (edits[e].op != '+') ++line_a;
      if (edits[e].op != '-') ++line_b;
    }
    k = end;
  }
  return out;
}

}  // namespace upgrade
