// The heap set-up of cli/heap.h: glibc's malloc tuned through mallopt, the heap advised with
// madvise(MADV_HUGEPAGE) (honoured where transparent huge pages are `always` or `madvise`).
#include "cli/heap.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace upgrade::cli {
namespace {

constexpr uintptr_t kHugePage = 2u << 20;
constexpr int kHeadroom = 64 << 20;  // what the heap grows by beyond each request
// Room left before the boundary for the header malloc writes after a block (and its rounding).
constexpr uintptr_t kHeaderRoom = 64;

uintptr_t ProgramBreak() { return reinterpret_cast<uintptr_t>(sbrk(0)); }

}  // namespace

void PrepareHeap() {
  // Blocks up to the headroom come from the heap, not from a mapping of their own; the heap
  // grows with the headroom added and is never trimmed below it.
  mallopt(M_MMAP_THRESHOLD, kHeadroom / 2);
  mallopt(M_TOP_PAD, kHeadroom);
  mallopt(M_TRIM_THRESHOLD, 2 * kHeadroom);
  // The kernel backs a 2 MiB-aligned range with one huge page only if nothing in it has been
  // touched. The heap's free top ends at the break, and malloc writes a header just past every
  // block it carves from it: so grow the heap with a block that ends just before the first
  // boundary past the break (volatile: a block freed unused would be optimized away), and the
  // heap beyond that boundary stays untouched until it is used.
  uintptr_t old_break = ProgramBreak();
  uintptr_t top = old_break - mallinfo2().keepcost;
  uintptr_t begin = (old_break + 2 * kHeaderRoom + kHugePage - 1) & ~(kHugePage - 1);
  void* volatile block = malloc(begin - top - kHeaderRoom);
  free(block);
  uintptr_t end = ProgramBreak();
  if (begin < end) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

}  // namespace upgrade::cli
