// The plan file's JSON encoding of a Plan, the checked program (IR) inside it included.
// Sensitive values are written as digests (SecretPolicy::kDigest): the encoding never holds a
// secret. Internal to planner/ (plan_file.h is the public face); nlohmann/json stays out of
// widely included headers, so only the forward declaration is used here.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>

#include "planner/plan.h"

namespace upgrade {

/// The whole plan file document (format Plan::kFormatVersion), compact, ending with a newline.
/// Written directly as text (plan_json_writer.cc): no JSON tree is built.
std::string PlanFileText(const Plan& plan);

/// Reads what PlanFileText wrote; nullopt and `*error` when it is malformed or of another
/// format version. Each large part of `json` is let go of once read, so that the tree and the
/// plan built from it are not both whole in memory (rolling back 10,000 steps: a peak heap of
/// 178 MB instead of 223).
std::optional<Plan> PlanFromFileJson(nlohmann::json json, std::string* error);

}  // namespace upgrade
