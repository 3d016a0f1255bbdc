// The little XML S3 speaks: its answers are flat enough (`<Error><Code>..</Code>..`, list
// results of `<Contents>` blocks) that finding elements by name is all a client needs.
#pragma once

#include <string>
#include <vector>

namespace upgrade::s3 {

/// The unescaped text of the first element `<tag>` in `xml`, or "" when there is none.
std::string XmlText(const std::string& xml, const std::string& tag);
/// The raw inner XML of every element `<tag>` in `xml`, in order.
std::vector<std::string> XmlElements(const std::string& xml, const std::string& tag);
/// True when `xml` has an element `<tag>` (with or without attributes).
bool XmlHas(const std::string& xml, const std::string& tag);
/// Escapes `&`, `<`, `>`, `"` and `'` for text inside an element.
std::string XmlEscape(const std::string& text);
/// Replaces the five predefined entities and numeric character references.
std::string XmlUnescape(const std::string& text);

}  // namespace upgrade::s3
