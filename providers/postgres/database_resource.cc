// The postgres.database resource type; see database_resource.h.
#include "providers/postgres/database_resource.h"

#include "providers/postgres/dsn.h"
#include "providers/postgres/pg_session.h"
#include "providers/postgres/snapshot.h"

namespace upgrade::postgres {
namespace {

std::string NameOf(const Value::Map& config) {
  std::string name = StringAttr(config, "name");
  return name.empty() ? DatabaseOf(StringAttr(config, "url")) : name;
}

std::unique_ptr<PgSession> OpenServer(const Value::Map& config, std::string* error) {
  std::string url = StringAttr(config, "url");
  if (url.empty()) {
    *error = "postgres.database needs `url`";
    return nullptr;
  }
  return PgSession::Connect(DsnWithDatabase(url, StringAttr(config, "maintenance_db", "postgres")),
                            error);
}

bool ReadDatabase(PgSession& session, const Value::Map& config, State* state,
                  std::string* error) {
  SqlError sql_error;
  auto rows = session.Query(
      "SELECT pg_get_userbyid(datdba), pg_encoding_to_char(encoding) FROM pg_database"
      " WHERE datname = $1",
      {NameOf(config)}, &sql_error);
  if (!rows) {
    *error = "reading database " + NameOf(config) + ": " + sql_error.message;
    return false;
  }
  *state = State();
  if (rows->empty()) return true;
  state->exists = true;
  state->attributes = {{"name", NameOf(config)},
                       {"owner", (*rows)[0][0].value_or("")},
                       {"encoding", (*rows)[0][1].value_or("")}};
  return true;
}

std::string Run(PgSession& session, const std::string& sql) {
  SqlError sql_error;
  return session.Exec(sql, &sql_error) ? "" : sql_error.message;
}

std::string CreateSql(const std::string& name, const std::string& owner,
                      const std::string& encoding) {
  std::string sql = "CREATE DATABASE " + QuoteIdent(name);
  if (!owner.empty()) sql += " OWNER " + QuoteIdent(owner);
  if (!encoding.empty()) sql += " ENCODING " + QuoteLiteral(encoding) + " TEMPLATE template0";
  return sql;
}

}  // namespace

void DatabaseResource::Describe(SchemaRegistry& registry) const {
  ResourceTypeSchema schema;
  schema.type = Type();
  schema.description = "a database: present or absent, owner, encoding";
  schema.snapshot = true;
  schema.attributes = {
      {"url", AttrType::kString, true, true, false, false, false, "the database's DSN"},
      {"name", AttrType::kString, false, true, false, false, false,
       "database name (default: the DSN's)"},
      {"maintenance_db", AttrType::kString, false, true, false, false, false,
       "database to connect to for create/drop (default postgres)"},
      {"owner", AttrType::kString, false, false, false, false, false, "owning role"},
      {"encoding", AttrType::kString, false, false, false, true, false,
       "encoding, set when it is created"},
      {"absent", AttrType::kBool, false, false, false, false, false, "true: drop it"},
      {"allow_destroy", AttrType::kBool, false, false, false, false, false,
       "drop without dumping it first (irreversible)"},
  };
  registry.AddResource(schema);
}

ReadResult DatabaseResource::Read(const ResourceConfig& resource, ProviderContext&) {
  ReadResult result;
  auto session = OpenServer(resource.config, &result.error);
  if (session) ReadDatabase(*session, resource.config, &result.state, &result.error);
  return result;
}

DiffResult DatabaseResource::Diff(const DiffRequest& request) const {
  DiffResult result;
  Change& change = result.change;
  change.before = request.prior;
  change.after = request.prior;
  std::string name = NameOf(request.resource.config);
  Value owner = DesiredAttr(request, "owner"), encoding = DesiredAttr(request, "encoding");
  if (DesiredAttr(request, "absent").IsTrue()) {
    if (!request.prior.exists) return result;
    change.action = ChangeAction::kDelete;
    change.after = State();
    change.notes.push_back(DesiredAttr(request, "allow_destroy").IsTrue()
                               ? "dropped without a dump (allow_destroy): irreversible unless "
                                 "a snapshot was taken before"
                               : "dumped with pg_dump before the drop, so rollback restores it");
    return result;
  }
  if (!request.prior.exists) {
    change.action = ChangeAction::kCreate;
    change.after.exists = true;
    change.after.attributes = {{"name", name},
                               {"owner", owner.is_null() ? Value(Unknown()) : owner},
                               {"encoding", encoding.is_null() ? Value(Unknown()) : encoding}};
    AddAttributeChanges(change, {"encoding", "name", "owner"});
    return result;
  }
  if (!encoding.is_null() && encoding != request.prior.attributes.at("encoding")) {
    result.error = "database " + name + " has encoding " +
                   request.prior.attributes.at("encoding").ToDisplay() +
                   "; it cannot change in place";
    return result;
  }
  if (!owner.is_null()) change.after.attributes["owner"] = owner;
  AddAttributeChanges(change, {"owner"});
  if (!change.attributes.empty()) change.action = ChangeAction::kUpdate;
  return result;
}

PrepareResult DatabaseResource::Prepare(const Operation& operation, ProviderContext& context) {
  PrepareResult result;
  const Change& change = operation.change;
  Value::Map undo{{"action", ChangeActionName(change.action)},
                  {"existed", change.before.exists}};
  if (change.before.exists) undo["owner"] = change.before.attributes.at("owner");
  if (change.action == ChangeAction::kDelete) {
    if (BoolAttr(operation.resource.config, "allow_destroy")) {
      result.reversible = false;
    } else {
      std::string dsn = DsnWithDatabase(StringAttr(operation.resource.config, "url"),
                                        NameOf(operation.resource.config));
      std::string blob = DumpDatabase(dsn, context, &result.error);
      if (blob.empty()) return result;
      undo["dump"] = blob;
    }
  }
  result.undo = undo;
  return result;
}

ApplyResult DatabaseResource::Apply(const Operation& operation, const Value&, ProviderContext&) {
  ApplyResult result;
  const Value::Map& config = operation.resource.config;
  auto session = OpenServer(config, &result.error);
  if (!session) return result;
  std::string name = NameOf(config);
  const Change& change = operation.change;
  std::string owner = change.after.exists && change.after.attributes.count("owner") &&
                              change.after.attributes.at("owner").is_string()
                          ? change.after.attributes.at("owner").as_string()
                          : "";
  std::string error;
  if (change.action == ChangeAction::kCreate) {
    std::string encoding = change.after.attributes.at("encoding").is_string()
                               ? change.after.attributes.at("encoding").as_string()
                               : "";
    error = Run(*session, CreateSql(name, owner, encoding));
  } else if (change.action == ChangeAction::kUpdate) {
    error = Run(*session, "ALTER DATABASE " + QuoteIdent(name) + " OWNER TO " + QuoteIdent(owner));
  } else if (change.action == ChangeAction::kDelete) {
    error = Run(*session, "DROP DATABASE IF EXISTS " + QuoteIdent(name) + " WITH (FORCE)");
  }
  if (!error.empty()) result.error = "database " + name + ": " + error;
  std::string read_error;
  if (!ReadDatabase(*session, config, &result.state, &read_error) && result.error.empty())
    result.error = read_error;
  return result;
}

ReverseResult DatabaseResource::Reverse(const ReverseRequest& request, ProviderContext& context) {
  ReverseResult result;
  const Value::Map& config = request.resource.config;
  auto session = OpenServer(config, &result.error);
  if (!session) return result;
  std::string name = NameOf(config);
  State now;
  if (!ReadDatabase(*session, config, &now, &result.error)) return result;
  const Value& undo = request.undo;
  std::string error;
  if (!undo.Get("existed").IsTrue()) {
    if (now.exists) error = Run(*session, "DROP DATABASE IF EXISTS " + QuoteIdent(name) +
                                              " WITH (FORCE)");
  } else if (!now.exists) {
    std::string dump = undo.GetString("dump");
    if (dump.empty() || context.blobs == nullptr) {
      error = "it was dropped without a dump; restore it from a snapshot";
    } else {
      session.reset();  // pg_restore reconnects; hold nothing open on the server meanwhile
      error = RestoreDatabase(DsnWithDatabase(StringAttr(config, "url"), name),
                              context.blobs->PathOf(dump));
      session = OpenServer(config, &result.error);
      if (!session) return result;
    }
  } else if (undo.Get("owner").is_string() && now.attributes["owner"] != undo.Get("owner")) {
    error = Run(*session, "ALTER DATABASE " + QuoteIdent(name) + " OWNER TO " +
                              QuoteIdent(undo.GetString("owner")));
  }
  if (!error.empty()) result.error = "database " + name + ": " + error;
  std::string read_error;
  if (!ReadDatabase(*session, config, &result.state, &read_error) && result.error.empty())
    result.error = read_error;
  return result;
}

}  // namespace upgrade::postgres
