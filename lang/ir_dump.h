// A plain-text dump of checked IR, one node per line with its position: what the golden tests
// in tests/lang/ok compare, and what `upgrade validate --dump-ir` prints for debugging.
#pragma once

#include <string>

#include "lang/ir.h"

namespace upgrade {

/// Every block, statement and expression of `program`, in order, with line:col positions.
std::string DumpProgram(const Program& program);

}  // namespace upgrade
