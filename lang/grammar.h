// The grammar of plan files (.upg) as PEGTL rules: one struct per rule, ordered from tokens up
// to `file`. Rules only; error messages live in a table keyed by rule (lang/parser_errors.h), and
// turning the parse tree into IR lives in lang/parser.cc. docs/language.md has the same grammar
// in EBNF.
#pragma once

#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/analyze_traits.hpp>

namespace upgrade::grammar {

using namespace tao::pegtl;  // NOLINT: the rule vocabulary (seq, sor, one, ...)

// ---- Whitespace and comments: `#` or `//` to the end of the line. Newlines are plain space.
struct hash_comment : seq<one<'#'>, star<not_one<'\n'>>> {};
struct slash_comment : seq<two<'/'>, star<not_one<'\n'>>> {};
struct comment : sor<hash_comment, slash_comment> {};
// Any run of spaces, newlines and comments: star<sor<space, comment>>, written out because it
// runs between almost every two tokens. A comment is tried only where one can start.
struct sep {
  using rule_t = sep;
  using subs_t = type_list<comment>;

  template <apply_mode A, rewind_mode M, template <typename...> class Action,
            template <typename...> class Control, typename ParseInput, typename... States>
  static bool match(ParseInput& in, States&&... st) {
    while (!in.empty()) {
      const char c = in.peek_char();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f') {
        in.bump_in_this_line(1);
      } else if (c == '\n') {
        in.bump_to_next_line(1);
      } else if (c != '#' && c != '/') {
        break;
      } else if (!Control<comment>::template match<A, rewind_mode::required, Action, Control>(
                     in, st...)) {
        break;
      }
    }
    return true;
  }
};

// ---- Identifiers and keywords.
struct ident_first : ranges<'a', 'z', 'A', 'Z', '_'> {};
struct ident_other : ranges<'a', 'z', 'A', 'Z', '0', '9', '_'> {};
struct identifier_raw : seq<ident_first, star<ident_other>> {};
template <typename Key>
struct keyword : seq<Key, not_at<ident_other>> {};
struct kw_plan : keyword<TAO_PEGTL_STRING("plan")> {};
struct kw_input : keyword<TAO_PEGTL_STRING("input")> {};
struct kw_let : keyword<TAO_PEGTL_STRING("let")> {};
struct kw_resource : keyword<TAO_PEGTL_STRING("resource")> {};
struct kw_step : keyword<TAO_PEGTL_STRING("step")> {};
struct kw_import : keyword<TAO_PEGTL_STRING("import")> {};
struct kw_as : keyword<TAO_PEGTL_STRING("as")> {};
struct kw_require : keyword<TAO_PEGTL_STRING("require")> {};
struct kw_set : keyword<TAO_PEGTL_STRING("set")> {};
struct kw_run : keyword<TAO_PEGTL_STRING("run")> {};
struct kw_snapshot : keyword<TAO_PEGTL_STRING("snapshot")> {};
struct kw_verify : keyword<TAO_PEGTL_STRING("verify")> {};
struct kw_true : keyword<TAO_PEGTL_STRING("true")> {};
struct kw_false : keyword<TAO_PEGTL_STRING("false")> {};
struct kw_null : keyword<TAO_PEGTL_STRING("null")> {};
struct kw_in : keyword<TAO_PEGTL_STRING("in")> {};
struct reserved : sor<kw_true, kw_false, kw_null, kw_in> {};
// Tries `Rule` only when the next character could start it: a rule that becomes a tree node
// costs an allocation even when it fails, so cheap lookahead keeps parsing fast.
template <typename Peek, typename Rule>
struct when : seq<at<Peek>, Rule> {};
struct identifier : seq<not_at<reserved>, identifier_raw> {};
// `fs.file`, `exec.command`, `pg.db`: dotted names of types, actions and imported things.
struct dotted_name : seq<identifier_raw, star<one<'.'>, identifier_raw>> {};

// ---- Numbers and durations (`500ms`, `30s`, `2m`, `1h`, `1m30s`).
struct digits : plus<digit> {};
struct duration_unit : sor<TAO_PEGTL_STRING("ms"), one<'s', 'm', 'h'>> {};
struct duration : seq<plus<digits, duration_unit>, not_at<ident_other>> {};
struct fraction : seq<one<'.'>, digits> {};
struct exponent : seq<one<'e', 'E'>, opt<one<'+', '-'>>, digits> {};
struct number : seq<digits, opt<fraction>, opt<exponent>, not_at<ident_other>> {};

struct expression;

// ---- Strings: "text ${expr} \n". `$${` writes a literal `${`.
struct escape_char : one<'"', '\\', 'n', 't', 'r', '$'> {};
struct escape : if_must<one<'\\'>, escape_char> {};
struct dollar_escape : TAO_PEGTL_STRING("$${") {};
struct lone_dollar : seq<one<'$'>, not_at<sor<one<'{'>, TAO_PEGTL_STRING("${")>>> {};
struct interpolation_close : one<'}'> {};
struct interpolation : if_must<TAO_PEGTL_STRING("${"), sep, expression, sep, interpolation_close> {};
struct string_text : plus<sor<not_one<'"', '\\', '$', '\n', '\r'>, lone_dollar>> {};
struct string_part : sor<when<one<'$'>, sor<dollar_escape, interpolation>>, when<one<'\\'>, escape>,
                         string_text> {};
struct string_close : one<'"'> {};
struct string : if_must<one<'"'>, star<string_part>, string_close> {};

// ---- Heredocs: `<<EOT` (or `<<-EOT`), lines, then `EOT` alone on a line. The common
// indentation of the lines is stripped. `${}` interpolates; no backslash escapes.
struct heredoc_text : plus<sor<not_one<'$', '\n', '\r'>, lone_dollar>> {};
struct heredoc_part : sor<when<one<'$'>, sor<dollar_escape, interpolation>>, heredoc_text> {};
struct heredoc_line : seq<star<heredoc_part>, eol> {};
struct heredoc_newline : eol {};   // only named for its error message
struct heredoc_end : eof {};       // only named for its error message
struct heredoc {
  using rule_t = heredoc;
  using subs_t = type_list<heredoc_line>;

  template <apply_mode A, rewind_mode M, template <typename...> class Action,
            template <typename...> class Control, typename ParseInput, typename... States>
  static bool match(ParseInput& in, States&&... st) {
    if (in.size(3) < 3 || in.peek_char(0) != '<' || in.peek_char(1) != '<') return false;
    std::size_t i = 2;
    if (in.peek_char(i) == '-') ++i;
    std::size_t marker_begin = i;
    while (i < in.size(i + 1) && IsMarkerChar(in.peek_char(i), i == marker_begin)) ++i;
    if (i == marker_begin) return false;
    std::string marker(in.current() + marker_begin, i - marker_begin);
    in.bump_in_this_line(i);
    while (!in.empty() && (in.peek_char() == ' ' || in.peek_char() == '\t')) in.bump_in_this_line(1);
    if (!eol::match(in)) Control<heredoc_newline>::raise(in, st...);
    for (;;) {
      if (in.empty()) Control<heredoc_end>::raise(in, st...);
      if (AtTerminator(in, marker)) return true;
      if (!Control<heredoc_line>::template match<A, rewind_mode::required, Action, Control>(in,
                                                                                         st...)) {
        Control<heredoc_end>::raise(in, st...);
      }
    }
  }

  static bool IsMarkerChar(char c, bool first) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
           (!first && c >= '0' && c <= '9');
  }

  // Consumes `  MARKER  ` when the current line is exactly that (the newline stays).
  template <typename ParseInput>
  static bool AtTerminator(ParseInput& in, const std::string& marker) {
    std::size_t i = 0;
    auto size = [&](std::size_t n) { return in.size(n); };
    while (i < size(i + 1) && (in.peek_char(i) == ' ' || in.peek_char(i) == '\t')) ++i;
    if (size(i + marker.size()) < i + marker.size()) return false;
    if (std::string_view(in.current() + i, marker.size()) != marker) return false;
    i += marker.size();
    while (i < size(i + 1) && (in.peek_char(i) == ' ' || in.peek_char(i) == '\t')) ++i;
    if (i < size(i + 1) && in.peek_char(i) != '\n' && in.peek_char(i) != '\r') return false;
    in.bump_in_this_line(i);
    return true;
  }
};

// ---- Lists, maps, parentheses.
struct list_close : one<']'> {};
struct list_items : seq<expression, sep, star<one<','>, sep, expression, sep>, opt<one<','>, sep>> {};
struct list : if_must<one<'['>, sep, opt<list_items>, list_close> {};
struct map_key : sor<string, identifier_raw> {};
struct equals : one<'='> {};
struct map_value : seq<expression> {};
struct map_entry : if_must<map_key, sep, equals, sep, map_value> {};
struct map_close : one<'}'> {};
struct map : if_must<one<'{'>, sep, star<when<sor<one<'"'>, ident_first>, map_entry>, sep,
                                          opt<one<','>, sep>>,
                     map_close> {};
struct paren_close : one<')'> {};
struct paren : if_must<one<'('>, sep, expression, sep, paren_close> {};

// ---- Expressions, by rising precedence: || ; && ; == != < <= > >= in ; + - ; * / % ;
// unary ! - ; postfix call, index, attribute ; primaries.
struct literal_word : sor<kw_true, kw_false, kw_null> {};
struct primary : sor<when<two<'<'>, heredoc>, when<one<'"'>, string>,
                     when<digit, sor<duration, number>>, when<one<'t', 'f', 'n'>, literal_word>,
                     when<one<'['>, list>, when<one<'{'>, map>, when<one<'('>, paren>,
                     identifier> {};
struct call_close : one<')'> {};
struct call_args : if_must<one<'('>, sep, opt<list_items>, call_close> {};
struct index_close : one<']'> {};
struct index_suffix : if_must<one<'['>, sep, expression, sep, index_close> {};
struct attribute_name : identifier_raw {};
struct attr_suffix : if_must<one<'.'>, attribute_name> {};
struct postfix : seq<primary, star<sor<when<one<'('>, call_args>, when<one<'['>, index_suffix>,
                                        when<one<'.'>, attr_suffix>>>> {};
struct unary_op : sor<seq<one<'!'>, not_at<one<'='>>>, one<'-'>> {};
struct unary;
struct unary_expr : if_must<unary_op, sep, unary> {};
struct unary : sor<when<one<'!', '-'>, unary_expr>, postfix> {};
struct op_mul : sor<one<'*'>, seq<one<'/'>, not_at<one<'/'>>>, one<'%'>> {};
struct mul_expr : seq<unary, star<sep, when<one<'*', '/', '%'>, op_mul>, sep, must<unary>>> {};
struct op_add : one<'+', '-'> {};
struct add_expr : seq<mul_expr, star<sep, when<one<'+', '-'>, op_add>, sep, must<mul_expr>>> {};
struct op_cmp : sor<TAO_PEGTL_STRING("=="), TAO_PEGTL_STRING("!="), TAO_PEGTL_STRING("<="),
                    TAO_PEGTL_STRING(">="), seq<one<'<'>, not_at<one<'<'>>>, one<'>'>, kw_in> {};
struct cmp_expr
    : seq<add_expr, star<sep, when<one<'=', '!', '<', '>', 'i'>, op_cmp>, sep, must<add_expr>>> {};
struct op_and : TAO_PEGTL_STRING("&&") {};
struct and_expr : seq<cmp_expr, star<sep, when<one<'&'>, op_and>, sep, must<cmp_expr>>> {};
struct op_or : TAO_PEGTL_STRING("||") {};
struct or_expr : seq<and_expr, star<sep, when<one<'|'>, op_or>, sep, must<and_expr>>> {};
struct expression : seq<or_expr> {};

// ---- Blocks of attributes: `{ name = expr ... }`.
struct attr_name : identifier_raw {};
struct attribute : if_must<attr_name, sep, equals, sep, expression> {};
struct block_close : one<'}'> {};
struct attr_block : if_must<one<'{'>, sep, star<when<ident_first, attribute>, sep>, block_close> {};

// ---- Step statements.
struct message : seq<string> {};
struct target_index : if_must<one<'['>, sep, expression, sep, index_close> {};
struct target_name : dotted_name {};
struct target : seq<target_name, opt<when<one<'['>, target_index>>> {};
struct action_type : dotted_name {};
struct require_stmt : if_must<kw_require, sep, expression, opt<sep, when<one<'"'>, message>>> {};
struct set_stmt : if_must<kw_set, sep, target, sep, attr_block> {};
struct run_stmt : if_must<kw_run, sep, action_type, sep, attr_block> {};
struct snapshot_stmt : if_must<kw_snapshot, sep, target, opt<sep, when<one<'{'>, attr_block>>> {};
struct verify_stmt : if_must<kw_verify, sep, expression, opt<sep, when<one<'"'>, message>>,
                             opt<sep, when<one<'{'>, attr_block>>> {};
struct statement : sor<when<kw_require, require_stmt>, when<kw_set, set_stmt>,
                       when<kw_run, run_stmt>, when<kw_snapshot, snapshot_stmt>,
                       when<kw_verify, verify_stmt>> {};
struct step_close : one<'}'> {};
struct step_body
    : if_must<one<'{'>, sep, star<sor<statement, when<ident_first, attribute>>, sep>, step_close> {};

// ---- Top-level blocks.
struct decl_name : identifier {};
struct type_name : dotted_name {};
struct plan_name : seq<string> {};
struct step_title : seq<string> {};
struct import_path : seq<string> {};
struct plan_block : if_must<kw_plan, sep, plan_name, sep, attr_block> {};
struct input_block : if_must<kw_input, sep, decl_name, opt<sep, when<one<'{'>, attr_block>>> {};
struct let_block : if_must<kw_let, sep, decl_name, sep, equals, sep, expression> {};
struct resource_block : if_must<kw_resource, sep, type_name, sep, decl_name, sep, attr_block> {};
struct step_block
    : if_must<kw_step, sep, decl_name, sep, opt<when<one<'"'>, step_title>, sep>, step_body> {};
struct import_block : if_must<kw_import, sep, import_path, sep, kw_as, sep, decl_name,
                              opt<sep, when<one<'{'>, attr_block>>> {};
struct top_block : sor<when<kw_plan, plan_block>, when<kw_input, input_block>,
                       when<kw_let, let_block>, when<kw_resource, resource_block>,
                       when<kw_step, step_block>, when<kw_import, import_block>> {};
struct end_of_file : eof {};
struct file : seq<opt<utf8::bom>, sep, star<top_block, sep>, must<end_of_file>> {};

}  // namespace upgrade::grammar

namespace tao::pegtl {
/// Spaces and comments: possibly nothing.
template <typename Name>
struct analyze_traits<Name, upgrade::grammar::sep> : analyze_opt_traits<upgrade::grammar::comment> {};
/// The heredoc consumes input whenever it succeeds; its lines are the rules below it.
template <typename Name>
struct analyze_traits<Name, upgrade::grammar::heredoc>
    : analyze_any_traits<upgrade::grammar::heredoc_line> {};
}  // namespace tao::pegtl
