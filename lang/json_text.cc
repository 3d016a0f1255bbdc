// Direct JSON text for plan files and pins, matching nlohmann's compact dump().
#include "lang/json_text.h"

#include <charconv>

#include <nlohmann/json.hpp>

#include "lang/sha256.h"

namespace upgrade {
void JsonWriter::Separate() {
  if (after_key_) {
    after_key_ = false;
  } else if (!first_) {
    out_ += ',';
  }
  first_ = false;
}

void JsonWriter::Open(char bracket) {
  Separate();
  out_ += bracket;
  first_ = true;
}

void JsonWriter::Close(char bracket) {
  out_ += bracket;
  first_ = false;
  after_key_ = false;
}

void JsonWriter::Key(std::string_view key) {
  String(key);
  out_ += ':';
  after_key_ = true;
}

void JsonWriter::LineKey(std::string_view key) {
  Separate();
  out_ += '\n';
  first_ = true;  // no second comma before the key itself
  String(key);
  out_ += ": ";
  after_key_ = true;
}

void JsonWriter::String(std::string_view text) {
  Separate();
  static const char* kHex = "0123456789abcdef";
  size_t start = out_.size();
  out_ += '"';
  size_t clean = 0;  // start of the run of characters that need no escape
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) continue;
    if (c >= 0x80) {
      // nlohmann checks UTF-8 (and throws on bad bytes) exactly as it always did.
      out_.resize(start);
      out_ += nlohmann::json(std::string(text)).dump();
      return;
    }
    out_.append(text.data() + clean, i - clean);
    clean = i + 1;
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\b': out_ += "\\b"; break;
      case '\t': out_ += "\\t"; break;
      case '\n': out_ += "\\n"; break;
      case '\f': out_ += "\\f"; break;
      case '\r': out_ += "\\r"; break;
      default:
        out_ += "\\u00";
        out_ += kHex[c >> 4];
        out_ += kHex[c & 15];
    }
  }
  out_.append(text.data() + clean, text.size() - clean);
  out_ += '"';
}

void JsonWriter::Int(long long number) {
  Separate();
  char buffer[24];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, number);
  (void)error;
  out_.append(buffer, end);
}

void JsonWriter::Bool(bool value) {
  Separate();
  out_ += value ? "true" : "false";
}

void JsonWriter::Null() {
  Separate();
  out_ += "null";
}

void JsonWriter::Number(double number) {
  // The same test ValueToJson makes: whole numbers are written as integers.
  if (number == static_cast<double>(static_cast<long long>(number))) {
    Int(static_cast<long long>(number));
    return;
  }
  Separate();
  out_ += nlohmann::json(number).dump();
}

void JsonWriter::WriteValue(const Value& value, bool digest_secrets) {
  if (digest_secrets && value.sensitive()) {
    BeginObject();
    Member("$sensitive", SecretDigestOf(value));
    EndObject();
    return;
  }
  switch (value.type()) {
    case Value::Type::kNull: Null(); return;
    case Value::Type::kBool: Bool(value.as_bool()); return;
    case Value::Type::kNumber: Number(value.as_number()); return;
    case Value::Type::kString: String(value.as_string()); return;
    case Value::Type::kDuration:
      BeginObject();
      Member("$duration_ms", static_cast<long long>(value.as_duration().count()));
      EndObject();
      return;
    case Value::Type::kList:
      BeginArray();
      for (const Value& item : value.as_list()) WriteValue(item, digest_secrets);
      EndArray();
      return;
    case Value::Type::kUnknown:
      BeginObject();
      Member("$unknown", true);
      EndObject();
      return;
    case Value::Type::kMap: WriteMap(value.as_map(), digest_secrets); return;
  }
  Null();
}

void JsonWriter::WriteMap(const Value::Map& map, bool digest_secrets) {
  BeginObject();
  for (const auto& [key, item] : map) {
    Key(key);
    WriteValue(item, digest_secrets);
  }
  EndObject();
}

std::string SecretDigestOf(const Value& value) {
  Value plain = value;
  plain.MarkSensitive(false);
  std::string canonical;
  JsonWriter(canonical).Digested(plain);
  return "sha256:" + Sha256Hex(canonical);
}

}  // namespace upgrade
