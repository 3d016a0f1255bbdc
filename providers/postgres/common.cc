// Shared helpers of the PostgreSQL provider; see common.h.
#include "providers/postgres/common.h"

#include <algorithm>

#include "providers/postgres/dsn.h"

namespace upgrade::postgres {

std::string StringAttr(const Value::Map& map, const std::string& key,
                       const std::string& fallback) {
  auto it = map.find(key);
  return it != map.end() && it->second.is_string() ? it->second.as_string() : fallback;
}

bool BoolAttr(const Value::Map& map, const std::string& key, bool fallback) {
  auto it = map.find(key);
  return it != map.end() && it->second.is_bool() ? it->second.as_bool() : fallback;
}

std::string TargetDsn(const Value::Map& map, std::string* error) {
  auto database = map.find("database");
  if (database != map.end() && database->second.is_map())
    return TargetDsn(database->second.as_map(), error);
  std::string url = StringAttr(map, "url");
  if (url.empty()) {
    *error = "no connection string: give `url` or `database`";
    return "";
  }
  // Only a postgres.database (the one type with an `encoding`) names a database by `name`.
  std::string name = map.count("encoding") != 0 ? StringAttr(map, "name") : "";
  return name.empty() || name == DatabaseOf(url) ? url : DsnWithDatabase(url, name);
}

std::string QuoteIdent(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string QuoteQualified(const std::string& name) {
  size_t dot = name.find('.');
  if (dot == std::string::npos) return QuoteIdent(name);
  return QuoteIdent(name.substr(0, dot)) + "." + QuoteIdent(name.substr(dot + 1));
}

std::string QuoteLiteral(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

Value DesiredAttr(const DiffRequest& request, const std::string& key) {
  auto set = request.desired.find(key);
  if (set != request.desired.end()) return set->second;
  auto config = request.resource.config.find(key);
  return config != request.resource.config.end() ? config->second : Value();
}

void AddAttributeChanges(Change& change, const std::vector<std::string>& names,
                         const std::vector<std::string>& sensitive) {
  for (const auto& name : names) {
    Value before = change.before.attributes.count(name) ? change.before.attributes.at(name)
                                                        : Value();
    Value after = change.after.attributes.count(name) ? change.after.attributes.at(name)
                                                      : Value();
    if (before == after) continue;
    AttributeChange attribute;
    attribute.name = name;
    attribute.before = before;
    attribute.after = after;
    attribute.sensitive =
        std::find(sensitive.begin(), sensitive.end(), name) != sensitive.end();
    change.attributes.push_back(attribute);
  }
  std::sort(change.attributes.begin(), change.attributes.end(),
            [](const AttributeChange& a, const AttributeChange& b) { return a.name < b.name; });
}

}  // namespace upgrade::postgres
