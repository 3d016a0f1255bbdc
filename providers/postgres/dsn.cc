// DSN parsing and masking; see dsn.h.
#include "providers/postgres/dsn.h"

#include <libpq-fe.h>

#include <cctype>
#include <memory>

namespace upgrade::postgres {
namespace {

constexpr const char* kMask = "***";

bool StartsWith(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

bool IsUri(const std::string& dsn) {
  return StartsWith(dsn, "postgresql://") || StartsWith(dsn, "postgres://");
}

// Masks `password=VALUE` in a URI query string (VALUE ends at '&' or '#').
std::string MaskUriQuery(std::string uri) {
  size_t query = uri.find('?');
  if (query == std::string::npos) return uri;
  size_t at = query;
  while ((at = uri.find("password=", at)) != std::string::npos) {
    char before = uri[at - 1];
    size_t value = at + 9;
    if (before != '?' && before != '&') {
      at = value;
      continue;
    }
    size_t end = uri.find_first_of("&#", value);
    if (end == std::string::npos) end = uri.size();
    uri.replace(value, end - value, kMask);
    at = value + 3;
  }
  return uri;
}

std::string MaskUri(const std::string& dsn) {
  size_t authority = dsn.find("://") + 3;
  size_t authority_end = dsn.find_first_of("/?", authority);
  if (authority_end == std::string::npos) authority_end = dsn.size();
  size_t at = dsn.rfind('@', authority_end);
  std::string masked = dsn;
  if (at != std::string::npos && at >= authority) {
    size_t colon = dsn.find(':', authority);
    if (colon != std::string::npos && colon < at)
      masked = dsn.substr(0, colon + 1) + kMask + dsn.substr(at);
  }
  return MaskUriQuery(masked);
}

// Masks the value of every `password = VALUE` pair of a keyword DSN; VALUE is a single-quoted
// string (with \' and \\ escapes) or runs to the next blank.
std::string MaskKeywords(const std::string& dsn) {
  std::string out;
  size_t i = 0;
  while (i < dsn.size()) {
    size_t found = dsn.find("password", i);
    if (found == std::string::npos) break;
    bool word_start = found == 0 || std::isspace(static_cast<unsigned char>(dsn[found - 1]));
    size_t j = found + 8;
    while (j < dsn.size() && std::isspace(static_cast<unsigned char>(dsn[j]))) ++j;
    if (!word_start || j >= dsn.size() || dsn[j] != '=') {
      out += dsn.substr(i, found + 8 - i);
      i = found + 8;
      continue;
    }
    ++j;
    while (j < dsn.size() && std::isspace(static_cast<unsigned char>(dsn[j]))) ++j;
    out += dsn.substr(i, j - i) + kMask;
    if (j < dsn.size() && dsn[j] == '\'') {
      ++j;
      while (j < dsn.size() && dsn[j] != '\'') j += dsn[j] == '\\' ? 2 : 1;
      ++j;
    } else {
      while (j < dsn.size() && !std::isspace(static_cast<unsigned char>(dsn[j]))) ++j;
    }
    i = std::min(j, dsn.size());
  }
  return out + (i < dsn.size() ? dsn.substr(i) : "");
}

std::string QuoteKeywordValue(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

std::string MaskDsn(const std::string& dsn) {
  return IsUri(dsn) ? MaskUri(dsn) : MaskKeywords(dsn);
}

std::string ScrubPassword(const std::string& text, const std::string& dsn) {
  std::string password = ParseDsn(dsn).Get("password");
  std::string out = text;
  // A one- or two-letter password would mangle every message; such passwords are not secret.
  if (password.size() < 3) return out;
  size_t at = 0;
  while ((at = out.find(password, at)) != std::string::npos) {
    out.replace(at, password.size(), kMask);
    at += 3;
  }
  return out;
}

std::string DsnParts::Get(const std::string& key) const {
  auto it = options.find(key);
  return it == options.end() ? "" : it->second;
}

std::string DsnParts::ToKeywordString() const {
  std::string out;
  for (const auto& [key, value] : options) {
    if (!out.empty()) out += ' ';
    out += key + "=" + QuoteKeywordValue(value);
  }
  return out;
}

DsnParts ParseDsn(const std::string& dsn) {
  DsnParts parts;
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &error);
  if (options == nullptr) {
    // libpq's message quotes no password, but it may quote the DSN; keep it masked.
    parts.error = error != nullptr ? std::string(error) : "cannot parse the connection string";
    while (!parts.error.empty() && parts.error.back() == '\n') parts.error.pop_back();
    parts.error = "invalid connection string " + MaskDsn(dsn) + ": " + parts.error;
    PQfreemem(error);
    return parts;
  }
  for (PQconninfoOption* option = options; option->keyword != nullptr; ++option)
    if (option->val != nullptr) parts.options[option->keyword] = option->val;
  PQconninfoFree(options);
  return parts;
}

std::string DsnWithDatabase(const std::string& dsn, const std::string& dbname) {
  DsnParts parts = ParseDsn(dsn);
  parts.options["dbname"] = dbname;
  return parts.ToKeywordString();
}

std::string DatabaseOf(const std::string& dsn) {
  DsnParts parts = ParseDsn(dsn);
  std::string db = parts.Get("dbname");
  if (!db.empty()) return db;
  std::string user = parts.Get("user");
  return user.empty() ? "postgres" : user;
}

SplitDsn SplitPassword(const std::string& dsn) {
  SplitDsn split;
  DsnParts parts = ParseDsn(dsn);
  if (!parts.error.empty()) {
    split.error = parts.error;
    return split;
  }
  split.password = parts.Get("password");
  parts.options.erase("password");
  split.without_password = parts.ToKeywordString();
  return split;
}

}  // namespace upgrade::postgres
