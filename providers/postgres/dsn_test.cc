// Unit tests of DSN masking and parsing.
#include "providers/postgres/dsn.h"

#include <gtest/gtest.h>

namespace upgrade::postgres {
namespace {

TEST(MaskDsnTest, MasksUriPassword) {
  EXPECT_EQ(MaskDsn("postgresql://app:s3cret@127.0.0.1:5432/app"),
            "postgresql://app:***@127.0.0.1:5432/app");
  EXPECT_EQ(MaskDsn("postgres://app:p%40ss@db/app?sslmode=disable"),
            "postgres://app:***@db/app?sslmode=disable");
}

TEST(MaskDsnTest, LeavesUriWithoutPasswordAlone) {
  EXPECT_EQ(MaskDsn("postgresql://postgres@127.0.0.1:5432/postgres"),
            "postgresql://postgres@127.0.0.1:5432/postgres");
  EXPECT_EQ(MaskDsn("postgresql://127.0.0.1/app"), "postgresql://127.0.0.1/app");
}

TEST(MaskDsnTest, MasksUriQueryPassword) {
  EXPECT_EQ(MaskDsn("postgresql://app@h/db?password=hunter2&sslmode=require"),
            "postgresql://app@h/db?password=***&sslmode=require");
}

TEST(MaskDsnTest, MasksKeywordPasswords) {
  EXPECT_EQ(MaskDsn("host=h user=app password=hunter2 dbname=app"),
            "host=h user=app password=*** dbname=app");
  EXPECT_EQ(MaskDsn("host=h password = 'it\\'s a secret' dbname=app"),
            "host=h password = *** dbname=app");
  EXPECT_EQ(MaskDsn("dbname=app"), "dbname=app");
}

TEST(ScrubPasswordTest, ReplacesThePasswordAnywhere) {
  EXPECT_EQ(ScrubPassword("failed for hunter2 and hunter2", "postgresql://a:hunter2@h/d"),
            "failed for *** and ***");
}

TEST(ParseDsnTest, ReadsBothForms) {
  DsnParts uri = ParseDsn("postgresql://app:pw@127.0.0.1:5433/shop");
  EXPECT_EQ(uri.Get("user"), "app");
  EXPECT_EQ(uri.Get("password"), "pw");
  EXPECT_EQ(uri.Get("port"), "5433");
  EXPECT_EQ(uri.Get("dbname"), "shop");
  DsnParts keywords = ParseDsn("host=h dbname='my db'");
  EXPECT_EQ(keywords.Get("dbname"), "my db");
}

TEST(ParseDsnTest, BadDsnErrorIsMasked) {
  DsnParts parts = ParseDsn("postgresql://app:hunter2@h/db?nosuchoption=1");
  EXPECT_NE(parts.error, "");
  EXPECT_EQ(parts.error.find("hunter2"), std::string::npos) << parts.error;
}

TEST(SplitPasswordTest, TakesThePasswordOut) {
  SplitDsn split = SplitPassword("postgresql://app:pw%3Ax@127.0.0.1/shop");
  EXPECT_EQ(split.password, "pw:x");
  EXPECT_EQ(split.without_password.find("pw"), std::string::npos);
  EXPECT_NE(split.without_password.find("dbname='shop'"), std::string::npos);
}

TEST(DsnWithDatabaseTest, SwitchesTheDatabase) {
  EXPECT_EQ(DatabaseOf(DsnWithDatabase("postgresql://u@h/a", "b")), "b");
  EXPECT_EQ(DatabaseOf("postgresql://u@h/a"), "a");
}

}  // namespace
}  // namespace upgrade::postgres
