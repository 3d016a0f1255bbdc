// Tests of the provider registry's deferred namespaces: providers made on first use, once even
// when threads ask at the same moment, schemas described on first lookup, and a loader's
// failure reaching whoever needed the provider.
#include "providers/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/support/fake_provider.h"

namespace upgrade {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

/// A loader of the FakeProvider ("fake") that counts its calls and can fail.
struct CountingLoader {
  std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);
  std::string failure;  ///< non-empty: the loader fails with this error

  ProviderLoader Get() const {
    return [calls = calls, failure = failure](const std::string& ns, std::string* error) {
      ++*calls;
      std::vector<std::unique_ptr<Provider>> providers;
      if (!failure.empty()) {
        *error = "cannot load the " + ns + " provider: " + failure;
        return providers;
      }
      providers.push_back(std::make_unique<testing::FakeProvider>());
      return providers;
    };
  }
};

TEST(ProviderRegistryTest, DeferredProviderIsNotMadeUntilNeeded) {
  CountingLoader loader;
  ProviderRegistry registry;
  registry.AddDeferred({"fake", "other"}, loader.Get());
  SchemaRegistry schemas = registry.Schemas();
  EXPECT_NE(schemas.FindFunction("sha256"), nullptr);
  EXPECT_EQ(registry.For("exec.command"), nullptr);
  EXPECT_EQ(*loader.calls, 0);

  Provider* fake = registry.For("fake.thing");
  ASSERT_NE(fake, nullptr);
  EXPECT_EQ(fake->Name(), "fake");
  EXPECT_EQ(registry.For("fake.action"), fake);
  EXPECT_EQ(*loader.calls, 1);
  // A namespace of the group that the loader did not make has no provider.
  EXPECT_EQ(registry.For("other.thing"), nullptr);
  EXPECT_EQ(*loader.calls, 1);
}

TEST(ProviderRegistryTest, ThreadsAskingAtOnceLoadOnce) {
  CountingLoader loader;
  ProviderRegistry registry;
  registry.AddDeferred({"fake"}, loader.Get());
  SchemaRegistry schemas = registry.Schemas();
  std::vector<Provider*> found(8);
  std::vector<const ResourceTypeSchema*> described(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < found.size(); ++i) {
    threads.emplace_back([&, i] {
      if (i % 2 == 0) found[i] = registry.For("fake.thing");
      described[i] = schemas.FindResource("fake.thing");
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(*loader.calls, 1);
  for (size_t i = 0; i < found.size(); ++i) {
    if (i % 2 == 0) {
      EXPECT_EQ(found[i], found[0]);
    }
    ASSERT_NE(described[i], nullptr);
    EXPECT_EQ(described[i], described[0]);
  }
  ASSERT_NE(found[0], nullptr);
}

TEST(ProviderRegistryTest, SchemasDescribeDeferredNamespaceOnFirstLookup) {
  CountingLoader loader;
  ProviderRegistry registry;
  registry.AddDeferred({"fake"}, loader.Get());
  SchemaRegistry schemas = registry.Schemas();
  SchemaRegistry copy = schemas;
  EXPECT_EQ(schemas.FindResource("fs.file"), nullptr);  // another namespace: not loaded
  EXPECT_EQ(*loader.calls, 0);

  const ResourceTypeSchema* thing = schemas.FindResource("fake.thing");
  ASSERT_NE(thing, nullptr);
  EXPECT_TRUE(thing->Find("id")->identity);
  EXPECT_NE(schemas.FindAction("fake.action"), nullptr);
  EXPECT_NE(copy.FindFunction("fake.value"), nullptr);
  EXPECT_EQ(schemas.FindResource("fake.nothing"), nullptr);
  EXPECT_EQ(*loader.calls, 1);
  // Schemas made after loading describe the provider at once.
  EXPECT_NE(registry.Schemas().FindResource("fake.thing"), nullptr);
  EXPECT_EQ(*loader.calls, 1);
}

TEST(ProviderRegistryTest, NamesIncludeDeferredNamespacesSorted) {
  CountingLoader loader;
  ProviderRegistry registry;
  registry.AddDeferred({"fake"}, loader.Get());
  SchemaRegistry schemas = registry.Schemas();
  std::vector<std::string> functions = schemas.FunctionNames();
  EXPECT_THAT(functions, Contains("fake.value"));
  EXPECT_THAT(functions, Contains("sha256"));
  EXPECT_TRUE(std::is_sorted(functions.begin(), functions.end()));
  EXPECT_THAT(schemas.ResourceNames(), ElementsAre("fake.thing"));
  EXPECT_THAT(schemas.ActionNames(), ElementsAre("fake.action"));
  EXPECT_EQ(*loader.calls, 1);
}

TEST(ProviderRegistryTest, SchemasOutliveTheRegistry) {
  CountingLoader loader;
  SchemaRegistry schemas;
  {
    ProviderRegistry registry;
    registry.AddDeferred({"fake"}, loader.Get());
    schemas = registry.Schemas();
  }
  EXPECT_NE(schemas.FindResource("fake.thing"), nullptr);
  EXPECT_EQ(*loader.calls, 1);
}

TEST(ProviderRegistryTest, FailedLoadAnswersEveryVerbWithItsError) {
  CountingLoader loader;
  loader.failure = "/opt/fake.so: cannot open shared object file: No such file or directory";
  ProviderRegistry registry;
  registry.AddDeferred({"fake", "other"}, loader.Get());
  SchemaRegistry schemas = registry.Schemas();

  ::testing::internal::CaptureStderr();
  EXPECT_EQ(schemas.FindResource("fake.thing"), nullptr);
  const std::string error =
      "cannot load the fake provider: /opt/fake.so: cannot open shared object file: No such "
      "file or directory";
  // Why a name is unknown, for the checker to say beside it; a registry prints nothing itself.
  EXPECT_EQ(schemas.WhyNotDescribed("fake.thing"), error);
  EXPECT_EQ(schemas.WhyNotDescribed("other.thing"), error);
  EXPECT_EQ(schemas.WhyNotDescribed("fs.file"), "");

  Provider* fake = registry.For("fake.thing");
  Provider* other = registry.For("other.thing");
  EXPECT_THAT(schemas.ResourceNames(), IsEmpty());
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(*loader.calls, 1);

  ASSERT_NE(fake, nullptr);
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->Name(), "other");
  ProviderContext context;
  ResourceConfig thing{"fake.thing", "a", {{"id", "a"}}};
  EXPECT_EQ(fake->Read(thing, context).error, error);
  EXPECT_EQ(fake->Diff(DiffRequest{thing, {}, {}}).error, error);
  Operation operation;
  operation.resource = thing;
  EXPECT_EQ(fake->Prepare(operation, context).error, error);
  EXPECT_EQ(fake->Apply(operation, Value(), context).error, error);
  EXPECT_EQ(fake->CheckReverse(ReverseRequest{}, context), error);
  EXPECT_EQ(fake->Reverse(ReverseRequest{}, context).error, error);
  EXPECT_EQ(fake->Snapshot(thing, {}, true, context).error, error);
  EXPECT_EQ(fake->Restore(thing, Value(), context), error);
  EXPECT_EQ(fake->Call("fake.value", {Value("a")}, context).error, error);
}

}  // namespace
}  // namespace upgrade
