// Maintenance windows as plans write them: "Sat 02:00-04:00 UTC", "Mon-Fri 22:00-02:00 +02:00",
// "daily 01:00-03:00 UTC".
#pragma once

#include <optional>
#include <string>

#include "lang/ir.h"

namespace upgrade {

/// Parses a window; on failure returns nullopt and says why in `*error` (lower-case).
std::optional<MaintenanceWindow> ParseMaintenanceWindow(const std::string& text,
                                                        std::string* error);

}  // namespace upgrade
