// Finding elements in S3's XML answers (see s3_xml.h).
#include "providers/s3/s3_xml.h"

#include <cstdlib>

namespace upgrade::s3 {
namespace {

/// Finds the next opening tag `<tag>` or `<tag ...>` at or after `from`; npos when none.
/// `*content_start` is set just past its '>'; `*self_closing` when it ends in "/>".
size_t FindOpen(const std::string& xml, const std::string& tag, size_t from,
                size_t* content_start, bool* self_closing) {
  std::string open = "<" + tag;
  size_t at = from;
  while ((at = xml.find(open, at)) != std::string::npos) {
    size_t after = at + open.size();
    if (after < xml.size() && (xml[after] == '>' || xml[after] == ' ' || xml[after] == '/')) {
      size_t close = xml.find('>', after);
      if (close == std::string::npos) return std::string::npos;
      *self_closing = xml[close - 1] == '/';
      *content_start = close + 1;
      return at;
    }
    at = after;
  }
  return std::string::npos;
}

void AppendUtf8(unsigned long code, std::string* out) {
  if (code < 0x80) {
    out->push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (code >> 6)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else if (code < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (code >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (code >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
}

}  // namespace

std::vector<std::string> XmlElements(const std::string& xml, const std::string& tag) {
  std::vector<std::string> found;
  std::string close = "</" + tag + ">";
  size_t at = 0;
  size_t content = 0;
  bool self_closing = false;
  while ((at = FindOpen(xml, tag, at, &content, &self_closing)) != std::string::npos) {
    if (self_closing) {
      found.emplace_back();
      at = content;
      continue;
    }
    size_t end = xml.find(close, content);
    if (end == std::string::npos) break;
    found.push_back(xml.substr(content, end - content));
    at = end + close.size();
  }
  return found;
}

std::string XmlText(const std::string& xml, const std::string& tag) {
  std::vector<std::string> found = XmlElements(xml, tag);
  return found.empty() ? "" : XmlUnescape(found.front());
}

bool XmlHas(const std::string& xml, const std::string& tag) {
  size_t content = 0;
  bool self_closing = false;
  return FindOpen(xml, tag, 0, &content, &self_closing) != std::string::npos;
}

std::string XmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string XmlUnescape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out.push_back(text[i]);
      continue;
    }
    size_t semi = text.find(';', i);
    if (semi == std::string::npos) {
      out.push_back('&');
      continue;
    }
    std::string entity = text.substr(i + 1, semi - i - 1);
    if (entity == "amp") out.push_back('&');
    else if (entity == "lt") out.push_back('<');
    else if (entity == "gt") out.push_back('>');
    else if (entity == "quot") out.push_back('"');
    else if (entity == "apos") out.push_back('\'');
    else if (!entity.empty() && entity[0] == '#') {
      bool hex = entity.size() > 1 && (entity[1] == 'x' || entity[1] == 'X');
      AppendUtf8(std::strtoul(entity.c_str() + (hex ? 2 : 1), nullptr, hex ? 16 : 10), &out);
    } else {
      out += "&" + entity + ";";
    }
    i = semi;
  }
  return out;
}

}  // namespace upgrade::s3
