// The version of upgrade, as `upgrade --version` prints it.
#pragma once

namespace upgrade {
inline constexpr const char* kVersion = "0.1.0";
}
