// Tests of the heap set-up: the heap grows with its headroom at once, and the kernel is told it
// may back that part with huge pages, none of which has been touched yet.
#include "cli/heap.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace upgrade::cli {
namespace {

/// One mapping of /proc/self/smaps: its range, resident size and flags.
struct Mapping {
  uintptr_t from = 0;
  uintptr_t to = 0;
  std::string rss;    ///< e.g. "0 kB"
  std::string flags;  ///< the VmFlags line
};

std::vector<Mapping> MappingsWithin(uintptr_t begin, uintptr_t end) {
  std::ifstream smaps("/proc/self/smaps");
  std::vector<Mapping> within;
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    Mapping mapping;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> mapping.from >> dash >> mapping.to && dash == '-') {
      inside = mapping.from >= begin && mapping.to <= end;
      if (inside) within.push_back(mapping);
    } else if (inside && line.rfind("Rss:", 0) == 0) {
      within.back().rss = line.substr(line.find_first_not_of(' ', 4));
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      within.back().flags = line;
    }
  }
  return within;
}

TEST(HeapTest, GrowsTheHeapAndAdvisesHugePagesForWhatItGrewByUntouched) {
  uintptr_t before = reinterpret_cast<uintptr_t>(sbrk(0));
  PrepareHeap();
  uintptr_t after = reinterpret_cast<uintptr_t>(sbrk(0));
  EXPECT_GE(after - before, 64u << 20);
  std::vector<Mapping> advised;
  for (const Mapping& mapping : MappingsWithin(before, after)) {
    if (mapping.flags.find(" hg") != std::string::npos) advised.push_back(mapping);
  }
  ASSERT_EQ(advised.size(), 1u);
  EXPECT_EQ(advised[0].from % (2u << 20), 0u);
  EXPECT_GE(advised[0].to - advised[0].from, 62u << 20);
  // A page touched in a 2 MiB range would keep the kernel from giving it a huge page.
  EXPECT_EQ(advised[0].rss, "0 kB");
}

}  // namespace
}  // namespace upgrade::cli
