// The grammar has no rule that can loop without consuming input (PEGTL's analyze).
#include <gtest/gtest.h>

#include <tao/pegtl/contrib/analyze.hpp>

#include "lang/grammar.h"

namespace upgrade {
namespace {

TEST(GrammarTest, AnalyzeFindsNoProblems) {
  EXPECT_EQ(tao::pegtl::analyze<grammar::file>(1), 0u);
}

}  // namespace
}  // namespace upgrade
