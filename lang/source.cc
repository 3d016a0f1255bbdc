// Formatting of source positions.
#include "lang/source.h"

namespace upgrade {

std::string SourceLocation::ToString() const {
  if (!Known()) return path;
  return path + ":" + std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace upgrade
