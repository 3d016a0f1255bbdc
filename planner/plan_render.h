// How a plan is shown: the human plan, in the form terraform users know (`+ ~ - -/+` plus
// `! run` and `# snapshot`, `old -> new` per attribute, the Plan: and Rollback: lines), and the
// machine-readable `--json` document with terraform-like `resource_changes[].change.actions`.
#pragma once

#include <string>

#include "planner/plan.h"

namespace upgrade {

/// How to render the human plan.
struct RenderOptions {
  bool color = false;  ///< ANSI colors (the command asks when stdout is a TTY and NO_COLOR unset)
};

/// The human plan, ending with a newline. "No changes. ..." when nothing differs.
std::string RenderPlan(const Plan& plan, const RenderOptions& options);

/// The `--json` document (format_version "1.0"), secrets redacted, ending with a newline.
std::string RenderPlanJson(const Plan& plan);

/// "4 B", "12.5 KiB", "3.0 MiB": a size estimate as the plan shows it.
std::string FormatBytes(long long bytes);

}  // namespace upgrade
