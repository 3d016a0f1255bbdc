// The sensitive attributes of a run's resources as its journal tells them, for a rollback in a
// new process (the plan's own are in planner/sensitive_attributes.h).
#pragma once

#include "executor/journal_view.h"
#include "planner/sensitive_attributes.h"

namespace upgrade {

/// Every attribute the run's journaled configurations and states hold as a secret.
SensitiveAttributes SensitiveAttributesOf(const JournalView& view);

}  // namespace upgrade
