// Saved plans: `upgrade plan --out PLANFILE` writes one, `upgrade apply PLANFILE` reads it back,
// and every run keeps the plan it applied as runs/<id>/plan.json.
//
// A plan file is JSON. It holds the checked program (its IR, and the source text of the plan and
// its imports, so diagnostics still point into it), the inputs, the evaluated resources, the
// refreshed states, the steps with their operations, the pins and the summary. It never holds a
// secret: every sensitive value is written as its digest (`{"$sensitive": "sha256:..."}`), and
// sensitive inputs must be given again (`--var`, or their `env()` default) when it is applied.
//
// Applying a saved plan therefore plans again from the saved program, with the saved inputs and
// the secrets given now, and then checks the new plan against the saved one (ReplanSaved):
// a pin that changed means a resource changed since the plan was made (the plan is stale), a
// secret whose digest differs was given wrong, and operations that differ mean the plan would
// not do what was reviewed. The re-made plan, which holds the real secrets, is what runs.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "lang/diagnostic.h"
#include "planner/plan.h"

namespace upgrade {

class ProviderRegistry;
struct PlannerOptions;

/// The JSON text of a plan file (format_version Plan::kFormatVersion), secrets as digests.
std::string PlanFileJson(const Plan& plan);

/// Writes the plan file to `path` atomically (temp file, fsync, rename). Returns an error text,
/// empty on success.
std::string SavePlanFile(const Plan& plan, const std::string& path);

/// Reads a plan file. Values that were sensitive come back as sensitive strings holding their
/// digest ("sha256:..."), inputs included; `program` and `sources` come back whole. An
/// unreadable file, bad JSON or a newer format_version is an error in `diagnostics` (nullopt).
std::optional<Plan> LoadPlanFile(const std::string& path, Diagnostics& diagnostics);

/// The inputs to plan a saved plan again with: its non-sensitive inputs, overridden by
/// `given` (from --var / --var-file). Sensitive inputs come only from `given` or defaults.
std::map<std::string, Value> InputsForReplan(const Plan& saved,
                                             const std::map<std::string, Value>& given);

/// Checks a plan made again (`fresh`) against the saved one: pins (stale resources are named),
/// sensitive inputs' digests, and each step's operations. Problems go to `diagnostics`;
/// returns true when the fresh plan may be applied in place of the saved one.
bool CheckAgainstSaved(const Plan& saved, const Plan& fresh, Diagnostics& diagnostics);

/// Loads the plan file at `path`, plans it again with `given` inputs through `providers`, and
/// checks the result against the saved plan. The plan to apply, or nullopt with diagnostics.
std::optional<Plan> ReplanSaved(const std::string& path, const std::map<std::string, Value>& given,
                                const ProviderRegistry& providers, const PlannerOptions& options,
                                Diagnostics& diagnostics);
/// The same for a plan file already loaded from `path` (LoadPlanFile): a caller that has read
/// it, for its inputs say, need not read and parse it again.
std::optional<Plan> ReplanSaved(const Plan& saved, const std::string& path,
                                const std::map<std::string, Value>& given,
                                const ProviderRegistry& providers, const PlannerOptions& options,
                                Diagnostics& diagnostics);

}  // namespace upgrade
