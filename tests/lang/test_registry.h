// A small schema registry for the language tests: a few resource types, actions and functions
// shaped like the real providers' but fixed here, so that golden files do not move when
// providers change.
#pragma once

#include "lang/schema.h"

namespace upgrade::testing {

/// fs.file, fs.yaml, docker.container, postgres.database, postgres.migrations; exec.command,
/// postgres.sql; http.get, postgres.reachable, postgres.query; and the built-in functions.
SchemaRegistry MakeTestRegistry();

}  // namespace upgrade::testing
