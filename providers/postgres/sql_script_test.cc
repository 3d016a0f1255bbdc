// Unit tests of SQL statement splitting and position mapping.
#include "providers/postgres/sql_script.h"

#include <gtest/gtest.h>

namespace upgrade::postgres {
namespace {

std::vector<std::string> Texts(const std::string& script) {
  std::vector<std::string> out;
  for (const auto& statement : SplitSql(script)) out.push_back(statement.text);
  return out;
}

TEST(SplitSqlTest, SplitsAtTopLevelSemicolons) {
  EXPECT_EQ(Texts("create table a (x int);\ninsert into a values (1);"),
            (std::vector<std::string>{"create table a (x int)", "\ninsert into a values (1)"}));
}

TEST(SplitSqlTest, IgnoresSemicolonsInQuotesAndComments) {
  std::string script =
      "insert into t values ('a;b', E'c\\';d', \"x;y\"); -- one; two\n"
      "/* a; /* nested; */ b; */ select 1;";
  auto texts = Texts(script);
  ASSERT_EQ(texts.size(), 2u);
  EXPECT_NE(texts[1].find("select 1"), std::string::npos);
}

TEST(SplitSqlTest, KeepsDollarQuotedBodiesWhole) {
  std::string script =
      "create function f() returns int as $body$ begin return 1; end; $body$ language plpgsql;\n"
      "select $$a;b$$;";
  EXPECT_EQ(SplitSql(script).size(), 2u);
}

TEST(SplitSqlTest, KeepsBeginAtomicBodiesWhole) {
  std::string script =
      "create function g(x int) returns int begin atomic select case when x > 0 then 1 else 0 "
      "end; select 2; end;\nselect 3;";
  auto texts = Texts(script);
  ASSERT_EQ(texts.size(), 2u);
  EXPECT_NE(texts[1].find("select 3"), std::string::npos);
}

TEST(SplitSqlTest, DropsEmptyStatementsAndRecordsFirstToken) {
  std::string script = "-- header\n\n  select 1;;  \n-- trailing comment\n";
  auto statements = SplitSql(script);
  ASSERT_EQ(statements.size(), 1u);
  EXPECT_EQ(statements[0].offset, 0u);
  EXPECT_EQ(script.substr(statements[0].start, 6), "select");
}

TEST(LineColTest, CountsLinesAndCharacters) {
  std::string text = "ab\n\xc3\xa9x\n";
  LineCol at = LineColAt(text, 5);  // the 'x' after the two-byte 'é'
  EXPECT_EQ(at.line, 2);
  EXPECT_EQ(at.column, 2);
}

TEST(LineColTest, MapsCharacterPositionsToBytes) {
  std::string text = "\xc3\xa9t\xc3\xa9 x";
  EXPECT_EQ(ByteOffsetOfCharacter(text, 1), 0u);
  EXPECT_EQ(ByteOffsetOfCharacter(text, 2), 2u);
  EXPECT_EQ(ByteOffsetOfCharacter(text, 5), 6u);
}

TEST(NoTransactionMarkerTest, NeedsALineOfItsOwn) {
  EXPECT_TRUE(HasNoTransactionMarker("-- upgrade:no-transaction\ncreate index concurrently i on t (x);"));
  EXPECT_TRUE(HasNoTransactionMarker("select 1;\n  -- upgrade:no-transaction  \r\n"));
  EXPECT_FALSE(HasNoTransactionMarker("select 1; -- upgrade:no-transaction"));
  EXPECT_FALSE(HasNoTransactionMarker("select 1;"));
}

}  // namespace
}  // namespace upgrade::postgres
