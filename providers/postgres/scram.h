// Checking a password against a PostgreSQL SCRAM-SHA-256 verifier
// (`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, RFC 5802/7677), so a plan can
// tell whether a role's password already is the desired one without ever reading it.
#pragma once

#include <string>

namespace upgrade::postgres {

/// True when `password` is the one `verifier` was made from.
bool ScramMatches(const std::string& password, const std::string& verifier);

}  // namespace upgrade::postgres
