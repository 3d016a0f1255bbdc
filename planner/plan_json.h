// The plan file's JSON encoding of a Plan, the checked program (IR) inside it included.
// Sensitive values are written as digests (SecretPolicy::kDigest): the encoding never holds a
// secret. Internal to planner/ (plan_file.h is the public face); nlohmann/json stays out of
// widely included headers, so only the forward declaration is used here.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>

#include "lang/ir.h"
#include "planner/plan.h"

namespace upgrade {

/// The program as JSON: every node with its source range.
nlohmann::json ProgramToJson(const Program& program);
/// Reads what ProgramToJson wrote; nullopt and `*error` when it is malformed.
std::optional<Program> ProgramFromJson(const nlohmann::json& json, std::string* error);

/// The whole plan file document.
nlohmann::json PlanToFileJson(const Plan& plan);
/// Reads what PlanToFileJson wrote; nullopt and `*error` when it is malformed.
std::optional<Plan> PlanFromFileJson(const nlohmann::json& json, std::string* error);

/// A state as JSON: {"exists": bool, "attributes": {...}}, secrets under `policy`.
nlohmann::json StateToJson(const State& state, bool digest_secrets);
State StateFromJson(const nlohmann::json& json);

}  // namespace upgrade
