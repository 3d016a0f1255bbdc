// The network providers module through the built binary: a plan of files never loads libcurl
// or libpq (the dynamic loader's own trace says what it opened), a plan naming http.get loads
// the module and works, and a missing or broken module is a clear error naming the provider
// and the path.
#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "providers/http/test_server.h"
#include "tests/support/test_support.h"

namespace upgrade::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kFilesPlan = R"(plan "files" {}

input root {}

resource fs.file config { path = "${input.root}/app.conf" }

step write { set config { content = "port = 8080\n" } }
)";

constexpr const char* kHttpPlan = R"(plan "health" {}

input root {}
input url {}

resource fs.file config { path = "${input.root}/app.conf" }

step write {
  require http.get(input.url).status == 200 "the service must be up"
  set config { content = "port = 8080\n" }
  verify http.get(input.url).status == 200 { within = 5s  every = 1s }
}
)";

constexpr const char* kVerifyPlan = R"(plan "verify" {}

input root {}
input url {}

resource fs.file config { path = "${input.root}/app.conf" }

step write {
  set config { content = "port = 8080\n" }
  verify http.get(input.url).status == 200 { within = 60s  every = 1s }
}
)";

constexpr const char* kDockerPlan = R"(plan "docker" {}

resource docker.container web { name = "web" }

step start { set web { state = "running" } }
)";

/// Runs the binary with the dynamic loader tracing which libraries it opens (LD_DEBUG=libs,
/// into files of its own so the program's output stays as the user sees it).
class ProviderModuleTest : public ::testing::Test {
 protected:
  ProviderModuleTest() { RunCommand({"mkdir", "-p", dir_.Join("root"), dir_.Join("trace")}); }

  CommandResult Traced(std::vector<std::string> argv) {
    return RunCommand(argv, {{"LD_DEBUG", "libs"}, {"LD_DEBUG_OUTPUT", dir_.Join("trace/ld")}});
  }

  // Every line the loader wrote, of every process traced so far.
  std::string LoaderTrace() {
    std::string trace;
    DIR* dir = opendir(dir_.Join("trace").c_str());
    if (dir == nullptr) return trace;
    while (dirent* entry = readdir(dir)) {
      std::string name = entry->d_name;
      if (name.rfind("ld.", 0) == 0) trace += ReadFile(dir_.Join("trace/" + name));
    }
    closedir(dir);
    return trace;
  }

  std::string Root() { return dir_.Join("root"); }

  TempDir dir_;
};

TEST_F(ProviderModuleTest, PlanOfFilesLoadsNeitherLibcurlNorLibpq) {
  WriteFile(dir_.Join("plan.upg"), kFilesPlan);
  CommandResult result = Traced({UpgradeBinary(), "plan", dir_.Join("plan.upg"), "--var",
                                 "root=" + Root(), "--detailed-exitcode"});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_THAT(result.out, HasSubstr("  + resource \"fs.file\" \"config\" {\n"));
  EXPECT_THAT(result.out, HasSubstr("Plan: 1 to add, 0 to change, 0 to destroy"));
  std::string trace = LoaderTrace();
  // The trace is there, and names what every process loads: proof that it was being written.
  EXPECT_THAT(trace, HasSubstr("libc.so.6"));
  EXPECT_THAT(trace, Not(HasSubstr("libcrypto.so")));  // SHA-256 is linked in (lang/sha256.h)
  EXPECT_THAT(trace, Not(HasSubstr("libcurl.so")));
  EXPECT_THAT(trace, Not(HasSubstr("libpq.so")));
  EXPECT_THAT(trace, Not(HasSubstr("libpqxx")));
  EXPECT_THAT(trace, Not(HasSubstr("upgrade-network-providers.so")));
}

TEST_F(ProviderModuleTest, PlanNamingHttpGetLoadsTheModuleAndCallsTheServer) {
  LocalHttpServer server;
  WriteFile(dir_.Join("plan.upg"), kHttpPlan);
  CommandResult up = Traced({UpgradeBinary(), "plan", dir_.Join("plan.upg"), "--var",
                             "root=" + Root(), "--var", "url=" + server.Url("/status/200")});
  EXPECT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(up.err, "");
  EXPECT_THAT(up.out, HasSubstr("Plan: 1 to add, 0 to change, 0 to destroy"));
  std::string trace = LoaderTrace();
  EXPECT_THAT(trace, HasSubstr("upgrade-network-providers.so"));
  EXPECT_THAT(trace, HasSubstr("libcurl.so"));

  // The provider really asked the server: a service that is down fails the precondition.
  CommandResult down = RunCommand({UpgradeBinary(), "plan", dir_.Join("plan.upg"), "--var",
                                   "root=" + Root(), "--var",
                                   "url=" + server.Url("/status/503")});
  EXPECT_EQ(down.exit_code, 1) << down.out;
  EXPECT_THAT(down.err, HasSubstr("the service must be up"));
}

TEST_F(ProviderModuleTest, ApplyLoadsTheModuleForVerify) {
  LocalHttpServer server;
  WriteFile(dir_.Join("plan.upg"), kHttpPlan);
  CommandResult result =
      RunCommand({UpgradeBinary(), "apply", dir_.Join("plan.upg"), "--auto-approve", "--var",
                  "root=" + Root(), "--var", "url=" + server.Url("/status/200")});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(ReadFile(Root() + "/app.conf"), "port = 8080\n");
}

/// The binary copied alone into a directory, so the module is not beside it.
class WithoutModuleTest : public ProviderModuleTest {
 protected:
  WithoutModuleTest() {
    RunCommand({"mkdir", "-p", dir_.Join("bin")});
    RunCommand({"cp", UpgradeBinary(), Binary()});
  }
  std::string Binary() { return dir_.Join("bin/upgrade"); }
  std::string Module() { return dir_.Join("bin/upgrade-network-providers.so"); }
};

TEST_F(WithoutModuleTest, PlanOfFilesNeedsNoModule) {
  WriteFile(dir_.Join("plan.upg"), kFilesPlan);
  CommandResult result =
      RunCommand({Binary(), "plan", dir_.Join("plan.upg"), "--var", "root=" + Root()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_THAT(result.out, HasSubstr("Plan: 1 to add, 0 to change, 0 to destroy"));
}

TEST_F(WithoutModuleTest, MissingModuleIsAnErrorNamingProviderAndPath) {
  WriteFile(dir_.Join("plan.upg"), kDockerPlan);
  CommandResult result = RunCommand({Binary(), "plan", dir_.Join("plan.upg")});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err,
            dir_.Join("plan.upg") +
                ":3:10: error: unknown resource type 'docker.container'\n"
                "resource docker.container web { name = \"web\" }\n"
                "         ^~~~~~~~~~~~~~~~\n"
                "note: cannot load the docker provider: " +
                Module() + ": cannot open shared object file: No such file or directory\n");
}

TEST_F(WithoutModuleTest, SavedPlanAppliedWithoutModuleFailsItsStepAndRollsBack) {
  LocalHttpServer server;
  WriteFile(dir_.Join("plan.upg"), kVerifyPlan);
  std::string saved = dir_.Join("saved.plan");
  CommandResult planned =
      RunCommand({UpgradeBinary(), "plan", dir_.Join("plan.upg"), "--var", "root=" + Root(),
                  "--var", "url=" + server.Url("/status/200"), "--out", saved});
  ASSERT_EQ(planned.exit_code, 0) << planned.err;

  CommandResult applied = RunCommand({Binary(), "apply", saved, "--auto-approve"});
  EXPECT_EQ(applied.exit_code, 1) << applied.out;
  const std::string error = "cannot load the http provider: " + Module() +
                            ": cannot open shared object file: No such file or directory";
  // Said as the reason the step's verify failed, and only there; at its first attempt, not
  // retried for the 60 s of its `within`, since no retry can load the provider.
  EXPECT_EQ(applied.err.find(error), applied.err.rfind(error)) << applied.err;
  EXPECT_THAT(applied.err, HasSubstr("error: verify at " + dir_.Join("plan.upg") +
                                     ":10:3 failed: http.get: " + error + "\n"));
  EXPECT_THAT(applied.out, HasSubstr("was rolled back"));
  EXPECT_EQ(RunCommand({"ls", "-A", Root()}).out, "");
}

TEST_F(WithoutModuleTest, BrokenModuleIsAnErrorNamingProviderAndPath) {
  WriteFile(Module(), "not a shared object\n");
  WriteFile(dir_.Join("plan.upg"), kHttpPlan);
  CommandResult result = RunCommand({Binary(), "plan", dir_.Join("plan.upg"), "--var",
                                     "root=" + Root(), "--var", "url=http://127.0.0.1:1/"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_THAT(result.err, HasSubstr("error: unknown function 'http.get'"));
  EXPECT_THAT(result.err, HasSubstr("\nnote: cannot load the http provider: " + Module() +
                                    ": file too short\n"));
}

}  // namespace
}  // namespace upgrade::testing
