// Conversion of values to and from JSON, for plan files, state, the journal and `--json` output.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "lang/sha256.h"  // Sha256Hex: pins, digests of secrets, content addresses
#include "lang/value.h"

namespace upgrade {

/// What JSON gets in place of a sensitive value.
enum class SecretPolicy {
  kRedact,  ///< `"(sensitive value)"`: for output meant for people and tools (`--json`).
  kDigest,  ///< `{"$sensitive": "sha256:<hex>"}`: for state and journal, so drift is still seen.
};

/// Encodes `value`. Durations become `{"$duration_ms": N}`, so they round-trip.
nlohmann::json ValueToJson(const Value& value, SecretPolicy policy);
/// Decodes what ValueToJson wrote; a `$sensitive` digest decodes to a sensitive string of itself.
Value ValueFromJson(const nlohmann::json& json);

}  // namespace upgrade
