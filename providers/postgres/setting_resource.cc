// The postgres.setting resource type; see setting_resource.h.
//
// State attributes: `value` (the raw pg_settings value), `unit`, `context`, `pending_restart`
// and `system_value` (what postgresql.auto.conf holds for it, null when nothing), which is
// what the undo record keeps: rollback sets it back or RESETs it.
#include "providers/postgres/setting_resource.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <thread>

#include "providers/postgres/pg_session.h"

namespace upgrade::postgres {
namespace {

std::unique_ptr<PgSession> Open(const Value::Map& config, std::string* error) {
  std::string dsn = TargetDsn(config, error);
  return dsn.empty() ? nullptr : PgSession::Connect(dsn, error);
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Bytes or microseconds in one `unit`, 0 when it is not a unit.
double UnitScale(const std::string& unit) {
  static const std::pair<const char*, double> kUnits[] = {
      {"B", 1}, {"kB", 1024}, {"MB", 1024.0 * 1024}, {"GB", 1024.0 * 1024 * 1024},
      {"TB", 1024.0 * 1024 * 1024 * 1024}, {"us", 1}, {"ms", 1e3}, {"s", 1e6},
      {"min", 6e7}, {"h", 3.6e9}, {"d", 8.64e10}};
  for (const auto& [name, scale] : kUnits)
    if (unit == name) return scale;
  return 0;
}

// The value in bytes or microseconds, or NAN when it is no number with a known unit.
double Normalize(const std::string& value, const std::string& base_unit) {
  size_t digits = 0;
  while (digits < base_unit.size() && std::isdigit(static_cast<unsigned char>(base_unit[digits])))
    ++digits;
  double base = (digits ? std::stod(base_unit.substr(0, digits)) : 1.0) *
                UnitScale(base_unit.substr(digits));
  if (base == 0) return NAN;
  char* end = nullptr;
  double number = std::strtod(value.c_str(), &end);
  if (end == value.c_str()) return NAN;
  std::string suffix(end);
  suffix.erase(std::remove(suffix.begin(), suffix.end(), ' '), suffix.end());
  if (suffix.empty()) return number * base;
  double scale = UnitScale(suffix);
  return scale == 0 ? NAN : number * scale;
}

std::string Canonical(const std::string& value) {
  std::string lower = Lower(value);
  if (lower == "on" || lower == "true" || lower == "yes" || lower == "1") return "on";
  if (lower == "off" || lower == "false" || lower == "no" || lower == "0") return "off";
  return lower;
}

bool ReadSetting(PgSession& session, const std::string& name, State* state, std::string* error) {
  SqlError sql_error;
  auto rows = session.Query(
      "SELECT setting, coalesce(unit, ''), context, pending_restart FROM pg_settings"
      " WHERE name = $1",
      {name}, &sql_error);
  if (!rows || rows->empty()) {
    *error = rows ? "unknown setting " + name : "reading setting " + name + ": " + sql_error.message;
    return false;
  }
  const auto& row = (*rows)[0];
  *state = State();
  state->exists = true;
  state->attributes = {{"name", name},
                       {"value", row[0].value_or("")},
                       {"unit", row[1].value_or("")},
                       {"context", row[2].value_or("")},
                       {"pending_restart", row[3].value_or("f") == "t"},
                       {"system_value", Value()}};
  // pg_file_settings needs superuser; without it the auto.conf value stays null.
  auto file = session.Query(
      "SELECT setting FROM pg_file_settings WHERE name = $1"
      " AND sourcefile LIKE '%postgresql.auto.conf' ORDER BY seqno DESC LIMIT 1",
      {name}, &sql_error);
  if (file && !file->empty()) state->attributes["system_value"] = (*file)[0][0].value_or("");
  return true;
}

std::string Text(const Value& value) {
  if (value.is_bool()) return value.as_bool() ? "on" : "off";
  return value.ToInterpolation();
}

// Sets (or with null, resets) the ALTER SYSTEM value and reloads; then waits up to 5 s for new
// sessions to see it, unless only a restart applies it.
std::string SetSystemValue(PgSession& session, const std::string& name, const Value& value,
                           const std::string& context, const std::string& unit) {
  SqlError sql_error;
  std::string sql = value.is_null()
                        ? "ALTER SYSTEM RESET " + QuoteIdent(name)
                        : "ALTER SYSTEM SET " + QuoteIdent(name) + " = " + QuoteLiteral(Text(value));
  if (!session.Exec(sql, &sql_error) || !session.Exec("SELECT pg_reload_conf()", &sql_error))
    return sql_error.message;
  if (context == "postmaster" || context == "internal" || value.is_null()) return "";
  for (int i = 0; i < 50; ++i) {
    SqlError ignored;
    auto rows = session.Query("SELECT setting FROM pg_settings WHERE name = $1", {name}, &ignored);
    // This session re-reads the configuration at its next command after the signal.
    if (rows && !rows->empty() && SameSettingValue((*rows)[0][0].value_or(""), Text(value), unit))
      return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return "";
}

std::string NameOf(const Value::Map& config) { return StringAttr(config, "name"); }

}  // namespace

bool SameSettingValue(const std::string& a, const std::string& b, const std::string& unit) {
  if (!unit.empty()) {
    double x = Normalize(a, unit), y = Normalize(b, unit);
    if (!std::isnan(x) && !std::isnan(y)) return std::fabs(x - y) < 1e-6 * std::max(1.0, std::fabs(x));
  }
  return Canonical(a) == Canonical(b);
}

void SettingResource::Describe(SchemaRegistry& registry) const {
  ResourceTypeSchema schema;
  schema.type = Type();
  schema.description = "a server setting, changed with ALTER SYSTEM and a reload";
  schema.attributes = {
      {"url", AttrType::kString, false, true, false, false, false, "the server's DSN"},
      {"database", AttrType::kResource, false, true, false, false, false,
       "a postgres.database on the server (instead of url)"},
      {"name", AttrType::kString, true, true, false, false, false, "setting name"},
      {"value", AttrType::kAny, false, false, false, false, false, "desired value"},
      {"unit", AttrType::kString, false, false, false, false, true, "base unit"},
      {"context", AttrType::kString, false, false, false, false, true,
       "when it applies (postmaster: at restart)"},
      {"pending_restart", AttrType::kBool, false, false, false, false, true,
       "changed but waiting for a restart"},
      {"system_value", AttrType::kAny, false, false, false, false, true,
       "the ALTER SYSTEM value, null when none"},
  };
  registry.AddResource(schema);
}

ReadResult SettingResource::Read(const ResourceConfig& resource, ProviderContext&) {
  ReadResult result;
  auto session = Open(resource.config, &result.error);
  if (session) ReadSetting(*session, NameOf(resource.config), &result.state, &result.error);
  return result;
}

DiffResult SettingResource::Diff(const DiffRequest& request) const {
  DiffResult result;
  Change& change = result.change;
  change.before = request.prior;
  change.after = request.prior;
  Value desired = DesiredAttr(request, "value");
  if (desired.is_null()) return result;
  if (desired.is_unknown()) {
    result.error = "the value of setting " + NameOf(request.resource.config) +
                   " must be known at plan time";
    return result;
  }
  const Value::Map& prior = request.prior.attributes;
  std::string unit = StringAttr(prior, "unit");
  if (SameSettingValue(StringAttr(prior, "value"), Text(desired), unit)) return result;
  change.action = ChangeAction::kUpdate;
  change.after.attributes["value"] = Text(desired);
  change.after.attributes["system_value"] = Text(desired);
  if (StringAttr(prior, "context") == "postmaster") {
    change.after.attributes["pending_restart"] = true;
    change.notes.push_back("needs a server restart to take effect");
  }
  AddAttributeChanges(change, {"pending_restart", "system_value", "value"});
  return result;
}

PrepareResult SettingResource::Prepare(const Operation& operation, ProviderContext&) {
  PrepareResult result;
  const Value::Map& before = operation.change.before.attributes;
  result.undo = Value::Map{{"system_value", before.count("system_value") ? before.at("system_value")
                                                                         : Value()}};
  return result;
}

ApplyResult SettingResource::Apply(const Operation& operation, const Value&, ProviderContext&) {
  ApplyResult result;
  const Value::Map& config = operation.resource.config;
  std::string name = NameOf(config);
  auto session = Open(config, &result.error);
  if (!session) return result;
  const Value::Map& before = operation.change.before.attributes;
  const Value::Map& after = operation.change.after.attributes;
  std::string error = SetSystemValue(*session, name, after.count("value") ? after.at("value") : Value(),
                                     StringAttr(before, "context"), StringAttr(before, "unit"));
  if (!error.empty()) result.error = "setting " + name + ": " + error;
  std::string read_error;
  if (!ReadSetting(*session, name, &result.state, &read_error) && result.error.empty())
    result.error = read_error;
  return result;
}

ReverseResult SettingResource::Reverse(const ReverseRequest& request, ProviderContext&) {
  ReverseResult result;
  const Value::Map& config = request.resource.config;
  std::string name = NameOf(config);
  auto session = Open(config, &result.error);
  if (!session) return result;
  State now;
  if (!ReadSetting(*session, name, &now, &result.error)) return result;
  std::string error = SetSystemValue(*session, name, request.undo.Get("system_value"),
                                     StringAttr(now.attributes, "context"),
                                     StringAttr(now.attributes, "unit"));
  if (!error.empty()) result.error = "setting " + name + ": " + error;
  std::string read_error;
  if (!ReadSetting(*session, name, &result.state, &read_error) && result.error.empty())
    result.error = read_error;
  return result;
}

}  // namespace upgrade::postgres
