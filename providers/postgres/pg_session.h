// A plain libpq connection for running scripts statement by statement: unlike libpqxx 6.4's
// exceptions, libpq's results carry the error's position in the statement
// (PG_DIAG_STATEMENT_POSITION), which is how a failing migration is reported at file:line:col.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

typedef struct pg_conn PGconn;

namespace upgrade::postgres {

/// `dsn` in keyword form with the provider's connection defaults added where the DSN sets
/// none (connect_timeout=10, application_name=upgrade).
std::string ConnectionString(const std::string& dsn);

/// Why a statement failed, from PostgreSQL's error fields.
struct SqlError {
  std::string message;   ///< the primary message, e.g. `relation "x" does not exist`
  std::string sqlstate;  ///< e.g. "42P01"
  std::string detail;
  std::string hint;
  int position = 0;  ///< 1-based character in the statement; 0 when PostgreSQL gave none
};

/// One result's rows, each field null or its text.
using Rows = std::vector<std::vector<std::optional<std::string>>>;

/// One open libpq connection; closed when this goes away.
class PgSession {
 public:
  /// Connects; on failure returns nullptr and sets `*error` to a message naming the DSN
  /// masked (unreachable server, bad credentials, missing database alike).
  static std::unique_ptr<PgSession> Connect(const std::string& dsn, std::string* error);
  ~PgSession();
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  /// Runs one statement, binding `params` ($1, $2, ...; nullopt is NULL). Returns its rows,
  /// or nullopt and fills `*error`.
  std::optional<Rows> Query(const std::string& sql,
                            const std::vector<std::optional<std::string>>& params,
                            SqlError* error);
  /// Runs one statement without parameters (simple protocol: any utility statement works).
  bool Exec(const std::string& sql, SqlError* error);
  /// The SCRAM-SHA-256 verifier of `password` for role `user`, computed here (libpq's
  /// PQencryptPasswordConn) so the plain password never travels to the server.
  std::string EncryptPassword(const std::string& user, const std::string& password,
                              std::string* error);
  /// Exec for statements that cannot fail but for a broken connection; returns the error text.
  std::string ExecOrMessage(const std::string& sql);

 private:
  explicit PgSession(PGconn* conn) : conn_(conn) {}
  PGconn* conn_;
};

}  // namespace upgrade::postgres
