// The provider's functions; see functions.h. They use libpqxx; `query` binds its arguments as
// parameters (exec_params) in a read-only transaction, so neither splicing nor writing is
// possible through it.
#include "providers/postgres/functions.h"

#include <pqxx/pqxx>

#include "providers/postgres/dsn.h"
#include "providers/postgres/migrations.h"
#include "providers/postgres/migrations_resource.h"
#include "providers/postgres/pg_session.h"

namespace upgrade::postgres {
namespace {

// PostgreSQL type OIDs (pg_type.h) that become numbers and bools.
constexpr pqxx::oid kBoolOid = 16;
bool IsNumberOid(pqxx::oid type) {
  switch (type) {
    case 20: case 21: case 23: case 26: case 700: case 701: case 1700: return true;
    default: return false;
  }
}

Value FieldValue(const pqxx::field& field) {
  if (field.is_null()) return Value();
  if (field.type() == kBoolOid) return Value(std::string(field.c_str()) == "t");
  if (IsNumberOid(field.type())) {
    try {
      return Value(std::stod(field.c_str()));
    } catch (const std::exception&) {
      return Value(std::string(field.c_str()));  // NaN, Infinity
    }
  }
  return Value(std::string(field.c_str()));
}

std::optional<std::string> ParamText(const Value& value) {
  if (value.is_null()) return std::nullopt;
  if (value.is_bool()) return std::string(value.as_bool() ? "true" : "false");
  return value.ToInterpolation();
}

std::string DsnArg(const std::vector<Value>& args, std::string* error) {
  if (args.empty()) {
    *error = "needs a database";
    return "";
  }
  if (args[0].is_string()) return args[0].as_string();
  if (args[0].is_map()) return TargetDsn(args[0].as_map(), error);
  *error = "the first argument must be a postgres resource or a connection string";
  return "";
}

Value Query(const std::string& dsn, const std::string& sql, const std::vector<Value>& args) {
  pqxx::connection connection(ConnectionString(dsn));
  pqxx::read_transaction transaction(connection);
  std::vector<std::optional<std::string>> texts;
  for (size_t i = 2; i < args.size(); ++i) texts.push_back(ParamText(args[i]));
  std::vector<const char*> params;
  for (const auto& text : texts) params.push_back(text ? text->c_str() : nullptr);
  pqxx::result result = transaction.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
  Value::List rows;
  for (const auto& row : result) {
    Value::Map& map = rows.emplace_back(Value::Map{}).as_map();
    for (const auto& field : row) map[field.name()] = FieldValue(field);
  }
  Value first = result.empty() || result.columns() == 0 ? Value() : FieldValue(result[0][0]);
  return Value::Map{{"rows", rows}, {"value", first}};
}

std::string Single(const std::string& dsn, const std::string& sql) {
  pqxx::connection connection(ConnectionString(dsn));
  pqxx::read_transaction transaction(connection);
  pqxx::row row = transaction.exec1(sql);
  return row[0].is_null() ? "" : row[0].c_str();
}

std::string MigrationVersion(const std::string& dsn, const Value& arg) {
  std::string table = arg.is_map() ? MigrationsTable(arg.as_map()) : "upgrade_migrations";
  pqxx::connection connection(ConnectionString(dsn));
  pqxx::read_transaction transaction(connection);
  pqxx::row exists = transaction.exec_params1("SELECT to_regclass($1) IS NOT NULL",
                                              QuoteQualified(table));
  if (!exists[0].as<bool>()) return "0";
  std::vector<std::string> versions;
  for (const auto& row : transaction.exec("SELECT version FROM " + QuoteQualified(table)))
    versions.push_back(row[0].c_str());
  return CurrentVersion(versions);
}

}  // namespace

void DescribeFunctions(SchemaRegistry& registry) {
  registry.AddFunction({"postgres.reachable", 1, 1, {AttrType::kAny}, true,
                        "true when the database accepts a connection"});
  registry.AddFunction({"postgres.query", 2, -1, {AttrType::kAny, AttrType::kString}, true,
                        "runs a read-only query; {rows, value} (value: first column of the first"
                        " row); further arguments bind to $1, $2, ..."});
  registry.AddFunction({"postgres.version", 1, 1, {AttrType::kAny}, true,
                        "the server version, e.g. \"15.10\""});
  registry.AddFunction({"postgres.migration_version", 1, 1, {AttrType::kAny}, true,
                        "the highest applied migration version, \"0\" when none"});
}

CallResult CallFunction(const std::string& name, const std::vector<Value>& args,
                        ProviderContext&) {
  CallResult result;
  std::string dsn = DsnArg(args, &result.error);
  if (dsn.empty()) {
    result.error = name + ": " + result.error;
    return result;
  }
  try {
    if (name == "postgres.reachable") {
      try {
        Single(dsn, "SELECT 1");
        result.value = true;
      } catch (const pqxx::broken_connection&) {
        result.value = false;
      }
    } else if (name == "postgres.query") {
      if (args.size() < 2 || !args[1].is_string()) {
        result.error = name + ": the second argument must be the SQL text";
        return result;
      }
      result.value = Query(dsn, args[1].as_string(), args);
    } else if (name == "postgres.version") {
      std::string version = Single(dsn, "SHOW server_version");
      result.value = version.substr(0, version.find(' '));
    } else if (name == "postgres.migration_version") {
      result.value = MigrationVersion(dsn, args[0]);
    } else {
      result.error = "unknown function " + name;
    }
  } catch (const pqxx::broken_connection& e) {
    std::string message = e.what();
    while (!message.empty() && message.back() == '\n') message.pop_back();
    result.error = name + ": cannot connect to " + MaskDsn(dsn) + ": " +
                   ScrubPassword(message, dsn);
  } catch (const std::exception& e) {
    std::string message = e.what();
    while (!message.empty() && message.back() == '\n') message.pop_back();
    result.error = name + " on " + MaskDsn(dsn) + ": " + ScrubPassword(message, dsn);
  }
  return result;
}

}  // namespace upgrade::postgres
