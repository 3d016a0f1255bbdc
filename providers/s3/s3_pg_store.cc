// The PostgreSQL-table store of migrations: one row per document, a key column and a body
// column (text or bytea), named by the action's attributes:
//
//   from = "postgresql://app@127.0.0.1:5432/app"  table = "public.documents"
//   key_column = "id"  body_column = "body"
//
// Keys are the key column as text; a NULL body is an empty document. Writing (what the
// reverse of a migration that deleted its source does) updates the row of that key, or
// inserts one when there is none; other columns need defaults. The checksum is md5(body)
// computed by the server, so verification reads back what PostgreSQL stored.
#include <algorithm>
#include <memory>

#include <pqxx/pqxx>

#include "providers/s3/s3_config.h"
#include "providers/s3/s3_digest.h"
#include "providers/s3/s3_stores.h"

namespace upgrade::s3 {
namespace {

/// The DSN, and the names of the table and its two columns.
struct TableShape {
  std::string dsn;
  std::string table;
  std::string key_column;
  std::string body_column;
};

std::string QuoteQualified(pqxx::connection_base& connection, const std::string& name) {
  std::string quoted;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    if (!quoted.empty()) quoted += ".";
    quoted += connection.quote_name(name.substr(start, dot == std::string::npos ? dot
                                                                                  : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return quoted;
}

class PgSession : public StoreSession {
 public:
  PgSession(const TableShape& shape, std::string* error) : connection_(shape.dsn) {
    table_ = QuoteQualified(connection_, shape.table);
    key_ = connection_.quote_name(shape.key_column);
    body_ = connection_.quote_name(shape.body_column);
    pqxx::work work(connection_);
    pqxx::result type = work.exec_params(
        "select format_type(atttypid, atttypmod) from pg_attribute "
        "where attrelid = $1::regclass and attname = $2 and not attisdropped",
        shape.table, shape.body_column);
    if (type.empty()) {
      *error = "s3.migrate: table " + shape.table + " has no column " + shape.body_column;
      return;
    }
    bytea_ = type[0][0].as<std::string>() == "bytea";
  }

  bool List(std::vector<Document>* documents, std::string*) override {
    pqxx::work work(connection_);
    pqxx::result rows = work.exec("select " + key_ + "::text, coalesce(octet_length(" + body_ +
                                  "), 0) from " + table_ + " order by 1");
    documents->clear();
    for (const auto& row : rows)
      documents->push_back({row[0].c_str(), row[1].as<long long>(), ""});
    std::sort(documents->begin(), documents->end(),
              [](const Document& a, const Document& b) { return a.key < b.key; });
    return true;
  }

  RangeReader Reader(const std::string& key, long long) override {
    // Documents in a table are read whole once, then served by range.
    auto cache = std::make_shared<std::string>();
    auto loaded = std::make_shared<bool>(false);
    return [this, key, cache, loaded](long long offset, long long length, std::string* bytes,
                                      std::string* error) {
      if (!*loaded) {
        if (!Fetch(key, cache.get(), error)) return false;
        *loaded = true;
      }
      if (offset + length > static_cast<long long>(cache->size())) {
        *error = "s3.migrate: document " + key + " changed while copying";
        return false;
      }
      *bytes = cache->substr(static_cast<size_t>(offset), static_cast<size_t>(length));
      return true;
    };
  }

  bool Write(const std::string& key, long long size, const RangeReader& reader,
             Written* written, std::string* error) override {
    std::string bytes;
    if (size > 0 && !reader(0, size, &bytes, error)) return false;
    pqxx::work work(connection_);
    pqxx::result updated =
        bytea_ ? work.exec_params("update " + table_ + " set " + body_ + " = $2 where " + key_ +
                                      " = $1",
                                  key, pqxx::binarystring(bytes))
               : work.exec_params("update " + table_ + " set " + body_ + " = $2 where " + key_ +
                                      " = $1",
                                  key, bytes);
    if (updated.affected_rows() == 0) {
      std::string insert = "insert into " + table_ + " (" + key_ + ", " + body_ +
                           ") values ($1, $2)";
      if (bytea_) work.exec_params(insert, key, pqxx::binarystring(bytes));
      else work.exec_params(insert, key, bytes);
    }
    work.commit();
    written->answered = Md5Hex(bytes);
    written->accepted = {written->answered};
    return true;
  }

  bool Checksum(const std::string& key, bool* exists, std::string* checksum,
                std::string*) override {
    pqxx::work work(connection_);
    pqxx::result rows = work.exec_params("select md5(coalesce(" + body_ + ", " +
                                             (bytea_ ? "''::bytea" : "''") + ")) from " +
                                             table_ + " where " + key_ + " = $1",
                                         key);
    *exists = !rows.empty();
    if (*exists) *checksum = rows[0][0].as<std::string>();
    return true;
  }

  bool Delete(const std::string& key, std::string*) override {
    pqxx::work work(connection_);
    work.exec_params("delete from " + table_ + " where " + key_ + " = $1", key);
    work.commit();
    return true;
  }

 private:
  bool Fetch(const std::string& key, std::string* bytes, std::string* error) {
    pqxx::work work(connection_);
    pqxx::result rows = work.exec_params(
        "select " + body_ + " from " + table_ + " where " + key_ + " = $1", key);
    if (rows.empty()) {
      *error = "s3.migrate: document " + key + " vanished from the table while copying";
      return false;
    }
    if (rows[0][0].is_null()) bytes->clear();
    else if (bytea_) *bytes = pqxx::binarystring(rows[0][0]).str();
    else *bytes = rows[0][0].as<std::string>();
    return true;
  }

  pqxx::connection connection_;
  std::string table_;
  std::string key_;
  std::string body_;
  bool bytea_ = false;
};

/// Runs `body`, turning libpqxx's exceptions into an error text without the DSN.
template <typename F>
bool Guard(const std::string& what, std::string* error, F&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    std::string message = e.what();
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    *error = "s3.migrate: " + what + ": " + message;
    return false;
  }
}

/// Wraps a PgSession so no libpqxx exception escapes a StoreSession method.
class GuardedPgSession : public StoreSession {
 public:
  GuardedPgSession(std::unique_ptr<PgSession> session, std::string name)
      : session_(std::move(session)), name_(std::move(name)) {}

  bool List(std::vector<Document>* documents, std::string* error) override {
    return Guard(name_, error, [&] { return session_->List(documents, error); });
  }
  RangeReader Reader(const std::string& key, long long size) override {
    RangeReader inner = session_->Reader(key, size);
    std::string name = name_;
    return [inner, name](long long offset, long long length, std::string* bytes,
                         std::string* error) {
      return Guard(name, error, [&] { return inner(offset, length, bytes, error); });
    };
  }
  bool Write(const std::string& key, long long size, const RangeReader& reader,
             Written* written, std::string* error) override {
    return Guard(name_, error,
                 [&] { return session_->Write(key, size, reader, written, error); });
  }
  bool Checksum(const std::string& key, bool* exists, std::string* checksum,
                std::string* error) override {
    return Guard(name_, error, [&] { return session_->Checksum(key, exists, checksum, error); });
  }
  bool Delete(const std::string& key, std::string* error) override {
    return Guard(name_, error, [&] { return session_->Delete(key, error); });
  }

 private:
  std::unique_ptr<PgSession> session_;
  std::string name_;
};

class PgStore : public Store {
 public:
  explicit PgStore(TableShape shape) : shape_(std::move(shape)) {}

  std::string Describe() const override {
    return MaskDsn(shape_.dsn) + " table " + shape_.table;
  }

  std::unique_ptr<StoreSession> Connect(std::string* error) override {
    std::unique_ptr<PgSession> session;
    bool ok = Guard("cannot connect to " + Describe(), error, [&] {
      session = std::make_unique<PgSession>(shape_, error);
      return error->empty();
    });
    if (!ok) return nullptr;
    return std::make_unique<GuardedPgSession>(std::move(session), Describe());
  }

 private:
  TableShape shape_;
};

}  // namespace

std::unique_ptr<Store> MakePgStore(const std::string& dsn, const Value::Map& config,
                                   std::string* error) {
  TableShape shape{dsn, StringAttribute(config, "table"),
                   StringAttribute(config, "key_column", "id"),
                   StringAttribute(config, "body_column", "body")};
  if (shape.table.empty()) {
    *error = "s3.migrate: a PostgreSQL source needs `table` (and `key_column`, `body_column`)";
    return nullptr;
  }
  return std::make_unique<PgStore>(std::move(shape));
}

std::string MaskDsn(const std::string& dsn) {
  size_t scheme = dsn.find("://");
  if (scheme != std::string::npos) {
    size_t at = dsn.find('@', scheme);
    size_t colon = dsn.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at)
      return dsn.substr(0, colon + 1) + "***" + dsn.substr(at);
    return dsn;
  }
  size_t password = dsn.find("password=");
  if (password == std::string::npos) return dsn;
  size_t end = dsn.find(' ', password);
  return dsn.substr(0, password + 9) + "***" + (end == std::string::npos ? "" : dsn.substr(end));
}

}  // namespace upgrade::s3
