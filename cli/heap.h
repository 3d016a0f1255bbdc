// How the process's heap is set up before any command runs.
#pragma once

namespace upgrade::cli {

/// Lets the kernel back the main heap with huge pages, and keeps the heap's memory instead of
/// handing it back and faulting it in again. A plan of 1,000 steps touches about 10 MiB of
/// fresh heap; in 4 KiB pages that is some 2,600 page faults, a sixth of the command's time.
void PrepareHeap();

}  // namespace upgrade::cli
