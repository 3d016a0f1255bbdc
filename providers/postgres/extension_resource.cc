// The postgres.extension resource type; see extension_resource.h.
//
// An update is reversible only when the extension ships a path back to the old version
// (pg_extension_update_paths); Prepare asks the server and says so.
#include "providers/postgres/extension_resource.h"

#include "providers/postgres/pg_session.h"

namespace upgrade::postgres {
namespace {

std::unique_ptr<PgSession> Open(const Value::Map& config, std::string* error) {
  std::string dsn = TargetDsn(config, error);
  return dsn.empty() ? nullptr : PgSession::Connect(dsn, error);
}

std::string NameOf(const Value::Map& config) { return StringAttr(config, "name"); }

bool ReadExtension(PgSession& session, const std::string& name, State* state,
                   std::string* error) {
  SqlError sql_error;
  auto rows = session.Query(
      "SELECT a.default_version, e.extversion, n.nspname FROM pg_available_extensions a"
      " LEFT JOIN pg_extension e ON e.extname = a.name"
      " LEFT JOIN pg_namespace n ON n.oid = e.extnamespace WHERE a.name = $1",
      {name}, &sql_error);
  if (!rows) {
    *error = "reading extension " + name + ": " + sql_error.message;
    return false;
  }
  if (rows->empty()) {
    *error = "extension " + name + " is not available on the server";
    return false;
  }
  const auto& row = (*rows)[0];
  *state = State();
  state->exists = row[1].has_value();
  if (state->exists)
    state->attributes = {{"name", name},
                         {"version", *row[1]},
                         {"schema", row[2].value_or("")},
                         {"default_version", row[0].value_or("")}};
  return true;
}

std::string Run(PgSession& session, const std::string& sql) {
  SqlError sql_error;
  return session.Exec(sql, &sql_error) ? "" : sql_error.message;
}

std::string CreateSql(const std::string& name, const std::string& version,
                      const std::string& schema) {
  std::string sql = "CREATE EXTENSION IF NOT EXISTS " + QuoteIdent(name);
  if (!schema.empty()) sql += " SCHEMA " + QuoteIdent(schema);
  if (!version.empty()) sql += " VERSION " + QuoteLiteral(version);
  return sql;
}

}  // namespace

void ExtensionResource::Describe(SchemaRegistry& registry) const {
  ResourceTypeSchema schema;
  schema.type = Type();
  schema.description = "an extension installed in a database at a version";
  schema.attributes = {
      {"database", AttrType::kResource, false, true, false, false, false, "the database"},
      {"url", AttrType::kString, false, true, false, false, false, "DSN, instead of database"},
      {"name", AttrType::kString, true, true, false, false, false, "extension name"},
      {"version", AttrType::kString, false, false, false, false, false,
       "installed version (default: the default version)"},
      {"schema", AttrType::kString, false, false, false, true, false, "schema to install in"},
      {"absent", AttrType::kBool, false, false, false, false, false, "true: drop it"},
      {"default_version", AttrType::kString, false, false, false, false, true,
       "the version CREATE EXTENSION installs"},
  };
  registry.AddResource(schema);
}

ReadResult ExtensionResource::Read(const ResourceConfig& resource, ProviderContext&) {
  ReadResult result;
  auto session = Open(resource.config, &result.error);
  if (session) ReadExtension(*session, NameOf(resource.config), &result.state, &result.error);
  return result;
}

DiffResult ExtensionResource::Diff(const DiffRequest& request) const {
  DiffResult result;
  Change& change = result.change;
  change.before = request.prior;
  change.after = request.prior;
  Value version = DesiredAttr(request, "version");
  if (DesiredAttr(request, "absent").IsTrue()) {
    if (request.prior.exists) {
      change.action = ChangeAction::kDelete;
      change.notes.push_back("DROP EXTENSION loses data its objects hold; rollback recreates it");
    }
    change.after = State();
    return result;
  }
  if (!request.prior.exists) {
    change.action = ChangeAction::kCreate;
    change.after.exists = true;
    change.after.attributes = {{"name", NameOf(request.resource.config)},
                               {"version", version.is_null() ? Value(Unknown()) : version},
                               {"schema", DesiredAttr(request, "schema").is_null()
                                              ? Value(Unknown())
                                              : DesiredAttr(request, "schema")}};
    AddAttributeChanges(change, {"name", "schema", "version"});
    return result;
  }
  if (!version.is_null() && version != request.prior.attributes.at("version")) {
    change.action = ChangeAction::kUpdate;
    change.after.attributes["version"] = version;
    AddAttributeChanges(change, {"version"});
  }
  return result;
}

PrepareResult ExtensionResource::Prepare(const Operation& operation, ProviderContext&) {
  PrepareResult result;
  const State& before = operation.change.before;
  Value::Map undo{{"existed", before.exists}};
  if (before.exists) {
    undo["version"] = before.attributes.at("version");
    undo["schema"] = before.attributes.at("schema");
  }
  if (operation.change.action == ChangeAction::kUpdate) {
    auto session = Open(operation.resource.config, &result.error);
    if (!session) return result;
    SqlError sql_error;
    auto rows = session->Query(
        "SELECT 1 FROM pg_extension_update_paths($1) WHERE source = $2 AND target = $3"
        " AND path IS NOT NULL",
        {NameOf(operation.resource.config),
         operation.change.after.attributes.at("version").ToInterpolation(),
         before.attributes.at("version").ToInterpolation()},
        &sql_error);
    result.reversible = rows && !rows->empty();
  }
  result.undo = undo;
  return result;
}

ApplyResult ExtensionResource::Apply(const Operation& operation, const Value&, ProviderContext&) {
  ApplyResult result;
  const Value::Map& config = operation.resource.config;
  std::string name = NameOf(config);
  auto session = Open(config, &result.error);
  if (!session) return result;
  const Value::Map& after = operation.change.after.attributes;
  auto text = [&](const char* key) {
    return after.count(key) && after.at(key).is_string() ? after.at(key).as_string() : "";
  };
  std::string error;
  switch (operation.change.action) {
    case ChangeAction::kCreate: error = Run(*session, CreateSql(name, text("version"), text("schema"))); break;
    case ChangeAction::kUpdate:
      error = Run(*session, "ALTER EXTENSION " + QuoteIdent(name) + " UPDATE TO " +
                                QuoteLiteral(text("version")));
      break;
    case ChangeAction::kDelete: error = Run(*session, "DROP EXTENSION IF EXISTS " + QuoteIdent(name)); break;
    default: break;
  }
  if (!error.empty()) result.error = "extension " + name + ": " + error;
  std::string read_error;
  if (!ReadExtension(*session, name, &result.state, &read_error) && result.error.empty())
    result.error = read_error;
  return result;
}

ReverseResult ExtensionResource::Reverse(const ReverseRequest& request, ProviderContext&) {
  ReverseResult result;
  const Value::Map& config = request.resource.config;
  std::string name = NameOf(config);
  auto session = Open(config, &result.error);
  if (!session) return result;
  State now;
  if (!ReadExtension(*session, name, &now, &result.error)) return result;
  const Value& undo = request.undo;
  std::string error;
  if (!undo.Get("existed").IsTrue()) {
    if (now.exists) error = Run(*session, "DROP EXTENSION IF EXISTS " + QuoteIdent(name));
  } else if (!now.exists) {
    error = Run(*session, CreateSql(name, undo.GetString("version"), undo.GetString("schema")));
  } else if (now.attributes["version"] != undo.Get("version")) {
    error = Run(*session, "ALTER EXTENSION " + QuoteIdent(name) + " UPDATE TO " +
                              QuoteLiteral(undo.GetString("version")));
  }
  if (!error.empty()) result.error = "extension " + name + ": " + error;
  std::string read_error;
  if (!ReadExtension(*session, name, &result.state, &read_error) && result.error.empty())
    result.error = read_error;
  return result;
}

}  // namespace upgrade::postgres
