// `run postgres.sql { database = db  sql = <<EOT ... EOT  undo = <<EOT ... EOT }`: one SQL
// script run in a transaction (unless `transaction = false`), reversed by its `undo` script.
#pragma once

#include "providers/postgres/common.h"

namespace upgrade::postgres {

/// The postgres.sql action.
class SqlAction {
 public:
  static void Describe(SchemaRegistry& registry);
  static PrepareResult Prepare(const Operation& operation);
  static ApplyResult Apply(const Operation& operation, const Value& undo);
  static ReverseResult Reverse(const ReverseRequest& request);
};

}  // namespace upgrade::postgres
