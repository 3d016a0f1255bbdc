// Which attributes of which resources hold secrets. A provider reads a file's content or a
// setting's value back as plain data; marking those attributes by what the plan knows keeps a
// secret that went in (from a sensitive input, say) out of plans, the journal and state.json.
#pragma once

#include <map>
#include <set>
#include <string>

#include "planner/plan.h"

namespace upgrade {

/// Resource (instance) name -> names of its attributes that are sensitive.
using SensitiveAttributes = std::map<std::string, std::set<std::string>>;

/// Every attribute the plan configures or sets from a sensitive value.
SensitiveAttributes SensitiveAttributesOf(const Plan& plan);

/// Marks the attributes of `state` that `sensitive` lists for `resource`.
void MarkSensitive(const SensitiveAttributes& sensitive, const std::string& resource,
                   State* state);

/// Marks those attributes in every state the plan holds: the refreshed states and the
/// `before` of every change (the `after` is marked already, by the values that made it).
void MarkSensitiveStates(Plan* plan);

}  // namespace upgrade
