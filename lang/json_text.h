// Writing JSON text directly into a string, for plan files, pins and journal lines. Building an
// nlohmann::json tree first costs a map node and a string key per member, which for a plan of
// thousands of steps was most of the cost of writing it. The text is what nlohmann's compact
// dump() gives for the same document, byte for byte, so digests of canonical JSON do not change.
#pragma once

#include <string>
#include <string_view>

#include "lang/value.h"

namespace upgrade {

/// Appends compact JSON to a string; the caller opens and closes what it writes, in order.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  /// The key of the next member of the object being written.
  void Key(std::string_view key);
  /// The same, on a line of its own and followed by ": " (the members of a file's top object,
  /// so that `head` shows what the file is).
  void LineKey(std::string_view key);
  /// Ends the line of the last LineKey member, before the object is closed.
  void EndLastLine() { out_ += '\n'; }

  void String(std::string_view text);
  void Int(long long number);
  void Bool(bool value);
  void Null();
  /// A value as ValueToJson(value, SecretPolicy::kDigest) encodes it: secrets as digests.
  void Digested(const Value& value) { WriteValue(value, true); }
  /// The same for a map held outside a Value (a state's attributes), without copying it.
  void Digested(const Value::Map& map) { WriteMap(map, true); }
  /// The same as if every sensitivity mark were taken off (for pins, which are hashes).
  void Unmarked(const Value& value) { WriteValue(value, false); }

  /// Shorthands for a member: Key(key) then the value.
  void Member(std::string_view key, std::string_view text) { Key(key), String(text); }
  void Member(std::string_view key, const char* text) { Key(key), String(text); }
  void Member(std::string_view key, const std::string& text) { Key(key), String(text); }
  void Member(std::string_view key, long long number) { Key(key), Int(number); }
  void Member(std::string_view key, int number) { Key(key), Int(number); }
  void Member(std::string_view key, bool value) { Key(key), Bool(value); }

 private:
  void Separate();
  void Open(char bracket);
  void Close(char bracket);
  void Number(double number);
  void WriteValue(const Value& value, bool digest_secrets);
  void WriteMap(const Value::Map& map, bool digest_secrets);

  std::string& out_;
  /// True when the next value is the first in its object or array (no comma before it).
  bool first_ = true;
  /// True right after a key: the value follows without a comma.
  bool after_key_ = false;
};

/// "sha256:<hex>" of `value`'s canonical JSON with secrets digested: what a plan file writes
/// for a sensitive value.
std::string SecretDigestOf(const Value& value);

}  // namespace upgrade
