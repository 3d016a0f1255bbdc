// Which attributes of which resources hold secrets. A provider reads a file's content or a
// setting's value back as plain data; marking those attributes by what the plan knows keeps a
// secret that went in (from a sensitive input, say) out of the journal, state.json and output.
#pragma once

#include <map>
#include <set>
#include <string>

#include "executor/journal_view.h"
#include "planner/plan.h"

namespace upgrade {

/// Resource (instance) name -> names of its attributes that are sensitive.
using SensitiveAttributes = std::map<std::string, std::set<std::string>>;

/// Every attribute the plan configures or sets from a sensitive value.
SensitiveAttributes SensitiveAttributesOf(const Plan& plan);
/// The same, from what a run's journal recorded (configs and states, secrets as digests).
SensitiveAttributes SensitiveAttributesOf(const JournalView& view);

/// Marks the attributes of `state` that `sensitive` lists for `resource`.
void MarkSensitive(const SensitiveAttributes& sensitive, const std::string& resource,
                   State* state);

}  // namespace upgrade
