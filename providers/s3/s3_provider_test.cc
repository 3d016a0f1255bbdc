// The s3 provider's buckets, objects and functions against a real s3rver, each result checked
// with awscli as an independent client: what Apply wrote, what Reverse put back (byte for
// byte), and the errors a user sees (S3 code and message, no secrets).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "providers/s3/s3_digest.h"
#include "providers/s3/s3_integration.h"
#include "providers/s3/s3_provider.h"

namespace upgrade::s3 {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::Aws;
using testing::Connection;
using testing::FreshBucket;
using upgrade::testing::ReadFile;
using upgrade::testing::TempDir;
using upgrade::testing::WriteFile;

/// Plans and applies one change the way the executor does; returns Apply's result and
/// leaves the undo record in `*undo`.
ApplyResult PlanAndApply(S3Provider& provider, const ResourceConfig& resource,
                         const Value::Map& desired, ProviderContext& context, Value* undo) {
  ReadResult read = provider.Read(resource, context);
  EXPECT_EQ(read.error, "");
  DiffResult diff = provider.Diff({resource, read.state, desired});
  EXPECT_EQ(diff.error, "");
  Operation operation;
  operation.resource = resource;
  operation.change = diff.change;
  PrepareResult prepared = provider.Prepare(operation, context);
  EXPECT_EQ(prepared.error, "");
  *undo = prepared.undo;
  return provider.Apply(operation, prepared.undo, context);
}

ReverseResult Reverse(S3Provider& provider, const ResourceConfig& resource, const Value& undo,
                      ProviderContext& context) {
  ReverseRequest request;
  request.resource = resource;
  request.undo = undo;
  return provider.Reverse(request, context);
}

ResourceConfig Bucket(const std::string& name) {
  return {"s3.bucket", "bucket", Connection({{"bucket", name}})};
}

ResourceConfig Object(const std::string& bucket, const std::string& key) {
  return {"s3.object", "object", Connection({{"bucket", bucket}, {"key", key}})};
}

std::string MakeBucket() {
  std::string bucket = FreshBucket();
  EXPECT_EQ(Aws({"s3api", "create-bucket", "--bucket", bucket}).exit_code, 0);
  return bucket;
}

std::string RandomBytes(size_t size) {
  std::mt19937_64 random(size);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  return bytes;
}

TEST(S3BucketTest, CreatesAndReversesABucket) {
  S3Provider provider;
  testing::Context context;
  std::string name = FreshBucket();
  Value undo;
  ApplyResult applied = PlanAndApply(provider, Bucket(name), {}, context.get(), &undo);
  ASSERT_EQ(applied.error, "");
  EXPECT_TRUE(applied.state.exists);
  EXPECT_EQ(Aws({"s3api", "head-bucket", "--bucket", name}).exit_code, 0);

  ASSERT_EQ(Reverse(provider, Bucket(name), undo, context.get()).error, "");
  EXPECT_NE(Aws({"s3api", "head-bucket", "--bucket", name}).exit_code, 0);
  // Reverse is idempotent: the bucket is gone already.
  EXPECT_EQ(Reverse(provider, Bucket(name), undo, context.get()).error, "");
}

TEST(S3BucketTest, VersioningOnAServerWithoutItIsAClearError) {
  S3Provider provider;
  testing::Context context;
  std::string name = MakeBucket();
  ReadResult read = provider.Read(Bucket(name), context.get());
  ASSERT_EQ(read.error, "");
  EXPECT_TRUE(read.state.exists);
  EXPECT_EQ(read.state.attributes.count("versioning"), 0u);
  DiffResult diff = provider.Diff({Bucket(name), read.state, {{"versioning", true}}});
  EXPECT_EQ(diff.error, "s3: bucket versioning is not supported by the server at " +
                            testing::Endpoint() +
                            " (its answer to GET ?versioning has no VersioningConfiguration)");
  // Creating a new bucket with versioning fails at apply with the same words.
  std::string fresh = FreshBucket();
  Value undo;
  ApplyResult applied =
      PlanAndApply(provider, Bucket(fresh), {{"versioning", true}}, context.get(), &undo);
  EXPECT_THAT(applied.error, HasSubstr("bucket versioning is not supported by the server"));
  ASSERT_EQ(Reverse(provider, Bucket(fresh), undo, context.get()).error, "");
  EXPECT_NE(Aws({"s3api", "head-bucket", "--bucket", fresh}).exit_code, 0);
}

// (The message is s3rver's own, typo included: the provider passes S3's words on verbatim.)
// (The message is s3rver's own, typo included: S3's words are passed on verbatim.)
TEST(S3BucketTest, DeletingANonEmptyBucketNamesTheS3Error) {
  S3Provider provider;
  testing::Context context;
  std::string name = MakeBucket();
  TempDir dir;
  WriteFile(dir.Join("f"), "x");
  ASSERT_EQ(Aws({"s3", "cp", dir.Join("f"), "s3://" + name + "/f"}).exit_code, 0);
  Value undo;
  ApplyResult applied = PlanAndApply(provider, Bucket(name), {{"absent", true}}, context.get(),
                                     &undo);
  EXPECT_EQ(applied.error, "s3: DELETE s3://" + name +
                               ": BucketNotEmpty: The bucket your tried to delete is not empty "
                               "(HTTP 409)");
}

TEST(S3ObjectTest, UpdateThenRollbackRestoresTheBytesTypeAndMetadataExactly) {
  S3Provider provider;
  testing::Context context;
  std::string bucket = MakeBucket();
  TempDir dir;
  std::string original = RandomBytes(70000);
  WriteFile(dir.Join("original"), original);
  ASSERT_EQ(Aws({"s3api", "put-object", "--bucket", bucket, "--key", "conf/app.bin", "--body",
                 dir.Join("original"), "--content-type", "application/x-thing", "--metadata",
                 "owner=ops,tier=gold"})
                .exit_code,
            0);
  Value undo;
  ApplyResult applied =
      PlanAndApply(provider, Object(bucket, "conf/app.bin"),
                   {{"content", "version: 2\n"},
                    {"content_type", "text/yaml"},
                    {"metadata", Value(Value::Map{{"owner", "upgrade"}})}},
                   context.get(), &undo);
  ASSERT_EQ(applied.error, "");
  EXPECT_EQ(applied.state.attributes["sha256"], Value(Sha256HexOf("version: 2\n")));
  ASSERT_EQ(Aws({"s3", "cp", "s3://" + bucket + "/conf/app.bin", dir.Join("new")}).exit_code, 0);
  EXPECT_EQ(ReadFile(dir.Join("new")), "version: 2\n");
  auto head = Aws({"s3api", "head-object", "--bucket", bucket, "--key", "conf/app.bin"});
  EXPECT_THAT(head.out, HasSubstr("\"ContentType\": \"text/yaml\""));
  EXPECT_THAT(head.out, HasSubstr("\"owner\": \"upgrade\""));

  ASSERT_EQ(Reverse(provider, Object(bucket, "conf/app.bin"), undo, context.get()).error, "");
  ASSERT_EQ(Aws({"s3", "cp", "s3://" + bucket + "/conf/app.bin", dir.Join("back")}).exit_code,
            0);
  EXPECT_TRUE(ReadFile(dir.Join("back")) == original) << "rollback is not byte-identical";
  head = Aws({"s3api", "head-object", "--bucket", bucket, "--key", "conf/app.bin"});
  EXPECT_THAT(head.out, HasSubstr("\"ContentType\": \"application/x-thing\""));
  EXPECT_THAT(head.out, HasSubstr("\"owner\": \"ops\""));
  EXPECT_THAT(head.out, HasSubstr("\"tier\": \"gold\""));
  EXPECT_THAT(head.out, Not(HasSubstr("upgrade-sha256")));
  // Reverse again: still the original.
  ASSERT_EQ(Reverse(provider, Object(bucket, "conf/app.bin"), undo, context.get()).error, "");
  head = Aws({"s3api", "head-object", "--bucket", bucket, "--key", "conf/app.bin"});
  EXPECT_THAT(head.out, HasSubstr("\"ETag\": \"\\\"" + Md5Hex(original) + "\\\"\""));
}

TEST(S3ObjectTest, ABigSourceFileGoesInPartsAndRollbackDeletesIt) {
  S3Provider provider;
  testing::Context context;
  std::string bucket = MakeBucket();
  TempDir dir;
  std::string bytes = RandomBytes(20 << 20);
  WriteFile(dir.Join("big"), bytes);
  Value undo;
  ApplyResult applied = PlanAndApply(provider, Object(bucket, "big.bin"),
                                     {{"source", dir.Join("big")}}, context.get(), &undo);
  ASSERT_EQ(applied.error, "");
  EXPECT_EQ(applied.state.attributes["size"], Value(20 << 20));
  EXPECT_EQ(applied.state.attributes["sha256"], Value(Sha256HexOf(bytes)));
  // (s3rver gives multipart objects the MD5 of all their bytes as ETag; the parts
  // themselves are checked in s3_client_test.)
  auto head = Aws({"s3api", "head-object", "--bucket", bucket, "--key", "big.bin"});
  EXPECT_THAT(head.out, HasSubstr(Md5Hex(bytes)));
  ASSERT_EQ(Aws({"s3", "cp", "s3://" + bucket + "/big.bin", dir.Join("down")}).exit_code, 0);
  EXPECT_TRUE(ReadFile(dir.Join("down")) == bytes);
  // Planned again, nothing changes.
  ReadResult read = provider.Read(Object(bucket, "big.bin"), context.get());
  EXPECT_EQ(provider.Diff({Object(bucket, "big.bin"), read.state, {{"source", dir.Join("big")}}})
                .change.action,
            ChangeAction::kNone);

  ASSERT_EQ(Reverse(provider, Object(bucket, "big.bin"), undo, context.get()).error, "");
  EXPECT_NE(Aws({"s3api", "head-object", "--bucket", bucket, "--key", "big.bin"}).exit_code, 0);
}

TEST(S3ObjectTest, AbsentDeletesAndRollbackBringsItBack) {
  S3Provider provider;
  testing::Context context;
  std::string bucket = MakeBucket();
  TempDir dir;
  WriteFile(dir.Join("f"), "keep me");
  ASSERT_EQ(Aws({"s3", "cp", dir.Join("f"), "s3://" + bucket + "/f.txt"}).exit_code, 0);
  Value undo;
  ApplyResult applied =
      PlanAndApply(provider, Object(bucket, "f.txt"), {{"absent", true}}, context.get(), &undo);
  ASSERT_EQ(applied.error, "");
  EXPECT_NE(Aws({"s3api", "head-object", "--bucket", bucket, "--key", "f.txt"}).exit_code, 0);
  ASSERT_EQ(Reverse(provider, Object(bucket, "f.txt"), undo, context.get()).error, "");
  ASSERT_EQ(Aws({"s3", "cp", "s3://" + bucket + "/f.txt", dir.Join("g")}).exit_code, 0);
  EXPECT_EQ(ReadFile(dir.Join("g")), "keep me");
}

TEST(S3ErrorTest, AMissingBucketGivesItsCodeAndMessage) {
  S3Provider provider;
  testing::Context context;
  std::string bucket = FreshBucket();
  Value undo;
  ApplyResult applied = PlanAndApply(provider, Object(bucket, "k"), {{"content", "x"}},
                                     context.get(), &undo);
  EXPECT_EQ(applied.error, "s3: PUT s3://" + bucket +
                               "/k: NoSuchBucket: The specified bucket does not exist (HTTP 404)");
}

TEST(S3ErrorTest, WrongCredentialsGiveTheCodeAndNeverTheSecret) {
  S3Provider provider;
  testing::Context context;
  Value::Map where = Connection({{"bucket", MakeBucket()}});
  where["access_key"] = Value("AKIAWRONGKEY").MarkSensitive();
  where["secret_key"] = Value("very-secret-value").MarkSensitive();
  CallResult listed = provider.Call("s3.list", {Value(where), "x/"}, context.get());
  EXPECT_THAT(listed.error, HasSubstr(": InvalidAccessKeyId: The AWS Access Key Id you provided "
                                      "does not exist in our records. (HTTP 403)"));
  EXPECT_THAT(listed.error, Not(HasSubstr("very-secret-value")));
}

TEST(S3ErrorTest, AnUnreachableEndpointIsANetworkError) {
  S3Provider provider;
  testing::Context context;
  ResourceConfig resource = Bucket("some-bucket");
  resource.config["endpoint"] = "http://127.0.0.1:9";
  ReadResult read = provider.Read(resource, context.get());
  EXPECT_THAT(read.error,
              HasSubstr("s3: HEAD s3://some-bucket: cannot reach http://127.0.0.1:9: "));
  EXPECT_THAT(read.error, Not(HasSubstr("S3RVER")));
  CallResult reachable = provider.Call("s3.reachable", {Value(resource.config)}, context.get());
  EXPECT_EQ(reachable.error, "");
  EXPECT_EQ(reachable.value, Value(false));
}

TEST(S3FunctionTest, ObjectListAndReachable) {
  S3Provider provider;
  testing::Context context;
  std::string bucket = MakeBucket();
  TempDir dir;
  WriteFile(dir.Join("f"), "hello");
  ASSERT_EQ(Aws({"s3", "cp", dir.Join("f"), "s3://" + bucket + "/logs/a.txt"}).exit_code, 0);
  ASSERT_EQ(Aws({"s3", "cp", dir.Join("f"), "s3://" + bucket + "/logs/b.txt"}).exit_code, 0);
  ASSERT_EQ(Aws({"s3", "cp", dir.Join("f"), "s3://" + bucket + "/other"}).exit_code, 0);
  Value where(Connection({{"bucket", bucket}}));

  CallResult object = provider.Call("s3.object", {where, "logs/a.txt"}, context.get());
  ASSERT_EQ(object.error, "");
  EXPECT_EQ(object.value, Value(Value::Map{{"exists", true},
                                           {"size", 5},
                                           {"etag", Md5Hex("hello")}}));
  CallResult missing = provider.Call("s3.object", {where, "nope"}, context.get());
  EXPECT_EQ(missing.value.Get("exists"), Value(false));

  CallResult listed = provider.Call("s3.list", {where, "logs/"}, context.get());
  ASSERT_EQ(listed.error, "");
  EXPECT_EQ(listed.value, Value(Value::List{"logs/a.txt", "logs/b.txt"}));

  EXPECT_EQ(provider.Call("s3.reachable", {where}, context.get()).value, Value(true));
  Value::Map gone = Connection({{"bucket", FreshBucket()}});
  EXPECT_EQ(provider.Call("s3.reachable", {Value(gone)}, context.get()).value, Value(false));
}

}  // namespace
}  // namespace upgrade::s3
