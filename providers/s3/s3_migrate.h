// `run s3.migrate { from, to, delete_source, verify }`: copies every document of a source (an
// s3 prefix, a local directory, a PostgreSQL table) to a destination (an s3 prefix, a local
// directory), verifies each by a checksum read back from the destination, keeps a progress
// manifest so a crash resumes where it stopped, deletes the source only after everything is
// verified and only when asked, and reverses by putting everything back.
#pragma once

#include "providers/provider.h"

namespace upgrade::s3 {

/// The attributes of the s3.migrate action.
ActionSchema MigrateSchema();

PrepareResult PrepareMigration(const Operation& operation, ProviderContext& context);
ApplyResult ApplyMigration(const Operation& operation, const Value& undo,
                           ProviderContext& context);
ReverseResult ReverseMigration(const ReverseRequest& request, ProviderContext& context);

}  // namespace upgrade::s3
