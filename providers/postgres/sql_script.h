// SQL scripts as PostgreSQL receives them from a migration file: split into statements (so
// each runs on its own, as psql does, and errors point at the right place) and positions
// mapped from PostgreSQL's character offsets back to file lines and columns.
#pragma once

#include <string>
#include <vector>

namespace upgrade::postgres {

/// One statement of a script.
struct SqlStatement {
  std::string text;  ///< without the terminating ';'
  size_t offset = 0;  ///< byte offset of `text` in the script
  size_t start = 0;   ///< byte offset of its first token (past blanks and comments)
};

/// Splits `script` at top-level semicolons, skipping those inside quotes ('...', E'...',
/// "..."), dollar quotes ($tag$...$tag$), comments (--, nested /* */) and `BEGIN ATOMIC ...
/// END` bodies. Statements holding nothing but blanks and comments are left out.
std::vector<SqlStatement> SplitSql(const std::string& script);

/// A 1-based line and column (columns count characters, not bytes).
struct LineCol {
  int line = 1;
  int column = 1;
};

/// The line and column of byte `offset` of `text`.
LineCol LineColAt(const std::string& text, size_t offset);

/// The byte offset in `text` of PostgreSQL's 1-based character position `position`
/// (PG_DIAG_STATEMENT_POSITION counts characters of the statement, not bytes).
size_t ByteOffsetOfCharacter(const std::string& text, int position);

/// True when the script carries the `-- upgrade:no-transaction` marker on a line of its own.
bool HasNoTransactionMarker(const std::string& script);

}  // namespace upgrade::postgres
