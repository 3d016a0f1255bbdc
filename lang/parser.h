// Internal to lang/: the parse that LoadProgram uses. It takes the program ParseProgram just
// built from the same path and text, when there is one, and otherwise parses without keeping a
// copy for later (nothing else asks for the same file twice).
#pragma once

#include <optional>
#include <string>

#include "lang/diagnostic.h"
#include "lang/ir.h"

namespace upgrade {

/// Like ParseProgram, for LoadProgram.
std::optional<Program> ParseProgramToCheck(const std::string& path, const std::string& text,
                                           Diagnostics& diagnostics);

}  // namespace upgrade
