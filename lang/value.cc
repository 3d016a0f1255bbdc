// Value accessors and display forms.
#include "lang/value.h"

#include <array>
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

// Appends `s` quoted as a plan shows it; the clean runs between escapes are copied whole.
void AppendQuoted(const std::string& s, std::string& out) {
  // The bytes that are escaped, looked up in one load each: a plan shows thousands of strings
  // (paths, digests), nearly all of whose bytes are copied as they are.
  static constexpr std::array<bool, 256> kEscaped = [] {
    std::array<bool, 256> table{};
    for (unsigned char c : {'"', '\\', '\n', '\t', '\r'}) table[c] = true;
    return table;
  }();
  out += '"';
  size_t clean = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!kEscaped[static_cast<unsigned char>(s[i])]) continue;
    const char* escaped = nullptr;
    switch (s[i]) {
      case '"': escaped = "\\\""; break;
      case '\\': escaped = "\\\\"; break;
      case '\n': escaped = "\\n"; break;
      case '\t': escaped = "\\t"; break;
      case '\r': escaped = "\\r"; break;
      default: continue;
    }
    out.append(s, clean, i - clean);
    out += escaped;
    clean = i + 1;
  }
  out.append(s, clean, std::string::npos);
  out += '"';
}

void AppendDisplayTo(const Value& v, bool reveal, std::string& out) {
  if (v.sensitive() && !reveal) {
    out += kSensitiveText;
    return;
  }
  switch (v.type()) {
    case Value::Type::kNull: out += "null"; return;
    case Value::Type::kBool: out += v.as_bool() ? "true" : "false"; return;
    case Value::Type::kNumber: out += FormatNumber(v.as_number()); return;
    case Value::Type::kString: AppendQuoted(v.as_string(), out); return;
    case Value::Type::kDuration: out += FormatDuration(v.as_duration()); return;
    case Value::Type::kUnknown: out += kUnknownText; return;
    case Value::Type::kList: {
      out += '[';
      bool first = true;
      for (const auto& item : v.as_list()) {
        if (!first) out += ", ";
        first = false;
        AppendDisplayTo(item, reveal, out);
      }
      out += ']';
      return;
    }
    case Value::Type::kMap: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.as_map()) {
        if (!first) out += ", ";
        first = false;
        AppendQuoted(key, out);
        out += " = ";
        AppendDisplayTo(item, reveal, out);
      }
      out += '}';
      return;
    }
  }
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

std::string Value::ToDisplay() const {
  std::string out;
  AppendDisplayTo(*this, false, out);
  return out;
}

std::string Value::ToDisplayRevealed() const {
  std::string out;
  AppendDisplayTo(*this, true, out);
  return out;
}

void Value::AppendDisplay(std::string& out) const { AppendDisplayTo(*this, false, out); }

std::string Value::ToInterpolation() const {
  if (is_string()) return as_string();
  return ToDisplayRevealed();
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
