// Running one SQL script (a migration file, a `postgres.sql` action) statement by statement,
// in one transaction unless told otherwise, with a failure reported at the script's
// file:line:col from PostgreSQL's error position.
#pragma once

#include <functional>
#include <string>

#include "providers/postgres/pg_session.h"

namespace upgrade::postgres {

/// How to run a script.
struct ScriptOptions {
  std::string label;           ///< what errors name: the file path, or "sql"
  bool transactional = true;   ///< BEGIN ... COMMIT around it (rolled back on failure)
  /// Runs inside the transaction after the script's statements (e.g. recording a migration);
  /// returns an error text, empty on success.
  std::function<std::string(PgSession&)> before_commit;
};

/// Runs `script` on `session`. Returns an error text, empty on success; a failing statement
/// gives `label:line:col: error: message`, and in a transaction nothing of the script stays.
std::string RunScript(PgSession& session, const std::string& script,
                      const ScriptOptions& options);

/// `label:line:col: error: message` for an error in `script` (statement `statement`).
std::string FormatScriptError(const std::string& label, const std::string& script,
                              size_t statement_offset, size_t statement_start,
                              const std::string& statement_text, const SqlError& error);

}  // namespace upgrade::postgres
