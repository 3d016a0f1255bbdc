// `upgrade fmt`: the canonical layout of plan files, and the unified diff it shows.
#pragma once

#include <optional>
#include <string>

#include "lang/diagnostic.h"

namespace upgrade {

/// The canonical text of plan file `path` (two-space indents, one statement or attribute per
/// line, aligned `=` in runs of attributes, at most one blank line, comments kept). Formatting
/// its own output changes nothing. nullopt, with the syntax error in `diagnostics`, when the
/// text does not parse.
std::optional<std::string> FormatPlan(const std::string& path, const std::string& text,
                                      Diagnostics& diagnostics);

/// A unified diff (`--- a/PATH`, `+++ b/PATH`, hunks with 3 lines of context) from `before`
/// to `after`; empty when they are equal.
std::string UnifiedDiff(const std::string& path, const std::string& before,
                        const std::string& after);

}  // namespace upgrade
