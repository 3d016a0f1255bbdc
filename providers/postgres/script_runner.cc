// Running SQL scripts; see script_runner.h.
#include "providers/postgres/script_runner.h"

#include "providers/postgres/sql_script.h"

namespace upgrade::postgres {

std::string FormatScriptError(const std::string& label, const std::string& script,
                              size_t statement_offset, size_t statement_start,
                              const std::string& statement_text, const SqlError& error) {
  // Without a position (a constraint violation, a division by zero) the statement's first
  // token is the best place to point at.
  size_t at = error.position > 0
                  ? statement_offset + ByteOffsetOfCharacter(statement_text, error.position)
                  : statement_start;
  LineCol where = LineColAt(script, at);
  std::string text = label + ":" + std::to_string(where.line) + ":" +
                     std::to_string(where.column) + ": error: " + error.message;
  if (!error.detail.empty()) text += "\nnote: " + error.detail;
  if (!error.hint.empty()) text += "\nnote: hint: " + error.hint;
  return text;
}

std::string RunScript(PgSession& session, const std::string& script,
                      const ScriptOptions& options) {
  SqlError error;
  if (options.transactional && !session.Exec("BEGIN", &error))
    return options.label + ": error: cannot begin a transaction: " + error.message;
  std::string failure;
  for (const SqlStatement& statement : SplitSql(script)) {
    if (!session.Exec(statement.text, &error)) {
      failure = FormatScriptError(options.label, script, statement.offset, statement.start,
                                  statement.text, error);
      break;
    }
  }
  if (failure.empty() && options.before_commit) failure = options.before_commit(session);
  if (!options.transactional) return failure;
  if (!failure.empty()) {
    session.ExecOrMessage("ROLLBACK");
    return failure;
  }
  if (!session.Exec("COMMIT", &error))
    return options.label + ": error: commit failed: " + error.message;
  return "";
}

}  // namespace upgrade::postgres
