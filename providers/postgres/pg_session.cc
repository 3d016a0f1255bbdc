// A plain libpq connection; see pg_session.h.
#include "providers/postgres/pg_session.h"

#include <libpq-fe.h>

#include <cstdlib>

#include "providers/postgres/dsn.h"

namespace upgrade::postgres {
namespace {

std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string Field(const PGresult* result, int code) {
  const char* value = PQresultErrorField(result, code);
  return value != nullptr ? value : "";
}

SqlError ErrorOf(PGconn* conn, const PGresult* result) {
  SqlError error;
  if (result != nullptr) {
    error.message = Field(result, PG_DIAG_MESSAGE_PRIMARY);
    error.sqlstate = Field(result, PG_DIAG_SQLSTATE);
    error.detail = Field(result, PG_DIAG_MESSAGE_DETAIL);
    error.hint = Field(result, PG_DIAG_MESSAGE_HINT);
    std::string position = Field(result, PG_DIAG_STATEMENT_POSITION);
    if (!position.empty()) error.position = std::atoi(position.c_str());
  }
  if (error.message.empty()) error.message = Trim(PQerrorMessage(conn));
  if (error.message.empty()) error.message = "the statement failed";
  return error;
}

}  // namespace

std::string ConnectionString(const std::string& dsn) {
  DsnParts parts = ParseDsn(dsn);
  if (!parts.error.empty()) return dsn;  // libpq reports the same error, masked by the caller
  parts.options.emplace("connect_timeout", "10");
  parts.options.emplace("application_name", "upgrade");
  return parts.ToKeywordString();
}

std::unique_ptr<PgSession> PgSession::Connect(const std::string& dsn, std::string* error) {
  DsnParts parts = ParseDsn(dsn);
  if (!parts.error.empty()) {
    *error = parts.error;
    return nullptr;
  }
  PGconn* conn = PQconnectdb(ConnectionString(dsn).c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    *error = "cannot connect to " + MaskDsn(dsn) + ": " +
             ScrubPassword(Trim(PQerrorMessage(conn)), dsn);
    PQfinish(conn);
    return nullptr;
  }
  // Keep NOTICEs (e.g. "table does not exist, skipping") off the operator's terminal.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<PgSession>(new PgSession(conn));
}

PgSession::~PgSession() { PQfinish(conn_); }

std::optional<Rows> PgSession::Query(const std::string& sql,
                                     const std::vector<std::optional<std::string>>& params,
                                     SqlError* error) {
  std::vector<const char*> values;
  for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
  PGresult* result = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0);
  ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    *error = ErrorOf(conn_, result);
    PQclear(result);
    return std::nullopt;
  }
  Rows rows(PQntuples(result));
  for (int r = 0; r < PQntuples(result); ++r)
    for (int c = 0; c < PQnfields(result); ++c)
      rows[r].push_back(PQgetisnull(result, r, c) ? std::nullopt
                                                  : std::optional(std::string(
                                                        PQgetvalue(result, r, c))));
  PQclear(result);
  return rows;
}

bool PgSession::Exec(const std::string& sql, SqlError* error) {
  PGresult* result = PQexec(conn_, sql.c_str());
  ExecStatusType status = PQresultStatus(result);
  bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ||
            status == PGRES_EMPTY_QUERY;
  if (!ok) *error = ErrorOf(conn_, result);
  PQclear(result);
  return ok;
}

std::string PgSession::EncryptPassword(const std::string& user, const std::string& password,
                                       std::string* error) {
  char* verifier = PQencryptPasswordConn(conn_, password.c_str(), user.c_str(), "scram-sha-256");
  if (verifier == nullptr) {
    *error = "cannot encrypt the password: " + Trim(PQerrorMessage(conn_));
    return "";
  }
  std::string out = verifier;
  PQfreemem(verifier);
  return out;
}

std::string PgSession::ExecOrMessage(const std::string& sql) {
  SqlError error;
  return Exec(sql, &error) ? "" : error.message;
}

}  // namespace upgrade::postgres
