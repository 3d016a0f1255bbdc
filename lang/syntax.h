// The concrete syntax tree of a plan file, built while PEGTL parses it, with the file's comments
// kept beside it. Internal to lang/: the IR builder (parser.cc) and the formatter (format.cc) read it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tao/pegtl/demangle.hpp>
#include <tao/pegtl/internal/iterator.hpp>

#include "lang/diagnostic.h"
#include "lang/source.h"

namespace upgrade::syntax {

/// One node of the syntax tree: a grammar rule that matched, where, and the nodes inside it.
/// The same members as PEGTL's parse_tree::node, but owned by the tree's NodeArena.
struct Node {
  /// The children of a node, in order: a view of a list kept in the tree's NodeArena.
  class Children {
   public:
    Children() = default;
    Children(Node* const* items, std::size_t count) : items_(items), count_(count) {}
    Node* const* begin() const { return items_; }
    Node* const* end() const { return items_ + count_; }
    std::size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }
    Node* operator[](std::size_t i) const { return items_[i]; }
    Node* front() const { return items_[0]; }
    Node* back() const { return items_[count_ - 1]; }

   private:
    Node* const* items_ = nullptr;
    std::size_t count_ = 0;
  };

  Children children;
  std::string_view type;  ///< the rule's name; empty for the root
  tao::pegtl::internal::iterator m_begin;
  tao::pegtl::internal::iterator m_end;  ///< default (no data) when the node keeps no content

  template <typename Rule>
  bool is_type() const noexcept {
    const std::string_view name = tao::pegtl::demangle<Rule>();
    return (type.data() == name.data() && type.size() == name.size()) || type == name;
  }
  bool has_content() const noexcept { return m_end.data != nullptr; }
  std::string_view string_view() const noexcept {
    return std::string_view(m_begin.data, static_cast<std::size_t>(m_end.data - m_begin.data));
  }
  std::string string() const { return std::string(string_view()); }
};

/// Owns the nodes of one tree and their lists of children, allocated a block at a time:
/// a plan of 10,000 steps has a few hundred thousand nodes, and one allocation each would
/// cost more than the parse itself.
class NodeArena {
 public:
  Node* NewNode() {
    if (node_blocks_.empty() || node_blocks_.back().size() == kNodesPerBlock) AddNodeBlock();
    return &node_blocks_.back().emplace_back();
  }
  /// Room for a list of `count` children, valid as long as the arena.
  Node** NewList(std::size_t count);

 private:
  static constexpr std::size_t kNodesPerBlock = 512;
  void AddNodeBlock();

  std::vector<std::vector<Node>> node_blocks_;  ///< each reserved once, so nodes never move
  std::vector<std::unique_ptr<Node*[]>> list_blocks_;
  std::size_t list_slots_left_ = 0;
  std::vector<std::unique_ptr<Node*[]>> big_lists_;
};

/// One `#` or `//` comment, without its newline.
struct Comment {
  std::size_t byte = 0;
  int line = 0;
  int column = 0;
  std::string text;
};

/// A parsed file. Nodes point into `text` and `arena`, which the tree owns so that they stay
/// valid when the tree moves.
struct Tree {
  std::unique_ptr<std::string> text;
  NodeArena arena;
  const Node* root = nullptr;
  std::vector<Comment> comments;
};

/// Parses `text` as plan file `path`. On a syntax error adds it to `diagnostics`, returns nullopt.
std::optional<Tree> Parse(const std::string& path, std::string text, Diagnostics& diagnostics);

/// The range a node covers: its begin, and its end column when it ends on the same line.
SourceRange RangeOf(const Node& node, const SourcePath& path);

}  // namespace upgrade::syntax
