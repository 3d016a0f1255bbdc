// Tests of the heap set-up: the heap grows with its headroom at once, and the kernel is told it
// may back that part with huge pages.
#include "cli/heap.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

namespace upgrade::cli {
namespace {

// The VmFlags of every mapping that lies inside [begin, end), from /proc/self/smaps.
std::string FlagsOfMappingsWithin(uintptr_t begin, uintptr_t end) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  std::string flags;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t from = 0;
    uintptr_t to = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> from >> dash >> to && dash == '-') {
      inside = from >= begin && to <= end;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      flags += line + "\n";
    }
  }
  return flags;
}

TEST(HeapTest, GrowsTheHeapAndAdvisesHugePagesForWhatItGrewBy) {
  uintptr_t before = reinterpret_cast<uintptr_t>(sbrk(0));
  PrepareHeap();
  uintptr_t after = reinterpret_cast<uintptr_t>(sbrk(0));
  EXPECT_GE(after - before, 64u << 20);
  EXPECT_NE(FlagsOfMappingsWithin(before, after).find(" hg"), std::string::npos)
      << FlagsOfMappingsWithin(before, after);
}

}  // namespace
}  // namespace upgrade::cli
