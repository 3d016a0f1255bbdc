// The postgres.role resource type; see role_resource.h.
//
// The state's `password` is the server's SCRAM verifier (marked sensitive) when the
// connecting role may read pg_authid; Diff checks the desired password against it, so an
// unchanged password plans no change. Passwords are hashed here before they are sent, and
// undo records keep the old verifier (never a password) so rollback restores it exactly.
#include "providers/postgres/role_resource.h"

#include <algorithm>

#include "providers/postgres/pg_session.h"
#include "providers/postgres/scram.h"

namespace upgrade::postgres {
namespace {

// Role flags: attribute name, pg_roles column, keyword when true, keyword when false.
struct Flag {
  const char* attribute;
  const char* column;
  const char* on;
  const char* off;
};
constexpr Flag kFlags[] = {
    {"login", "rolcanlogin", "LOGIN", "NOLOGIN"},
    {"superuser", "rolsuper", "SUPERUSER", "NOSUPERUSER"},
    {"createdb", "rolcreatedb", "CREATEDB", "NOCREATEDB"},
    {"createrole", "rolcreaterole", "CREATEROLE", "NOCREATEROLE"},
    {"replication", "rolreplication", "REPLICATION", "NOREPLICATION"},
    {"inherit", "rolinherit", "INHERIT", "NOINHERIT"},
};

std::unique_ptr<PgSession> Open(const Value::Map& config, std::string* error) {
  std::string dsn = TargetDsn(config, error);
  return dsn.empty() ? nullptr : PgSession::Connect(dsn, error);
}

bool ReadRole(PgSession& session, const std::string& name, State* state, std::string* error) {
  SqlError sql_error;
  std::string columns;
  for (const Flag& flag : kFlags) columns += std::string(flag.column) + ", ";
  auto rows = session.Query("SELECT " + columns + "rolconnlimit FROM pg_roles WHERE rolname = $1",
                            {name}, &sql_error);
  auto members = rows ? session.Query(
                            "SELECT g.rolname FROM pg_auth_members m"
                            " JOIN pg_roles g ON g.oid = m.roleid"
                            " JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = $1"
                            " ORDER BY 1",
                            {name}, &sql_error)
                      : std::nullopt;
  if (!rows || !members) {
    *error = "reading role " + name + ": " + sql_error.message;
    return false;
  }
  *state = State();
  if (rows->empty()) return true;
  state->exists = true;
  state->attributes["name"] = name;
  for (size_t i = 0; i < std::size(kFlags); ++i)
    state->attributes[kFlags[i].attribute] = (*rows)[0][i].value_or("f") == "t";
  state->attributes["connection_limit"] =
      std::stod((*rows)[0][std::size(kFlags)].value_or("-1"));
  Value::List member_of;
  for (const auto& row : *members) member_of.push_back(row[0].value_or(""));
  state->attributes["member_of"] = member_of;
  // Only a superuser reads pg_authid; without it the password stays unknown.
  SqlError ignored;
  auto secret = session.Query("SELECT rolpassword FROM pg_authid WHERE rolname = $1", {name},
                              &ignored);
  if (secret && !secret->empty())
    state->attributes["password"] =
        (*secret)[0][0] ? Value(*(*secret)[0][0]).MarkSensitive() : Value();
  return true;
}

bool PasswordSame(const Value& prior, const Value& desired) {
  if (!prior.is_string() || !desired.is_string()) return prior == desired;
  return prior == desired || ScramMatches(desired.as_string(), prior.as_string());
}

std::vector<std::string> Strings(const Value& list) {
  std::vector<std::string> out;
  if (list.is_list())
    for (const auto& item : list.as_list())
      if (item.is_string()) out.push_back(item.as_string());
  std::sort(out.begin(), out.end());
  return out;
}

// Brings role `name` to `target` (flags, limit, password verifier, memberships) from `now`.
std::string Converge(PgSession& session, const std::string& name, const Value::Map& target,
                     const State& now) {
  std::string options;
  for (const Flag& flag : kFlags) {
    auto it = target.find(flag.attribute);
    if (it != target.end() && it->second.is_bool())
      options += std::string(" ") + (it->second.as_bool() ? flag.on : flag.off);
  }
  auto limit = target.find("connection_limit");
  if (limit != target.end() && limit->second.is_number())
    options += " CONNECTION LIMIT " + std::to_string(static_cast<long>(limit->second.as_number()));
  auto password = target.find("password");
  std::string error;
  if (password != target.end()) {
    if (password->second.is_null()) {
      options += " PASSWORD NULL";
    } else if (password->second.is_string()) {
      const std::string& text = password->second.as_string();
      std::string verifier = text.rfind("SCRAM-SHA-256$", 0) == 0
                                 ? text
                                 : session.EncryptPassword(name, text, &error);
      if (!error.empty()) return error;
      options += " PASSWORD " + QuoteLiteral(verifier);
    }
  }
  SqlError sql_error;
  std::string verb = now.exists ? "ALTER ROLE " : "CREATE ROLE ";
  bool needed = !now.exists || !options.empty();
  if (needed && !session.Exec(verb + QuoteIdent(name) + options, &sql_error))
    return sql_error.message;
  auto member_of = target.find("member_of");
  if (member_of == target.end()) return "";
  std::vector<std::string> want = Strings(member_of->second);
  std::vector<std::string> have =
      now.attributes.count("member_of") ? Strings(now.attributes.at("member_of")) : std::vector<std::string>{};
  for (const auto& group : want)
    if (!std::binary_search(have.begin(), have.end(), group) &&
        !session.Exec("GRANT " + QuoteIdent(group) + " TO " + QuoteIdent(name), &sql_error))
      return sql_error.message;
  for (const auto& group : have)
    if (!std::binary_search(want.begin(), want.end(), group) &&
        !session.Exec("REVOKE " + QuoteIdent(group) + " FROM " + QuoteIdent(name), &sql_error))
      return sql_error.message;
  return "";
}

std::string NameOf(const Value::Map& config) { return StringAttr(config, "name"); }

}  // namespace

void RoleResource::Describe(SchemaRegistry& registry) const {
  ResourceTypeSchema schema;
  schema.type = Type();
  schema.description = "a role: present or absent, login and attributes, memberships, password";
  schema.attributes = {
      {"url", AttrType::kString, false, true, false, false, false, "the server's DSN"},
      {"database", AttrType::kResource, false, true, false, false, false,
       "a postgres.database on the server (instead of url)"},
      {"name", AttrType::kString, true, true, false, false, false, "role name"},
      {"password", AttrType::kString, false, false, true, false, false, "set, never shown"},
      {"member_of", AttrType::kList, false, false, false, false, false, "roles it belongs to"},
      {"connection_limit", AttrType::kNumber, false, false, false, false, false, "-1: none"},
      {"absent", AttrType::kBool, false, false, false, false, false, "true: drop it"},
  };
  for (const Flag& flag : kFlags)
    schema.attributes.push_back({flag.attribute, AttrType::kBool, false, false, false, false,
                                 false, std::string("the role's ") + flag.on + " attribute"});
  registry.AddResource(schema);
}

ReadResult RoleResource::Read(const ResourceConfig& resource, ProviderContext&) {
  ReadResult result;
  auto session = Open(resource.config, &result.error);
  if (session) ReadRole(*session, NameOf(resource.config), &result.state, &result.error);
  return result;
}

DiffResult RoleResource::Diff(const DiffRequest& request) const {
  DiffResult result;
  Change& change = result.change;
  change.before = request.prior;
  change.after = request.prior;
  if (DesiredAttr(request, "absent").IsTrue()) {
    if (request.prior.exists) change.action = ChangeAction::kDelete;
    change.after = State();
    return result;
  }
  change.after.exists = true;
  change.after.attributes["name"] = NameOf(request.resource.config);
  std::vector<std::string> names{"connection_limit", "member_of", "password"};
  for (const Flag& flag : kFlags) names.push_back(flag.attribute);
  for (const auto& name : names) {
    Value desired = DesiredAttr(request, name);
    if (desired.is_null()) continue;
    if (name == "member_of") {
      std::vector<std::string> groups = Strings(desired);
      desired = Value(Value::List(groups.begin(), groups.end()));
    }
    auto prior = request.prior.attributes.find(name);
    bool same = prior != request.prior.attributes.end() &&
                (name == "password" ? PasswordSame(prior->second, desired)
                                    : prior->second == desired);
    if (!same) change.after.attributes[name] = name == "password" ? desired.MarkSensitive() : desired;
  }
  std::sort(names.begin(), names.end());
  AddAttributeChanges(change, names, {"password"});
  if (!request.prior.exists) {
    change.action = ChangeAction::kCreate;
  } else if (!change.attributes.empty()) {
    change.action = ChangeAction::kUpdate;
  }
  return result;
}

PrepareResult RoleResource::Prepare(const Operation& operation, ProviderContext&) {
  PrepareResult result;
  const State& before = operation.change.before;
  Value::Map attributes = before.attributes;
  // The old verifier is a salted hash, not a password; it goes in the record unmarked so the
  // journal keeps it and rollback can put it back. A role whose password could not be read
  // cannot have it restored.
  auto password = attributes.find("password");
  if (password != attributes.end()) password->second.MarkSensitive(false);
  bool changes_password = false;
  for (const auto& attribute : operation.change.attributes)
    changes_password |= attribute.name == "password";
  if (before.exists && changes_password && password == attributes.end()) result.reversible = false;
  result.undo = Value::Map{{"existed", before.exists}, {"attributes", attributes}};
  return result;
}

ApplyResult RoleResource::Apply(const Operation& operation, const Value&, ProviderContext&) {
  ApplyResult result;
  const Value::Map& config = operation.resource.config;
  std::string name = NameOf(config);
  auto session = Open(config, &result.error);
  if (!session) return result;
  State now;
  if (!ReadRole(*session, name, &now, &result.error)) return result;
  std::string error;
  if (operation.change.action == ChangeAction::kDelete) {
    SqlError sql_error;
    if (now.exists && !session->Exec("DROP ROLE " + QuoteIdent(name), &sql_error))
      error = sql_error.message;
  } else {
    Value::Map target;
    for (const auto& attribute : operation.change.attributes)
      target[attribute.name] = attribute.after;
    error = Converge(*session, name, target, now);
  }
  if (!error.empty()) result.error = "role " + name + ": " + error;
  std::string read_error;
  if (!ReadRole(*session, name, &result.state, &read_error) && result.error.empty())
    result.error = read_error;
  return result;
}

ReverseResult RoleResource::Reverse(const ReverseRequest& request, ProviderContext&) {
  ReverseResult result;
  const Value::Map& config = request.resource.config;
  std::string name = NameOf(config);
  auto session = Open(config, &result.error);
  if (!session) return result;
  State now;
  if (!ReadRole(*session, name, &now, &result.error)) return result;
  std::string error;
  SqlError sql_error;
  if (!request.undo.Get("existed").IsTrue()) {
    if (now.exists && !session->Exec("DROP ROLE " + QuoteIdent(name), &sql_error))
      error = sql_error.message;
  } else {
    Value::Map target = request.undo.Get("attributes").is_map()
                            ? request.undo.Get("attributes").as_map()
                            : Value::Map{};
    target.erase("name");
    error = Converge(*session, name, target, now);
  }
  if (!error.empty()) result.error = "role " + name + ": " + error;
  std::string read_error;
  if (!ReadRole(*session, name, &result.state, &read_error) && result.error.empty())
    result.error = read_error;
  return result;
}

}  // namespace upgrade::postgres
