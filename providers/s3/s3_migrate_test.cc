// `run s3.migrate` against s3rver and PostgreSQL, checked with awscli and SQL: a thousand
// documents from a table to s3 with a real crash half-way (a child process dies mid-copy),
// a resume that skips what is verified, and a reverse that puts the rows back; directories to
// s3 with overwritten objects restored; s3 to a directory with the source deleted and back.
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <pqxx/pqxx>
#include <random>

#include "providers/s3/s3_digest.h"
#include "providers/s3/s3_integration.h"
#include "providers/s3/s3_provider.h"

namespace upgrade::s3 {
namespace {

using ::testing::HasSubstr;
using testing::Aws;
using testing::Connection;
using testing::FreshBucket;
using upgrade::testing::ReadFile;
using upgrade::testing::RequireEnv;
using upgrade::testing::TempDir;
using upgrade::testing::WriteFile;

Operation Migration(Value::Map attributes) {
  Operation operation;
  operation.kind = Operation::Kind::kAction;
  operation.resource = {"s3.migrate", "migrate", Connection(std::move(attributes))};
  return operation;
}

ReverseResult ReverseMigration(S3Provider& provider, const Operation& operation,
                               const Value& undo, ProviderContext& context) {
  ReverseRequest request;
  request.kind = Operation::Kind::kAction;
  request.resource = operation.resource;
  request.undo = undo;
  return provider.Reverse(request, context);
}

std::string MakeBucket() {
  std::string bucket = FreshBucket();
  EXPECT_EQ(Aws({"s3api", "create-bucket", "--bucket", bucket}).exit_code, 0);
  return bucket;
}

/// The keys under s3://bucket/prefix, as awscli lists them.
int CountObjects(const std::string& bucket, const std::string& prefix) {
  auto listed = Aws({"s3api", "list-objects-v2", "--bucket", bucket, "--prefix", prefix,
                     "--query", "length(Contents || `[]`)", "--output", "text"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  return std::atoi(listed.out.c_str());
}

void Put(const std::string& bucket, const std::string& key, const std::string& content) {
  TempDir dir;
  WriteFile(dir.Join("f"), content);
  ASSERT_EQ(Aws({"s3", "cp", dir.Join("f"), "s3://" + bucket + "/" + key}).exit_code, 0);
}

std::string Get(const std::string& bucket, const std::string& key) {
  TempDir dir;
  auto got = Aws({"s3", "cp", "s3://" + bucket + "/" + key, dir.Join("f")});
  return got.exit_code == 0 ? ReadFile(dir.Join("f")) : "(missing)";
}

std::string RandomBytes(size_t size) {
  std::mt19937_64 random(size);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  return bytes;
}

/// The number N of the last "copied N of M documents" progress line.
long CopiedSoFar(const std::string& text) {
  size_t at = text.find("copied ");
  return at == std::string::npos ? -1 : std::atol(text.c_str() + at + 7);
}

double Number(const Value& output, const char* name) {
  const Value& value = output.Get(name);
  return value.is_number() ? value.as_number() : -1;
}

class TableOfDocuments {
 public:
  explicit TableOfDocuments(int count) : dsn_(RequireEnv("UPGRADE_TEST_PG_DSN")) {
    name_ = "docs_" + FreshBucket().substr(2);
    pqxx::connection db(dsn_);
    pqxx::work work(db);
    work.exec("create table " + name_ + " (id integer primary key, body text)");
    for (int id = 1; id <= count; ++id) {
      std::string body = "{\"id\": " + std::to_string(id) +
                         ", \"note\": \"caf\xC3\xA9 \xE2\x9C\x93\"";
      body += ", \"pad\": \"" + std::string(static_cast<size_t>(id * 37 % 2000), 'x') + "\"}";
      bodies_[std::to_string(id)] = body;
      work.exec_params("insert into " + name_ + " values ($1, $2)", id, body);
    }
    work.commit();
  }
  const std::string& dsn() const { return dsn_; }
  const std::string& name() const { return name_; }
  const std::map<std::string, std::string>& bodies() const { return bodies_; }

  std::map<std::string, std::string> Rows() const {
    pqxx::connection db(dsn_);
    pqxx::work work(db);
    std::map<std::string, std::string> rows;
    for (const auto& row : work.exec("select id::text, body from " + name_))
      rows[row[0].c_str()] = row[1].c_str();
    return rows;
  }

 private:
  std::string dsn_;
  std::string name_;
  std::map<std::string, std::string> bodies_;
};

TEST(S3MigrateTest, AThousandRowsToS3CrashHalfWayResumeAndReverseBack) {
  TableOfDocuments table(1000);
  std::string bucket = MakeBucket();
  Operation migrate = Migration({{"from", table.dsn()},
                                 {"table", table.name()},
                                 {"key_column", "id"},
                                 {"body_column", "body"},
                                 {"to", "s3://" + bucket + "/docs"},
                                 {"delete_source", true},
                                 {"parallel", 4}});
  S3Provider provider;
  testing::Context context;
  PrepareResult prepared = provider.Prepare(migrate, context.get());
  ASSERT_EQ(prepared.error, "");

  // A child process applies it and dies on the spot, no cleanup, once 300 are copied.
  pid_t child = fork();
  if (child == 0) {
    context.get().progress = [](const std::string& text) {
      if (CopiedSoFar(text) >= 300) _exit(42);
    };
    provider.Apply(migrate, prepared.undo, context.get());
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 42) << "the child did not crash";
  int after_crash = CountObjects(bucket, "docs/");
  EXPECT_GE(after_crash, 300);
  EXPECT_LT(after_crash, 1000) << "the crash should come half-way";
  EXPECT_EQ(table.Rows().size(), 1000u) << "no source is deleted before all are verified";

  // Applying again resumes: what the manifest has as verified is skipped.
  ApplyResult resumed = provider.Apply(migrate, prepared.undo, context.get());
  ASSERT_EQ(resumed.error, "");
  EXPECT_EQ(Number(resumed.output, "documents"), 1000);
  EXPECT_GE(Number(resumed.output, "skipped"), after_crash - 4);
  EXPECT_EQ(Number(resumed.output, "copied") + Number(resumed.output, "skipped"), 1000);
  EXPECT_EQ(Number(resumed.output, "deleted"), 1000);
  EXPECT_THAT(context.progress().back(), HasSubstr("documents, "));
  bool saw_final_count = false;
  for (const std::string& line : context.progress())
    saw_final_count |= line.rfind("s3.migrate: copied 1000 of 1000 documents, ", 0) == 0;
  EXPECT_TRUE(saw_final_count);

  TempDir down;
  ASSERT_EQ(Aws({"s3", "cp", "--recursive", "--quiet", "s3://" + bucket + "/docs", down.path()})
                .exit_code,
            0);
  int identical = 0;
  for (const auto& [id, body] : table.bodies()) identical += ReadFile(down.Join(id)) == body;
  EXPECT_EQ(identical, 1000);
  EXPECT_TRUE(table.Rows().empty()) << "delete_source deletes the rows once all are verified";

  // Rollback migrates back: every row as it was, and nothing left in the bucket.
  ReverseResult reversed = ReverseMigration(provider, migrate, resumed.undo, context.get());
  ASSERT_EQ(reversed.error, "");
  EXPECT_TRUE(table.Rows() == table.bodies()) << "the rows did not come back identical";
  EXPECT_EQ(CountObjects(bucket, "docs/"), 0);
  EXPECT_EQ(ReverseMigration(provider, migrate, resumed.undo, context.get()).error, "");
  EXPECT_TRUE(table.Rows() == table.bodies());
}

TEST(S3MigrateTest, ADirectoryToS3OverwritesVerifiedAndReverseRestoresWhatWasThere) {
  TempDir source;
  std::filesystem::create_directories(source.Join("sub"));
  WriteFile(source.Join("a.txt"), "new a");
  WriteFile(source.Join("sub/b.json"), "{}");
  std::string big = RandomBytes(12 << 20);
  WriteFile(source.Join("big.bin"), big);
  std::string bucket = MakeBucket();
  Put(bucket, "in/a.txt", "old a");
  Put(bucket, "in/keep.txt", "keep");
  Operation migrate = Migration(
      {{"from", source.path()}, {"to", "s3://" + bucket + "/in"}, {"part_size_mb", 5}});
  S3Provider provider;
  testing::Context context;
  PrepareResult prepared = provider.Prepare(migrate, context.get());
  ASSERT_EQ(prepared.error, "");
  ApplyResult applied = provider.Apply(migrate, prepared.undo, context.get());
  ASSERT_EQ(applied.error, "");
  EXPECT_EQ(Number(applied.output, "copied"), 3);
  EXPECT_EQ(Number(applied.output, "bytes"), (12 << 20) + 7);
  EXPECT_EQ(Get(bucket, "in/a.txt"), "new a");
  EXPECT_EQ(Get(bucket, "in/sub/b.json"), "{}");
  EXPECT_TRUE(Get(bucket, "in/big.bin") == big);

  // The same migration again: everything is verified already.
  ApplyResult again = provider.Apply(migrate, prepared.undo, context.get());
  ASSERT_EQ(again.error, "");
  EXPECT_EQ(Number(again.output, "copied"), 0);
  EXPECT_EQ(Number(again.output, "skipped"), 3);

  ASSERT_EQ(ReverseMigration(provider, migrate, again.undo, context.get()).error, "");
  EXPECT_EQ(Get(bucket, "in/a.txt"), "old a");
  EXPECT_EQ(Get(bucket, "in/keep.txt"), "keep");
  EXPECT_EQ(CountObjects(bucket, "in/"), 2);
  EXPECT_EQ(ReadFile(source.Join("a.txt")), "new a");
}

TEST(S3MigrateTest, S3ToADirectoryDeletingTheSourceAndBack) {
  std::string bucket = MakeBucket();
  Put(bucket, "src/x.txt", "ex");
  Put(bucket, "src/y/z.txt", "zed");
  TempDir target;
  Operation migrate = Migration({{"from", "s3://" + bucket + "/src/"},
                                 {"to", target.Join("out")},
                                 {"delete_source", true}});
  S3Provider provider;
  testing::Context context;
  PrepareResult prepared = provider.Prepare(migrate, context.get());
  ASSERT_EQ(prepared.error, "");
  ApplyResult applied = provider.Apply(migrate, prepared.undo, context.get());
  ASSERT_EQ(applied.error, "");
  EXPECT_EQ(ReadFile(target.Join("out/x.txt")), "ex");
  EXPECT_EQ(ReadFile(target.Join("out/y/z.txt")), "zed");
  EXPECT_EQ(CountObjects(bucket, "src/"), 0);

  ASSERT_EQ(ReverseMigration(provider, migrate, applied.undo, context.get()).error, "");
  EXPECT_EQ(Get(bucket, "src/x.txt"), "ex");
  EXPECT_EQ(Get(bucket, "src/y/z.txt"), "zed");
  EXPECT_FALSE(std::filesystem::exists(target.Join("out/x.txt")));
  EXPECT_FALSE(std::filesystem::exists(target.Join("out/y")));
}

TEST(S3MigrateTest, AMissingSourceBucketFailsAtPrepareWithItsCode) {
  TempDir target;
  std::string bucket = FreshBucket();
  Operation migrate = Migration({{"from", "s3://" + bucket + "/p"}, {"to", target.path()}});
  S3Provider provider;
  testing::Context context;
  PrepareResult prepared = provider.Prepare(migrate, context.get());
  EXPECT_EQ(prepared.error, "s3.migrate s3://" + bucket + "/p/ -> " + target.path() +
                                ": s3: GET s3://" + bucket +
                                "/p/ (list): NoSuchBucket: The specified bucket does not exist "
                                "(HTTP 404)");
}

TEST(S3MigrateTest, ATableSourceNeverShowsItsPassword) {
  std::string dsn = "postgresql://app:hunter2@127.0.0.1:9/app";
  TempDir target;
  Operation migrate = Migration({{"from", dsn}, {"table", "docs"}, {"to", target.path()}});
  S3Provider provider;
  testing::Context context;
  PrepareResult prepared = provider.Prepare(migrate, context.get());
  EXPECT_THAT(prepared.error, HasSubstr("postgresql://app:***@127.0.0.1:9/app table docs"));
  EXPECT_THAT(prepared.error, ::testing::Not(HasSubstr("hunter2")));
}

}  // namespace
}  // namespace upgrade::s3
