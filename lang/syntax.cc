// Runs the PEGTL grammar over a file: keeps the nodes the IR builder and the formatter need,
// collects comments, and turns a syntax error into a diagnostic.
#include "lang/syntax.h"

#include <algorithm>

#include <tao/pegtl/contrib/limit_depth.hpp>

#include "lang/grammar.h"
#include "lang/parser_errors.h"

namespace upgrade::syntax {
namespace {

namespace g = upgrade::grammar;
namespace pegtl = tao::pegtl;

/// How deeply brackets, interpolations and prefix operators may nest: deep enough for any plan a
/// person writes, shallow enough that the parser, checker and evaluator (all recursive) stay far
/// from the end of the stack.
constexpr std::size_t kMaxNesting = 128;

/// Which rules become nodes. Expression levels with a single operand fold into it.
template <typename Rule>
using Selector = pegtl::parse_tree::selector<
    Rule,
    pegtl::parse_tree::store_content::on<
        g::identifier, g::duration, g::number, g::literal_word, g::string,
        g::string_text, g::escape, g::dollar_escape, g::interpolation, g::heredoc, g::heredoc_line,
        g::heredoc_text, g::list, g::map, g::map_entry, g::map_key, g::paren, g::call_args,
        g::index_suffix, g::attr_suffix, g::attribute_name, g::unary_op, g::unary_expr, g::op_mul,
        g::op_add, g::op_cmp, g::op_and, g::op_or, g::attr_name, g::attribute, g::attr_block,
        g::message, g::target_index, g::target_name, g::action_type, g::require_stmt, g::set_stmt,
        g::run_stmt, g::snapshot_stmt, g::verify_stmt, g::step_body, g::decl_name, g::type_name,
        g::plan_name, g::step_title, g::import_path, g::plan_block, g::input_block, g::let_block,
        g::resource_block, g::step_block, g::import_block>,
    pegtl::parse_tree::fold_one::on<g::or_expr, g::and_expr, g::cmp_expr, g::add_expr,
                                    g::mul_expr, g::postfix>>;

/// Records comments (once each, despite backtracking) and bounds nesting at the rules every
/// recursion of the grammar passes through.
template <typename Rule>
struct Actions : pegtl::nothing<Rule> {};

template <typename Rule>
struct NestingLimit : pegtl::limit_depth<kMaxNesting> {};
template <> struct Actions<g::unary_expr> : NestingLimit<g::unary_expr> {};
template <> struct Actions<g::paren> : NestingLimit<g::paren> {};
template <> struct Actions<g::list> : NestingLimit<g::list> {};
template <> struct Actions<g::map> : NestingLimit<g::map> {};
template <> struct Actions<g::interpolation> : NestingLimit<g::interpolation> {};
template <> struct Actions<g::call_args> : NestingLimit<g::call_args> {};
template <> struct Actions<g::index_suffix> : NestingLimit<g::index_suffix> {};

template <>
struct Actions<g::comment> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, std::vector<Comment>& comments) {
    std::size_t byte = in.position().byte;
    if (!comments.empty() && comments.back().byte >= byte) return;
    std::string text = in.string();
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) {
      text.pop_back();
    }
    const auto position = in.position();
    comments.push_back(Comment{byte, static_cast<int>(position.line),
                               static_cast<int>(position.column), std::move(text)});
  }
};

template <typename Rule>
using Control = pegtl::must_if<g::Errors>::control<Rule>;

/// Where to point for a syntax error found at `at`: there, unless `at` is the end of the file or
/// a closing bracket with only blank lines since the last token; then just after that token,
/// where the missing text belongs.
SourceLocation AfterLastToken(const std::string& text, const pegtl::position& at) {
  SourceLocation location;
  location.line = static_cast<int>(at.line);
  location.column = static_cast<int>(at.column);
  std::size_t end = std::min(at.byte, text.size());
  std::size_t last = end;
  bool crossed_line = false;
  while (last > 0 && std::string_view(" \t\r\n").find(text[last - 1]) != std::string_view::npos) {
    crossed_line = crossed_line || text[last - 1] == '\n';
    --last;
  }
  bool at_closer = end >= text.size() || std::string_view("}])").find(text[end]) != std::string_view::npos;
  if (!crossed_line || last == 0 || !at_closer) return location;
  std::size_t line_start = text.rfind('\n', last - 1);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  location.line = static_cast<int>(1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(last), '\n'));
  location.column = static_cast<int>(last - line_start + 1);
  return location;
}

}  // namespace

SourceRange RangeOf(const Node& node, const std::string& path) {
  SourceRange range;
  range.begin.path = path;
  range.begin.line = static_cast<int>(node.m_begin.line);
  range.begin.column = static_cast<int>(node.m_begin.column);
  if (node.has_content() && node.m_end.line == node.m_begin.line) {
    range.end_column = static_cast<int>(node.m_end.column);
  }
  return range;
}

std::optional<Tree> Parse(const std::string& path, std::string text, Diagnostics& diagnostics) {
  Tree tree;
  tree.text = std::make_unique<std::string>(std::move(text));
  pegtl::memory_input<> in(tree.text->data(), tree.text->size(), path);
  try {
    tree.root = pegtl::parse_tree::parse<g::file, Selector, Actions, Control>(in, tree.comments);
  } catch (const pegtl::parse_error& error) {
    SourceRange range;
    range.begin.path = path;
    if (!error.positions().empty()) {
      range.begin = AfterLastToken(*tree.text, error.positions().front());
      range.begin.path = path;
    }
    std::string message(error.message());
    if (message == "maximum parser rule nesting depth exceeded") {
      message = "nested too deeply: more than " + std::to_string(kMaxNesting) +
                " levels of brackets, interpolations or prefix operators";
    }
    diagnostics.Error(range, message);
    return std::nullopt;
  }
  if (!tree.root) {
    SourceRange range;
    range.begin = {path, 1, 1};
    diagnostics.Error(range, "expected plan, input, let, resource, step or import");
    return std::nullopt;
  }
  return tree;
}

}  // namespace upgrade::syntax
