// Connection strings (DSNs) for PostgreSQL: parsing both the URI form
// (postgresql://user:pw@host:5432/db?sslmode=disable) and the keyword form
// (host=... dbname=... password=...), masking the password for every message, and deriving
// the strings the provider needs (another database on the same server, no password in argv).
#pragma once

#include <map>
#include <string>

namespace upgrade::postgres {

/// The DSN with its password replaced by `***`, in the form it was written:
/// `postgresql://app:***@127.0.0.1/app`, `host=127.0.0.1 password=*** dbname=app`.
/// Text that is not a DSN is returned with anything password-like masked all the same.
std::string MaskDsn(const std::string& dsn);

/// Replaces every occurrence of `dsn`'s password inside `text` with `***` (for messages that
/// a library or a tool wrote, which might quote it).
std::string ScrubPassword(const std::string& text, const std::string& dsn);

/// A DSN taken apart into libpq's keywords (host, port, user, password, dbname, ...).
struct DsnParts {
  std::map<std::string, std::string> options;  ///< only those the DSN gave
  std::string error;                           ///< non-empty when the DSN does not parse

  std::string Get(const std::string& key) const;
  /// The keyword form of these options, values quoted as libpq wants.
  std::string ToKeywordString() const;
};

/// Parses `dsn` with libpq's own parser (PQconninfoParse), so every form libpq accepts works.
DsnParts ParseDsn(const std::string& dsn);

/// The same server and credentials, database `dbname`; in keyword form.
std::string DsnWithDatabase(const std::string& dsn, const std::string& dbname);

/// The database a DSN names; libpq's default (the user name) when it names none.
std::string DatabaseOf(const std::string& dsn);

/// The DSN without its password (keyword form) and the password apart, for tools such as
/// pg_dump whose argv anyone on the host can read.
struct SplitDsn {
  std::string without_password;
  std::string password;  ///< empty when the DSN has none
  std::string error;
};
SplitDsn SplitPassword(const std::string& dsn);

}  // namespace upgrade::postgres
