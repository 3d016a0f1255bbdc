// The dynamically typed values of the plan language, shared by the checker, the planner, the
// executor and every provider (attributes, states, undo records, function results).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace upgrade {

/// A span of time written `500ms`, `30s`, `2m` or `1h` in plans.
using Duration = std::chrono::milliseconds;

/// The marker of a value that only applying will tell (a new container's id, say).
struct Unknown {
  bool operator==(const Unknown&) const { return true; }
};

/// One value: null, bool, number, string, duration, list, map or unknown, plus a sensitivity mark.
///
/// Numbers are doubles (integral ones print without a fraction). A sensitive value (a password,
/// a DSN with a password) prints as "(sensitive value)" everywhere; the mark spreads to every
/// value computed from it. Maps keep their keys sorted, so equal values serialize identically.
class Value {
 public:
  using List = std::vector<Value>;
  using Map = std::map<std::string, Value>;
  enum class Type { kNull, kBool, kNumber, kString, kDuration, kList, kMap, kUnknown };

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : data_(b) {}
  Value(int n) : data_(static_cast<double>(n)) {}
  Value(int64_t n) : data_(static_cast<double>(n)) {}
  Value(double n) : data_(n) {}
  Value(const char* s) : data_(std::string(s)) {}
  Value(std::string s) : data_(std::move(s)) {}
  Value(Duration d) : data_(d) {}
  Value(List l) : data_(std::move(l)) {}
  Value(Map m) : data_(std::move(m)) {}
  Value(Unknown u) : data_(u) {}

  Type type() const { return static_cast<Type>(data_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_number() const { return type() == Type::kNumber; }
  bool is_string() const { return type() == Type::kString; }
  bool is_duration() const { return type() == Type::kDuration; }
  bool is_list() const { return type() == Type::kList; }
  bool is_map() const { return type() == Type::kMap; }
  bool is_unknown() const { return type() == Type::kUnknown; }

  // Accessors; calling the wrong one is a programming error (std::bad_variant_access).
  bool as_bool() const { return std::get<bool>(data_); }
  double as_number() const { return std::get<double>(data_); }
  const std::string& as_string() const { return std::get<std::string>(data_); }
  Duration as_duration() const { return std::get<Duration>(data_); }
  const List& as_list() const { return std::get<List>(data_); }
  List& as_list() { return std::get<List>(data_); }
  const Map& as_map() const { return std::get<Map>(data_); }
  Map& as_map() { return std::get<Map>(data_); }

  /// The member `key` of a map, or null when this is not a map or has no such key.
  const Value& Get(const std::string& key) const;
  /// The string member `key` of a map, or `fallback` when absent or not a string.
  std::string GetString(const std::string& key, const std::string& fallback = "") const;

  bool sensitive() const { return sensitive_; }
  /// This value marked sensitive (or not); the mark is not part of equality.
  Value& MarkSensitive(bool sensitive = true) {
    sensitive_ = sensitive;
    return *this;
  }
  /// True when this value or anything inside it is sensitive.
  bool ContainsSensitive() const;

  /// Equality by content; the sensitivity mark is ignored.
  bool operator==(const Value& other) const { return data_ == other.data_; }
  bool operator!=(const Value& other) const { return !(*this == other); }

  /// True when this value or anything inside it is unknown until apply.
  bool ContainsUnknown() const;

  /// The language's name of a type: "null", "bool", "number", "string", "duration", "list",
  /// "map", "unknown".
  static const char* TypeName(Type type);
  /// Truthiness for `require`/`verify`: only `true` is true; anything else is false.
  bool IsTrue() const { return is_bool() && as_bool(); }

  /// How a plan shows it: strings quoted, durations as `30s`, "(sensitive value)" when sensitive.
  std::string ToDisplay() const;
  /// ToDisplay appended to `out` (a plan shows thousands of values).
  void AppendDisplay(std::string& out) const;
  /// The same but revealing sensitive parts; only for values that never reach output.
  std::string ToDisplayRevealed() const;
  /// Text for string interpolation: strings unquoted, numbers and durations as written.
  std::string ToInterpolation() const;

 private:
  std::variant<std::monostate, bool, double, std::string, Duration, List, Map, Unknown> data_;
  bool sensitive_ = false;
};

/// The text used wherever a sensitive value would otherwise appear.
inline constexpr const char* kSensitiveText = "(sensitive value)";
/// The text shown for a value that only applying will tell.
inline constexpr const char* kUnknownText = "(known after apply)";

/// A duration in its shortest exact form: "500ms", "30s", "2m", "1h", "1m30s".
std::string FormatDuration(Duration d);

}  // namespace upgrade
