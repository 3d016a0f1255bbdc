// Value accessors and display forms.
#include "lang/value.h"

#include <cmath>
#include <cstdio>

namespace upgrade {
namespace {

const Value& NullValue() {
  static const Value null_value;
  return null_value;
}

std::string FormatNumber(double n) {
  if (std::isfinite(n) && std::floor(n) == n && std::fabs(n) < 1e15) {
    return std::to_string(static_cast<long long>(n));
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", n);
  return buf;
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '$': out += "$"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

std::string Display(const Value& v, bool reveal) {
  if (v.sensitive() && !reveal) return kSensitiveText;
  switch (v.type()) {
    case Value::Type::kNull: return "null";
    case Value::Type::kBool: return v.as_bool() ? "true" : "false";
    case Value::Type::kNumber: return FormatNumber(v.as_number());
    case Value::Type::kString: return Quote(v.as_string());
    case Value::Type::kDuration: return FormatDuration(v.as_duration());
    case Value::Type::kList: {
      std::string out = "[";
      for (const auto& item : v.as_list()) {
        if (out.size() > 1) out += ", ";
        out += Display(item, reveal);
      }
      return out + "]";
    }
    case Value::Type::kUnknown: return kUnknownText;
    case Value::Type::kMap: {
      std::string out = "{";
      for (const auto& [key, item] : v.as_map()) {
        if (out.size() > 1) out += ", ";
        out += Quote(key) + " = " + Display(item, reveal);
      }
      return out + "}";
    }
  }
  return "";
}

}  // namespace

const Value& Value::Get(const std::string& key) const {
  if (!is_map()) return NullValue();
  auto it = as_map().find(key);
  return it == as_map().end() ? NullValue() : it->second;
}

std::string Value::GetString(const std::string& key, const std::string& fallback) const {
  const Value& v = Get(key);
  return v.is_string() ? v.as_string() : fallback;
}

bool Value::ContainsSensitive() const {
  if (sensitive_) return true;
  if (is_list()) {
    for (const auto& item : as_list())
      if (item.ContainsSensitive()) return true;
  } else if (is_map()) {
    for (const auto& [key, item] : as_map())
      if (item.ContainsSensitive()) return true;
  }
  return false;
}

bool Value::ContainsUnknown() const {
  if (is_unknown()) return true;
  if (is_list()) {
    for (const auto& item : as_list())
      if (item.ContainsUnknown()) return true;
  } else if (is_map()) {
    for (const auto& [key, item] : as_map())
      if (item.ContainsUnknown()) return true;
  }
  return false;
}

const char* Value::TypeName(Type type) {
  switch (type) {
    case Type::kNull: return "null";
    case Type::kBool: return "bool";
    case Type::kNumber: return "number";
    case Type::kString: return "string";
    case Type::kDuration: return "duration";
    case Type::kList: return "list";
    case Type::kMap: return "map";
    case Type::kUnknown: return "unknown";
  }
  return "?";
}

std::string Value::ToDisplay() const { return Display(*this, false); }
std::string Value::ToDisplayRevealed() const { return Display(*this, true); }

std::string Value::ToInterpolation() const {
  if (is_string()) return as_string();
  return Display(*this, true);
}

std::string FormatDuration(Duration d) {
  long long ms = d.count();
  if (ms == 0) return "0s";
  std::string sign = ms < 0 ? "-" : "";
  if (ms < 0) ms = -ms;
  if (ms % 1000 != 0) return sign + std::to_string(ms) + "ms";
  long long s = ms / 1000;
  std::string out;
  if (s >= 3600) {
    out += std::to_string(s / 3600) + "h";
    s %= 3600;
  }
  if (s >= 60) {
    out += std::to_string(s / 60) + "m";
    s %= 60;
  }
  if (s > 0) out += std::to_string(s) + "s";
  return sign + out;
}

}  // namespace upgrade
