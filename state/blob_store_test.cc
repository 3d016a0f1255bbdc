// Tests of the content-addressed blob store.
#include "state/blob_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "lang/value_json.h"
#include "tests/support/test_support.h"

namespace upgrade {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

TEST(BlobStoreTest, PutBytesNamesBlobBySha256AndReadsItBack) {
  TempDir dir;
  FileBlobStore blobs(dir.Join("blobs"));
  std::string error;
  std::optional<std::string> name = blobs.PutBytes("hello\n", &error);
  ASSERT_TRUE(name) << error;
  EXPECT_EQ(*name, "sha256:" + Sha256Hex("hello\n"));
  EXPECT_EQ(blobs.PathOf(*name), dir.Join("blobs/" + Sha256Hex("hello\n")));
  std::optional<std::string> bytes = blobs.GetBytes(*name, &error);
  ASSERT_TRUE(bytes) << error;
  EXPECT_EQ(*bytes, "hello\n");
  // Storing the same bytes again names the same blob.
  EXPECT_EQ(blobs.PutBytes("hello\n", &error), name);
}

TEST(BlobStoreTest, AdoptFileMovesATempFileIntoTheStore) {
  TempDir dir;
  FileBlobStore blobs(dir.Join("blobs"));
  std::string temp = blobs.NewTempPath();
  WriteFile(temp, std::string(200000, 'x'));
  std::string error;
  std::optional<std::string> name = blobs.AdoptFile(temp, &error);
  ASSERT_TRUE(name) << error;
  EXPECT_EQ(*name, "sha256:" + Sha256Hex(std::string(200000, 'x')));
  EXPECT_FALSE(std::filesystem::exists(temp));
  EXPECT_EQ(ReadFile(blobs.PathOf(*name)), std::string(200000, 'x'));
}

TEST(BlobStoreTest, UnknownOrMalformedNamesHaveNoPath) {
  TempDir dir;
  FileBlobStore blobs(dir.Join("blobs"));
  std::string error;
  EXPECT_EQ(blobs.PathOf("sha256:" + std::string(64, 'a')), "");
  EXPECT_EQ(blobs.PathOf("sha256:../../etc/passwd"), "");
  EXPECT_FALSE(blobs.GetBytes("md5:abc", &error));
  EXPECT_EQ(error, "blob md5:abc is not in the state store");
}

}  // namespace
}  // namespace upgrade
