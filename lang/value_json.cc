// JSON encoding of values, with sensitive values redacted or digested, never written in plain.
#include "lang/value_json.h"

#include <nlohmann/json.hpp>

namespace upgrade {

nlohmann::json ValueToJson(const Value& value, SecretPolicy policy) {
  if (value.sensitive()) {
    if (policy == SecretPolicy::kRedact) return kSensitiveText;
    Value plain = value;
    plain.MarkSensitive(false);
    std::string canonical = ValueToJson(plain, SecretPolicy::kDigest).dump();
    return nlohmann::json{{"$sensitive", "sha256:" + Sha256Hex(canonical)}};
  }
  switch (value.type()) {
    case Value::Type::kNull: return nullptr;
    case Value::Type::kBool: return value.as_bool();
    case Value::Type::kNumber: {
      double n = value.as_number();
      if (n == static_cast<double>(static_cast<long long>(n))) return static_cast<long long>(n);
      return n;
    }
    case Value::Type::kString: return value.as_string();
    case Value::Type::kDuration:
      return nlohmann::json{{"$duration_ms", value.as_duration().count()}};
    case Value::Type::kList: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : value.as_list()) out.push_back(ValueToJson(item, policy));
      return out;
    }
    case Value::Type::kUnknown: return nlohmann::json{{"$unknown", true}};
    case Value::Type::kMap: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [key, item] : value.as_map()) out[key] = ValueToJson(item, policy);
      return out;
    }
  }
  return nullptr;
}

Value ValueFromJson(const nlohmann::json& json) {
  switch (json.type()) {
    case nlohmann::json::value_t::null: return Value();
    case nlohmann::json::value_t::boolean: return Value(json.get<bool>());
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: return Value(json.get<double>());
    case nlohmann::json::value_t::string: return Value(json.get<std::string>());
    case nlohmann::json::value_t::array: {
      Value::List list;
      for (const auto& item : json) list.push_back(ValueFromJson(item));
      return Value(std::move(list));
    }
    case nlohmann::json::value_t::object: {
      if (json.size() == 1 && json.contains("$duration_ms"))
        return Value(Duration(json["$duration_ms"].get<long long>()));
      if (json.size() == 1 && json.contains("$unknown")) return Value(Unknown{});
      if (json.size() == 1 && json.contains("$sensitive")) {
        Value secret(json["$sensitive"].get<std::string>());
        return secret.MarkSensitive();
      }
      Value::Map map;
      for (auto it = json.begin(); it != json.end(); ++it) map[it.key()] = ValueFromJson(it.value());
      return Value(std::move(map));
    }
    default: return Value();
  }
}

}  // namespace upgrade
