// FormatPlan: prints the syntax tree in canonical layout. Comments are not in the tree; they are
// kept in a sorted list and written out before the first unit (block, attribute, statement,
// list element) that starts after them, or at the end of the line they trailed.
#include "lang/format.h"

#include <algorithm>
#include <map>

#include "lang/grammar.h"
#include "lang/syntax.h"

namespace upgrade {
namespace {

namespace g = grammar;
using syntax::Node;

template <typename Rule>
const Node* Child(const Node& node) {
  for (const auto& child : node.children)
    if (child->is_type<Rule>()) return child;
  return nullptr;
}

std::size_t BeginByte(const Node& node) { return node.m_begin.byte; }
int BeginLine(const Node& node) { return static_cast<int>(node.m_begin.line); }
int LastLine(const Node& node) { return static_cast<int>(node.m_end.line); }

bool IsBinaryLevel(const Node& node) {
  return node.is_type<g::or_expr>() || node.is_type<g::and_expr>() ||
         node.is_type<g::cmp_expr>() || node.is_type<g::add_expr>() ||
         node.is_type<g::mul_expr>();
}

/// Writes one file in canonical layout.
class Formatter {
 public:
  explicit Formatter(std::vector<syntax::Comment> comments) : comments_(std::move(comments)) {}

  std::string Format(const Node& root) {
    AlignResourceHeaders(root);
    for (const auto& block : root.children) {
      StartUnit(BeginByte(*block), BeginLine(*block), 0);
      TopBlock(*block);
      last_line_ = LastLine(*block);
    }
    FlushComments(static_cast<std::size_t>(-1), 0);
    return out_;
  }

 private:
  void Put(std::string_view text) {
    if (after_heredoc_) {
      out_ += "\n" + std::string(current_indent_, ' ');
      after_heredoc_ = false;
    }
    out_ += text;
  }
  void EndLine() {
    out_ += "\n";
    after_heredoc_ = false;
  }
  void Indent(int indent) {
    current_indent_ = indent;
    out_ += std::string(indent, ' ');
  }
  void BlankLineIfSourceHadOne(int line) {
    if (!at_block_start_ && !out_.empty() && line > last_line_ + 1) out_ += "\n";
  }

  // Comments before `byte`: one trailing the line last written joins that line; the others
  // get lines of their own.
  void FlushComments(std::size_t byte, int indent) {
    while (next_comment_ < comments_.size() && comments_[next_comment_].byte < byte) {
      const syntax::Comment& comment = comments_[next_comment_++];
      if (comment.line == last_line_ && !out_.empty() && out_.back() == '\n') {
        out_.insert(out_.size() - 1, " " + comment.text);
        continue;
      }
      BlankLineIfSourceHadOne(comment.line);
      out_ += std::string(indent, ' ') + comment.text + "\n";
      last_line_ = comment.line;
      at_block_start_ = false;
    }
  }

  void StartUnit(std::size_t byte, int line, int indent) {
    FlushComments(byte, indent);
    BlankLineIfSourceHadOne(line);
    at_block_start_ = false;
    Indent(indent);
  }

  bool HasCommentsWithin(const Node& node) const {
    for (std::size_t i = next_comment_; i < comments_.size(); ++i) {
      if (comments_[i].byte >= node.m_end.byte) break;
      if (comments_[i].byte >= node.m_begin.byte) return true;
    }
    return false;
  }

  bool CommentLineBetween(const Node& first, const Node& second) const {
    auto it = std::lower_bound(comments_.begin(), comments_.end(), first.m_end.byte,
                               [](const syntax::Comment& c, std::size_t byte) { return c.byte < byte; });
    for (; it != comments_.end() && it->byte < second.m_begin.byte; ++it) {
      if (it->line > LastLine(first)) return true;
    }
    return false;
  }
  bool HasBlankLineBetween(const Node& first, const Node& second) const {
    int line = LastLine(first);
    auto it = std::lower_bound(comments_.begin(), comments_.end(), first.m_end.byte,
                               [](const syntax::Comment& c, std::size_t byte) { return c.byte < byte; });
    for (; it != comments_.end() && it->byte < second.m_begin.byte; ++it) {
      if (it->line > line + 1) return true;
      line = it->line;
    }
    return BeginLine(second) > line + 1;
  }
  void AlignResourceHeaders(const Node& root);
  void TopBlock(const Node& node);
  void StepBody(const Node& body, int indent);
  void Items(const std::vector<const Node*>& items, int indent);
  void AttrBlock(const Node& block, int indent);
  void Attribute(const Node& attribute, int pad, int indent);
  void Statement(const Node& statement, int indent);
  void Target(const Node& statement);
  void Close(const Node& block, int indent);

  void Expr(const Node& node, int indent);
  void Heredoc(const Node& node, int indent);
  void Sequence(const Node& node, const char* open, const char* close, int indent);

  std::vector<syntax::Comment> comments_;
  std::size_t next_comment_ = 0;
  std::map<const Node*, std::pair<std::size_t, std::size_t>> header_widths_;  ///< type, name
  std::string out_;
  int last_line_ = 0;
  bool at_block_start_ = true;
  bool after_heredoc_ = false;
  int current_indent_ = 0;
};

// Resource blocks in an unbroken run (no blank line between them; comment lines do not break
// it) align their names, and those written on one line their braces too, as in a table.
void Formatter::AlignResourceHeaders(const Node& root) {
  const auto& blocks = root.children;
  for (std::size_t begin = 0; begin < blocks.size();) {
    std::size_t end = begin;
    std::size_t type_width = 0, name_width = 0;
    while (end < blocks.size() && blocks[end]->is_type<g::resource_block>()) {
      if (end > begin && HasBlankLineBetween(*blocks[end - 1], *blocks[end])) break;
      type_width = std::max(type_width, Child<g::type_name>(*blocks[end])->string_view().size());
      name_width = std::max(name_width, Child<g::decl_name>(*blocks[end])->string_view().size());
      ++end;
    }
    for (std::size_t i = begin; i < end; ++i) {
      header_widths_[blocks[i]] = {type_width, name_width};
    }
    begin = end == begin ? end + 1 : end;
  }
}

void Formatter::TopBlock(const Node& node) {
  if (node.is_type<g::plan_block>()) {
    Put("plan " + Child<g::plan_name>(node)->string() + " ");
    AttrBlock(*Child<g::attr_block>(node), 0);
    EndLine();
  } else if (node.is_type<g::input_block>()) {
    Put("input " + Child<g::decl_name>(node)->string());
    if (const Node* block = Child<g::attr_block>(node)) {
      Put(" ");
      AttrBlock(*block, 0);
    }
    EndLine();
  } else if (node.is_type<g::let_block>()) {
    Put("let " + Child<g::decl_name>(node)->string() + " = ");
    Expr(*node.children.back(), 0);
    EndLine();
  } else if (node.is_type<g::resource_block>()) {
    auto [type_width, name_width] = header_widths_[&node];
    std::string type = Child<g::type_name>(node)->string();
    std::string name = Child<g::decl_name>(node)->string();
    type.resize(std::max(type.size(), type_width), ' ');
    const Node& block = *Child<g::attr_block>(node);
    if (BeginLine(block) == LastLine(block)) name.resize(std::max(name.size(), name_width), ' ');
    Put("resource " + type + " " + name + " ");
    AttrBlock(*Child<g::attr_block>(node), 0);
    EndLine();
  } else if (node.is_type<g::step_block>()) {
    Put("step " + Child<g::decl_name>(node)->string() + " ");
    if (const Node* title = Child<g::step_title>(node)) Put(title->string() + " ");
    StepBody(*Child<g::step_body>(node), 0);
  } else if (node.is_type<g::import_block>()) {
    Put("import " + Child<g::import_path>(node)->string() + " as " +
        Child<g::decl_name>(node)->string());
    if (const Node* block = Child<g::attr_block>(node)) {
      Put(" ");
      AttrBlock(*block, 0);
    }
    EndLine();
  }
}

void Formatter::Close(const Node& block, int indent) {
  FlushComments(block.m_end.byte - 1, indent + 2);
  Indent(indent);
  Put("}");
  EndLine();
  last_line_ = LastLine(block);
  at_block_start_ = false;
}

void Formatter::StepBody(const Node& body, int indent) {
  Put("{");
  EndLine();
  last_line_ = BeginLine(body);
  at_block_start_ = true;
  std::vector<const Node*> items;
  for (const auto& child : body.children) items.push_back(child);
  Items(items, indent + 2);
  Close(body, indent);
}

// Attributes in an unbroken run (no blank line, no comment line) align their `=`.
void Formatter::Items(const std::vector<const Node*>& items, int indent) {
  std::vector<int> pads(items.size(), 0);
  for (std::size_t begin = 0; begin < items.size();) {
    std::size_t end = begin;
    std::size_t widest = 0;
    while (end < items.size() && items[end]->is_type<g::attribute>()) {
      if (end > begin) {
        bool blank = BeginLine(*items[end]) > LastLine(*items[end - 1]) + 1;
        if (blank || CommentLineBetween(*items[end - 1], *items[end])) break;
      }
      widest = std::max(widest, items[end]->children[0]->string_view().size());
      ++end;
    }
    for (std::size_t i = begin; i < end; ++i) pads[i] = static_cast<int>(widest);
    begin = end == begin ? end + 1 : end;
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    StartUnit(BeginByte(*items[i]), BeginLine(*items[i]), indent);
    if (items[i]->is_type<g::attribute>()) {
      Attribute(*items[i], pads[i], indent);
    } else {
      Statement(*items[i], indent);
    }
    EndLine();
    last_line_ = LastLine(*items[i]);
  }
}

void Formatter::Attribute(const Node& attribute, int pad, int indent) {
  std::string name = attribute.children[0]->string();
  name.resize(std::max<std::size_t>(name.size(), static_cast<std::size_t>(pad)), ' ');
  Put(name + " = ");
  Expr(*attribute.children[1], indent);
}

void Formatter::AttrBlock(const Node& block, int indent) {
  bool one_line = BeginLine(block) == LastLine(block) && !HasCommentsWithin(block);
  if (block.children.empty() && !HasCommentsWithin(block)) one_line = true;
  if (one_line) {
    if (block.children.empty()) {
      Put("{}");
    } else {
      Put("{ ");
      for (std::size_t i = 0; i < block.children.size(); ++i) {
        if (i > 0) Put("  ");
        Attribute(*block.children[i], 0, indent);
      }
      Put(" }");
    }
    last_line_ = LastLine(block);
    return;
  }
  Put("{");
  EndLine();
  last_line_ = BeginLine(block);
  at_block_start_ = true;
  std::vector<const Node*> items;
  for (const auto& child : block.children) items.push_back(child);
  Items(items, indent + 2);
  Close(block, indent);
  out_.pop_back();  // the caller ends the line
  after_heredoc_ = false;
}

void Formatter::Target(const Node& statement) {
  Put(" " + Child<g::target_name>(statement)->string());
  if (const Node* index = Child<g::target_index>(statement)) {
    Put("[");
    Expr(*index->children[0], current_indent_);
    Put("]");
  }
}

void Formatter::Statement(const Node& statement, int indent) {
  const Node* block = Child<g::attr_block>(statement);
  if (statement.is_type<g::require_stmt>() || statement.is_type<g::verify_stmt>()) {
    Put(statement.is_type<g::require_stmt>() ? "require " : "verify ");
    Expr(*statement.children[0], indent);
    if (const Node* message = Child<g::message>(statement)) Put(" " + message->string());
  } else if (statement.is_type<g::run_stmt>()) {
    Put("run " + Child<g::action_type>(statement)->string());
  } else {
    Put(statement.is_type<g::set_stmt>() ? "set" : "snapshot");
    Target(statement);
  }
  if (block) {
    Put(" ");
    AttrBlock(*block, indent);
  }
}

void Formatter::Sequence(const Node& node, const char* open, const char* close, int indent) {
  bool is_map = node.is_type<g::map>();
  bool multi_line = BeginLine(node) != LastLine(node) && !node.children.empty();
  Put(open);
  if (!multi_line) {
    if (is_map && !node.children.empty()) Put(" ");
    for (std::size_t i = 0; i < node.children.size(); ++i) {
      if (i > 0) Put(", ");
      const Node& item = *node.children[i];
      if (is_map) {
        Put(item.children[0]->string() + " = ");
        Expr(*item.children[1], indent);
      } else {
        Expr(item, indent);
      }
    }
    if (is_map && !node.children.empty()) Put(" ");
    Put(close);
    return;
  }
  EndLine();
  last_line_ = BeginLine(node);
  at_block_start_ = true;
  for (const auto& child : node.children) {
    const Node& item = *child;
    StartUnit(BeginByte(item), BeginLine(item), indent + 2);
    if (is_map) {
      Put(item.children[0]->string() + " = ");
      Expr(*item.children[1], indent + 2);
    } else {
      Expr(item, indent + 2);
      Put(",");
    }
    EndLine();
    last_line_ = LastLine(item);
  }
  FlushComments(node.m_end.byte - 1, indent + 2);
  Indent(indent);
  Put(close);
  last_line_ = LastLine(node);
}

void Formatter::Heredoc(const Node& node, int indent) {
  std::string_view text = node.string_view();
  std::size_t marker_begin = text[2] == '-' ? 3 : 2;
  std::size_t marker_end = marker_begin;
  while (marker_end < text.size() && (isalnum(static_cast<unsigned char>(text[marker_end])) ||
                                      text[marker_end] == '_')) {
    ++marker_end;
  }
  std::string marker(text.substr(marker_begin, marker_end - marker_begin));
  std::vector<std::string_view> lines;
  std::size_t strip = std::string::npos;
  for (const auto& line : node.children) {
    std::string_view raw = line->string_view();
    while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
    lines.push_back(raw);
    std::size_t first = raw.find_first_not_of(" \t");
    if (first != std::string_view::npos) strip = std::min(strip, first);
  }
  Put("<<" + marker);
  for (std::string_view line : lines) {
    out_ += "\n";
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    out_ += std::string(indent + 2, ' ');
    out_ += line.substr(strip);
  }
  out_ += "\n" + std::string(indent, ' ') + marker;
  current_indent_ = indent;
  after_heredoc_ = true;
}

void Formatter::Expr(const Node& node, int indent) {
  if (IsBinaryLevel(node)) {
    for (std::size_t i = 0; i < node.children.size(); ++i) {
      if (i % 2 == 1) {
        Put(" " + node.children[i]->string() + " ");
      } else {
        Expr(*node.children[i], indent);
      }
    }
  } else if (node.is_type<g::postfix>()) {
    Expr(*node.children[0], indent);
    for (std::size_t i = 1; i < node.children.size(); ++i) {
      const Node& suffix = *node.children[i];
      if (suffix.is_type<g::attr_suffix>()) {
        Put("." + suffix.children[0]->string());
      } else if (suffix.is_type<g::index_suffix>()) {
        Put("[");
        Expr(*suffix.children[0], indent);
        Put("]");
      } else {
        Sequence(suffix, "(", ")", indent);
      }
    }
  } else if (node.is_type<g::unary_expr>()) {
    Put(node.children[0]->string());
    Expr(*node.children[1], indent);
  } else if (node.is_type<g::paren>()) {
    Put("(");
    Expr(*node.children[0], indent);
    Put(")");
  } else if (node.is_type<g::list>()) {
    Sequence(node, "[", "]", indent);
  } else if (node.is_type<g::map>()) {
    Sequence(node, "{", "}", indent);
  } else if (node.is_type<g::heredoc>()) {
    Heredoc(node, indent);
  } else {
    Put(node.string_view());  // identifiers, numbers, durations, keywords, strings as written
  }
}

}  // namespace

std::optional<std::string> FormatPlan(const std::string& path, const std::string& text,
                                      Diagnostics& diagnostics) {
  auto tree = syntax::Parse(path, text, diagnostics);
  if (!tree) return std::nullopt;
  Formatter formatter(std::move(tree->comments));
  return formatter.Format(*tree->root);
}

}  // namespace upgrade
