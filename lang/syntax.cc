// Runs the PEGTL grammar over a file: keeps the nodes the IR builder and the formatter need,
// collects comments, and turns a syntax error into a diagnostic.
#include "lang/syntax.h"

#include <algorithm>

#include <tao/pegtl/contrib/limit_depth.hpp>
#include <tao/pegtl/contrib/parse_tree.hpp>
#include <tao/pegtl/contrib/remove_first_state.hpp>
#include <tao/pegtl/contrib/shuffle_states.hpp>

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

/// A stack of nodes that grows and is cut back without a call on the common path.
class NodeStack {
 public:
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Node* const* begin() const { return data_.get(); }
  Node* const* end() const { return data_.get() + size_; }
  void push_back(Node* node) {
    if (size_ == capacity_) Grow();
    data_[size_++] = node;
  }
  void Truncate(std::size_t size) { size_ = size; }

 private:
  void Grow() {
    std::size_t capacity = capacity_ == 0 ? 256 : 2 * capacity_;
    auto data = std::make_unique<Node*[]>(capacity);
    std::copy(begin(), end(), data.get());
    data_ = std::move(data);
    capacity_ = capacity;
  }

  std::unique_ptr<Node*[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

/// The nodes finished and not yet given to a parent, in order.
struct TreeBuilder {
  explicit TreeBuilder(NodeArena& arena_in) : arena(arena_in) {}

  /// A node for a rule that started at `begin` when `mark` nodes were pending, adopting every
  /// node finished since.
  Node* Finish(std::size_t mark, const pegtl::internal::iterator& begin, std::string_view type) {
    Node* node = arena.NewNode();
    node->type = type;
    node->m_begin = begin;
    std::size_t count = pending.size() - mark;
    if (count > 0) {
      Node** list = arena.NewList(count);
      std::copy(pending.begin() + mark, pending.end(), list);
      node->children = Node::Children(list, count);
      pending.Truncate(mark);
    }
    return node;
  }

  /// Forgets the nodes a failed rule finished.
  void Drop(std::size_t mark) {
    pending.Truncate(mark);
  }

  NodeArena& arena;
  NodeStack pending;
};

/// The builder among the parse's states (a rule's match sees them in the order given to parse).
TreeBuilder& BuilderOf(std::vector<Comment>& /*comments*/, TreeBuilder& tree) { return tree; }

template <typename Rule>
constexpr bool kFolds = std::is_same_v<Selector<Rule>, pegtl::parse_tree::fold_one>;

/// Builds the tree PEGTL's parse_tree::parse would build with `Selector`, without allocating for
/// rules that fail: a rule that may add nodes notes, on the stack, how many were pending when it
/// started and drops the ones it added if it fails; a node is made only when a selected rule
/// matches.
template <template <typename...> class Base>
struct BuildTree {
  template <typename Rule, bool kSelected, bool kLeaf>
  struct Handler;

  template <typename Rule>
  using type = pegtl::rotate_states_right<
      Handler<Rule, pegtl::parse_tree::internal::is_selected_node<Rule, Selector>,
              pegtl::parse_tree::internal::is_leaf<8, typename Rule::subs_t, Selector>>>;

  /// Rules that cannot add nodes: nothing to track.
  template <typename Rule>
  struct Handler<Rule, false, true> : pegtl::remove_first_state<Base<Rule>> {};

  /// Rules that are not nodes but may contain some.
  template <typename Rule>
  struct Handler<Rule, false, false> : pegtl::remove_first_state<Base<Rule>> {
    template <pegtl::apply_mode A, pegtl::rewind_mode M, template <typename...> class Action,
              template <typename...> class Control, typename ParseInput, typename... States>
    static bool match(ParseInput& in, States&&... st) {
      TreeBuilder& tree = BuilderOf(st...);
      const std::size_t mark = tree.pending.size();
      if (Base<Rule>::template match<A, M, Action, Control>(in, st...)) return true;
      tree.Drop(mark);
      return false;
    }
  };

  /// Rules that are nodes. A folding rule with one child is that child (fold_one); with more, a
  /// node without content.
  template <typename Rule, bool kLeaf>
  struct Handler<Rule, true, kLeaf> : pegtl::remove_first_state<Base<Rule>> {
    template <pegtl::apply_mode A, pegtl::rewind_mode M, template <typename...> class Action,
              template <typename...> class Control, typename ParseInput, typename... States>
    static bool match(ParseInput& in, States&&... st) {
      TreeBuilder& tree = BuilderOf(st...);
      const std::size_t mark = tree.pending.size();
      const pegtl::internal::iterator begin = in.iterator();
      if (!Base<Rule>::template match<A, M, Action, Control>(in, st...)) {
        tree.Drop(mark);
        return false;
      }
      if constexpr (kFolds<Rule>) {
        if (tree.pending.size() - mark != 1) {
          tree.pending.push_back(tree.Finish(mark, begin, pegtl::demangle<Rule>()));
        }
      } else {
        Node* node = tree.Finish(mark, begin, pegtl::demangle<Rule>());
        node->m_end = in.iterator();
        tree.pending.push_back(node);
      }
      return true;
    }
  };
};

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

SourceRange RangeOf(const Node& node, const SourcePath& path) {
  SourceRange range;
  range.begin.path = path;
  range.begin.line = static_cast<int>(node.m_begin.line);
  range.begin.column = static_cast<int>(node.m_begin.column);
  if (node.has_content() && node.m_end.line == node.m_begin.line) {
    range.end_column = static_cast<int>(node.m_end.column);
  }
  return range;
}

void NodeArena::AddNodeBlock() {
  node_blocks_.emplace_back();
  node_blocks_.back().reserve(kNodesPerBlock);
}

Node** NodeArena::NewList(std::size_t count) {
  constexpr std::size_t kBlock = 2048;
  if (count > kBlock / 4) {  // a long list gets a block of its own; the open block stays open
    big_lists_.push_back(std::make_unique<Node*[]>(count));
    return big_lists_.back().get();
  }
  if (count > list_slots_left_) {
    list_blocks_.push_back(std::make_unique<Node*[]>(kBlock));
    list_slots_left_ = kBlock;
  }
  Node** list = &list_blocks_.back()[kBlock - list_slots_left_];
  list_slots_left_ -= count;
  return list;
}

std::optional<Tree> Parse(const std::string& path, std::string text, Diagnostics& diagnostics) {
  Tree tree;
  tree.text = std::make_unique<std::string>(std::move(text));
  pegtl::memory_input<> in(tree.text->data(), tree.text->size(), path);
  try {
    TreeBuilder builder(tree.arena);
    if (pegtl::parse<g::file, Actions, BuildTree<Control>::type>(in, tree.comments, builder)) {
      tree.root = builder.Finish(0, pegtl::internal::iterator(), std::string_view());  // no type
    }
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
