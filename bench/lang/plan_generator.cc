// GeneratePlan: a large plan shaped like real ones, for parse-and-check timings.
#include "bench/lang/plan_generator.h"

namespace upgrade::bench {

std::string GeneratePlan(int steps) {
  std::string out =
      "# Generated for the language benchmark.\n"
      "plan \"generated\" {\n"
      "  description = \"a plan with " + std::to_string(steps) + " steps\"\n"
      "  window      = \"Sat 02:00-04:00 UTC\"\n"
      "}\n\n"
      "input version { default = \"v2\" }\n"
      "input root { default = \"/srv/app\" }\n\n"
      "let prefix = \"${input.root}/conf\"\n\n"
      "resource fs.file shared { path = \"${prefix}/shared.conf\" }\n";
  for (int i = 0; i < steps; ++i) {
    out += "resource fs.file r" + std::to_string(i) + " { path = \"${prefix}/" +
           std::to_string(i) + ".conf\"  mode = 420 }\n";
  }
  for (int i = 0; i < steps; ++i) {
    std::string n = std::to_string(i);
    out += "\nstep s" + n + " \"Configure part " + n + "\" {\n";
    if (i > 0) out += "  after = [s" + std::to_string(i - 1) + "]\n";
    out += "  require length(input.version) > 0 && r" + n + ".path != \"\" \"a version is needed\"\n";
    out += "  set r" + n + " { content = \"version=${input.version} part=" + n + "\" }\n";
    if (i % 50 == 0) out += "  set shared { content = \"last=" + n + "\" }\n";
    out += "  verify r" + n + ".content == \"version=${input.version} part=" + n +
           "\" { within = 30s  every = 1s }\n";
    out += "}\n";
  }
  return out;
}

}  // namespace upgrade::bench
