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

}  // namespace

void PrepareHeap() {
  // Blocks up to the headroom come from the heap, not from a mapping of their own; the heap
  // grows with the headroom added and is never trimmed below it.
  mallopt(M_MMAP_THRESHOLD, kHeadroom / 2);
  mallopt(M_TOP_PAD, kHeadroom);
  mallopt(M_TRIM_THRESHOLD, 2 * kHeadroom);
  // Grow it now (volatile: a block freed unused would be optimized away), then advise what it
  // grew by; huge pages need 2 MiB-aligned ranges that nothing has touched yet.
  uintptr_t grown_from = reinterpret_cast<uintptr_t>(sbrk(0));
  void* volatile block = malloc(kHugePage);
  free(block);
  uintptr_t end = reinterpret_cast<uintptr_t>(sbrk(0));
  uintptr_t begin = (grown_from + kHugePage - 1) & ~(kHugePage - 1);
  if (begin < end) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

}  // namespace upgrade::cli
