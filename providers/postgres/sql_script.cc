// Splitting SQL scripts into statements and mapping positions; see sql_script.h.
#include "providers/postgres/sql_script.h"

#include <cctype>

namespace upgrade::postgres {
namespace {

bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// The end of a dollar-quote opening tag at `i` ("$$" or "$tag$"), or npos when there is none.
size_t DollarTagEnd(const std::string& s, size_t i) {
  size_t j = i + 1;
  if (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) return std::string::npos;
  while (j < s.size() && IsIdentChar(s[j]) && s[j] != '$') ++j;
  return j < s.size() && s[j] == '$' ? j : std::string::npos;
}

// Scans one SQL script, tracking the lexical context that hides semicolons.
class Splitter {
 public:
  explicit Splitter(const std::string& script) : s_(script) {}

  std::vector<SqlStatement> Run() {
    while (i_ < s_.size()) Step();
    Finish(s_.size());
    return statements_;
  }

 private:
  void Step() {
    char c = s_[i_];
    char next = i_ + 1 < s_.size() ? s_[i_ + 1] : '\0';
    if (c == '-' && next == '-') {
      size_t end = s_.find('\n', i_);
      i_ = end == std::string::npos ? s_.size() : end + 1;
    } else if (c == '/' && next == '*') {
      SkipBlockComment();
    } else if (c == '\'' ) {
      MarkToken();
      bool escapes = i_ > 0 && (s_[i_ - 1] == 'E' || s_[i_ - 1] == 'e') &&
                     (i_ < 2 || !IsIdentChar(s_[i_ - 2]));
      SkipQuoted('\'', escapes);
    } else if (c == '"') {
      MarkToken();
      SkipQuoted('"', false);
    } else if (c == '$' && (i_ == 0 || !IsIdentChar(s_[i_ - 1])) &&
               DollarTagEnd(s_, i_) != std::string::npos) {
      MarkToken();
      SkipDollarQuoted();
    } else if (c == ';' && atomic_depth_ == 0) {
      Finish(i_);
      ++i_;
      begin_ = i_;
    } else if (IsIdentChar(c)) {
      MarkToken();
      Word();
    } else {
      if (!std::isspace(static_cast<unsigned char>(c))) MarkToken();
      ++i_;
    }
  }

  void MarkToken() {
    if (!has_token_) token_ = i_;
    has_token_ = true;
  }

  void SkipBlockComment() {
    int depth = 0;
    while (i_ < s_.size()) {
      if (s_.compare(i_, 2, "/*") == 0) {
        ++depth;
        i_ += 2;
      } else if (s_.compare(i_, 2, "*/") == 0) {
        i_ += 2;
        if (--depth == 0) return;
      } else {
        ++i_;
      }
    }
  }

  void SkipQuoted(char quote, bool backslash_escapes) {
    ++i_;
    while (i_ < s_.size()) {
      if (backslash_escapes && s_[i_] == '\\') {
        i_ += 2;
      } else if (s_[i_] == quote) {
        if (i_ + 1 < s_.size() && s_[i_ + 1] == quote) {
          i_ += 2;
        } else {
          ++i_;
          return;
        }
      } else {
        ++i_;
      }
    }
  }

  void SkipDollarQuoted() {
    size_t tag_end = DollarTagEnd(s_, i_);
    std::string tag = s_.substr(i_, tag_end - i_ + 1);
    size_t close = s_.find(tag, tag_end + 1);
    i_ = close == std::string::npos ? s_.size() : close + tag.size();
  }

  // Words matter only for `BEGIN ATOMIC ... END` bodies, whose inner semicolons do not end
  // the statement; CASE ... END inside them nests.
  void Word() {
    size_t start = i_;
    while (i_ < s_.size() && IsIdentChar(s_[i_])) ++i_;
    std::string word = s_.substr(start, i_ - start);
    for (char& ch : word) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (word == "ATOMIC" && previous_word_ == "BEGIN") {
      ++atomic_depth_;
    } else if (atomic_depth_ > 0 && word == "CASE") {
      ++atomic_depth_;
    } else if (atomic_depth_ > 0 && word == "END") {
      --atomic_depth_;
    }
    previous_word_ = word;
  }

  void Finish(size_t end) {
    if (has_token_) statements_.push_back({s_.substr(begin_, end - begin_), begin_, token_});
    has_token_ = false;
    previous_word_.clear();
  }

  const std::string& s_;
  size_t i_ = 0;
  size_t begin_ = 0;
  size_t token_ = 0;
  bool has_token_ = false;
  int atomic_depth_ = 0;
  std::string previous_word_;
  std::vector<SqlStatement> statements_;
};

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::vector<SqlStatement> SplitSql(const std::string& script) { return Splitter(script).Run(); }

LineCol LineColAt(const std::string& text, size_t offset) {
  LineCol at;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++at.line;
      at.column = 1;
    } else if (!IsContinuationByte(text[i])) {
      ++at.column;
    }
  }
  return at;
}

size_t ByteOffsetOfCharacter(const std::string& text, int position) {
  int characters = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (IsContinuationByte(text[i])) continue;
    if (++characters == position) return i;
  }
  return text.size();
}

bool HasNoTransactionMarker(const std::string& script) {
  size_t at = 0;
  while (at < script.size()) {
    size_t end = script.find('\n', at);
    if (end == std::string::npos) end = script.size();
    std::string line = script.substr(at, end - at);
    size_t first = line.find_first_not_of(" \t\r");
    size_t last = line.find_last_not_of(" \t\r");
    if (first != std::string::npos &&
        line.substr(first, last - first + 1) == "-- upgrade:no-transaction")
      return true;
    at = end + 1;
  }
  return false;
}

}  // namespace upgrade::postgres
