// Generates plan files of any size for the language benchmark: N resources and N steps in one
// chain, with inputs, lets, requires, sets, verifies and a resource every 50th step shares.
#pragma once

#include <string>

namespace upgrade::bench {

/// The text of a valid plan with `steps` steps (and as many resources).
std::string GeneratePlan(int steps);

}  // namespace upgrade::bench
