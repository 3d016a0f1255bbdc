// The concrete syntax tree of a plan file, as PEGTL's parse tree, with the file's comments kept
// beside it. Internal to lang/: the IR builder (parser.cc) and the formatter (format.cc) read it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tao/pegtl/contrib/parse_tree.hpp>

#include "lang/diagnostic.h"
#include "lang/source.h"

namespace upgrade::syntax {

using Node = tao::pegtl::parse_tree::node;

/// One `#` or `//` comment, without its newline.
struct Comment {
  std::size_t byte = 0;
  int line = 0;
  int column = 0;
  std::string text;
};

/// A parsed file. Nodes point into `text`, which the tree owns so that they stay valid.
struct Tree {
  std::unique_ptr<std::string> text;
  std::unique_ptr<Node> root;
  std::vector<Comment> comments;
};

/// Parses `text` as plan file `path`. On a syntax error adds it to `diagnostics`, returns nullopt.
std::optional<Tree> Parse(const std::string& path, std::string text, Diagnostics& diagnostics);

/// The range a node covers: its begin, and its end column when it ends on the same line.
SourceRange RangeOf(const Node& node, const std::string& path);

}  // namespace upgrade::syntax
