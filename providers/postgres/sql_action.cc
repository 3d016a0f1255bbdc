// The postgres.sql action; see sql_action.h.
//
// Whether a transactional script committed is what decides if its undo must run: Apply
// returns a refined undo record marked `applied` once it has committed, and Reverse runs the
// undo script only for such a record (or for a non-transactional script, which may have run
// in part).
#include "providers/postgres/sql_action.h"

#include "providers/postgres/pg_session.h"
#include "providers/postgres/script_runner.h"

namespace upgrade::postgres {

void SqlAction::Describe(SchemaRegistry& registry) {
  ActionSchema schema;
  schema.type = "postgres.sql";
  schema.description = "run a SQL script, in one transaction unless transaction = false";
  schema.attributes = {
      {"database", AttrType::kResource, false, false, false, false, false,
       "the postgres.database to run it in"},
      {"url", AttrType::kString, false, false, false, false, false,
       "connection string, when no `database` is given"},
      {"sql", AttrType::kString, true, false, false, false, false, "the script"},
      {"undo", AttrType::kString, false, false, false, false, false,
       "the script that reverses it"},
      {"transaction", AttrType::kBool, false, false, false, false, false,
       "run in one transaction (default true)"},
  };
  registry.AddAction(schema);
}

PrepareResult SqlAction::Prepare(const Operation& operation) {
  PrepareResult result;
  const Value::Map& config = operation.resource.config;
  std::string undo = StringAttr(config, "undo");
  result.reversible = config.count("undo") != 0 && config.at("undo").is_string();
  result.undo = Value::Map{{"undo", undo},
                           {"transaction", BoolAttr(config, "transaction", true)},
                           {"applied", false}};
  return result;
}

ApplyResult SqlAction::Apply(const Operation& operation, const Value& undo) {
  ApplyResult result;
  const Value::Map& config = operation.resource.config;
  std::string dsn = TargetDsn(config, &result.error);
  if (dsn.empty()) return result;
  auto session = PgSession::Connect(dsn, &result.error);
  if (!session) return result;
  ScriptOptions options;
  options.label = operation.resource.name.empty() ? "sql" : operation.resource.name + ".sql";
  options.transactional = BoolAttr(config, "transaction", true);
  result.error = RunScript(*session, StringAttr(config, "sql"), options);
  if (result.error.empty()) {
    Value::Map refined = undo.is_map() ? undo.as_map() : Value::Map{};
    refined["applied"] = true;
    result.undo = refined;
    result.output = Value::Map{{"ok", true}};
  }
  return result;
}

ReverseResult SqlAction::Reverse(const ReverseRequest& request) {
  ReverseResult result;
  const Value& undo = request.undo;
  bool may_have_run = undo.Get("applied").IsTrue() || !undo.Get("transaction").IsTrue();
  std::string script = undo.GetString("undo");
  if (!may_have_run || script.empty()) return result;
  std::string dsn = TargetDsn(request.resource.config, &result.error);
  if (dsn.empty()) return result;
  auto session = PgSession::Connect(dsn, &result.error);
  if (!session) return result;
  ScriptOptions options;
  options.label = request.resource.name.empty() ? "undo" : request.resource.name + ".undo";
  options.transactional = undo.Get("transaction").IsTrue();
  result.error = RunScript(*session, script, options);
  return result;
}

}  // namespace upgrade::postgres
