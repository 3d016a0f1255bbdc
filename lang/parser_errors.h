// The messages of syntax errors, keyed by the grammar rule that was required and not found.
// A rule appears here when the grammar commits to it (`must<>`, `if_must<>`) and it can fail;
// rules that never fail (`opt<>`, `star<>`) fall back to the default text, which no input reaches.
#pragma once

#include "lang/grammar.h"

namespace upgrade::grammar {

/// The table: `message<Rule>` is the text shown when `Rule` was required and not found.
struct Errors {
  template <typename Rule>
  static constexpr const char* message = "syntax error";
  /// Only a failed `must` raises; an ordinary failure just backtracks.
  template <typename Rule>
  static constexpr bool raise_on_failure = false;
};

#define UPGRADE_SYNTAX_ERROR(rule, text) \
  template <>                            \
  constexpr const char* Errors::message<rule> = text;

UPGRADE_SYNTAX_ERROR(escape_char, "unknown escape sequence (use \\\" \\\\ \\n \\t \\r or \\$)")
UPGRADE_SYNTAX_ERROR(string_part, "unterminated string")
UPGRADE_SYNTAX_ERROR(string_close, "unterminated string")
UPGRADE_SYNTAX_ERROR(interpolation_close, "expected '}' to close the interpolation")
UPGRADE_SYNTAX_ERROR(heredoc_newline, "expected a new line after the heredoc marker")
UPGRADE_SYNTAX_ERROR(heredoc_end, "unterminated heredoc: its marker must end it on a line of its own")
UPGRADE_SYNTAX_ERROR(list_close, "expected ',' or ']'")
UPGRADE_SYNTAX_ERROR(map_close, "expected a key or '}'")
UPGRADE_SYNTAX_ERROR(map_value, "expected an expression")
UPGRADE_SYNTAX_ERROR(equals, "expected '='")
UPGRADE_SYNTAX_ERROR(paren_close, "expected ')'")
UPGRADE_SYNTAX_ERROR(call_close, "expected ',' or ')'")
UPGRADE_SYNTAX_ERROR(index_close, "expected ']'")
UPGRADE_SYNTAX_ERROR(attribute_name, "expected an attribute name after '.'")
UPGRADE_SYNTAX_ERROR(expression, "expected an expression")
UPGRADE_SYNTAX_ERROR(unary, "expected an expression")
UPGRADE_SYNTAX_ERROR(mul_expr, "expected an expression")
UPGRADE_SYNTAX_ERROR(add_expr, "expected an expression")
UPGRADE_SYNTAX_ERROR(cmp_expr, "expected an expression")
UPGRADE_SYNTAX_ERROR(and_expr, "expected an expression")
UPGRADE_SYNTAX_ERROR(block_close, "expected an attribute or '}'")
UPGRADE_SYNTAX_ERROR(attr_block, "expected '{'")
UPGRADE_SYNTAX_ERROR(target, "expected a resource name")
UPGRADE_SYNTAX_ERROR(action_type, "expected an action type such as exec.command")
UPGRADE_SYNTAX_ERROR(step_close, "expected a statement (require, set, run, snapshot, verify), an attribute or '}'")
UPGRADE_SYNTAX_ERROR(step_body, "expected '{'")
UPGRADE_SYNTAX_ERROR(decl_name, "expected a name")
UPGRADE_SYNTAX_ERROR(type_name, "expected a resource type such as fs.file")
UPGRADE_SYNTAX_ERROR(plan_name, "expected the plan's name as a string")
UPGRADE_SYNTAX_ERROR(import_path, "expected the path of the plan to import, as a string")
UPGRADE_SYNTAX_ERROR(kw_as, "expected 'as'")
UPGRADE_SYNTAX_ERROR(end_of_file, "expected plan, input, let, resource, step or import")

#undef UPGRADE_SYNTAX_ERROR

}  // namespace upgrade::grammar
