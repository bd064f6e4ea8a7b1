#pragma once

// How the floe binary sets up glibc's malloc, once, at the top of main().
//
// floe's hot paths (the collector's column buffers, the dedup window, the Parquet writer's
// pages, compaction's batches) are a few hundred MB of large blocks, filled once and freed per
// flush. On 4 KiB pages that is one page fault per 4 KiB first touched (~120-160k per million
// events ingested), and on the PVM guests floe was first measured on a fault was dear: `floe
// ingest` spent a third of its CPU in the kernel, most of it faulting. Backed by transparent huge
// pages the same memory takes one fault per 2 MiB and far fewer TLB misses (bench/README.md,
// "Huge pages for the heap"); where zeroing a fresh huge page is the dearer thing (the VMs of
// today, below), only the long-running server asks for them.
//
// Three things set that up:
//  - one malloc arena (`mallopt(M_ARENA_MAX, 1)`): the main arena grows by brk, the others live
//    in 64 MiB mmap'd heaps that glibc never advises for huge pages. One arena also lets memory
//    freed by one thread serve the allocations of another: glibc gives threads arenas of their
//    own (up to 8 per core) and never moves freed memory between them, so with an arena per
//    thread `floe serve` (request workers fill the buffers the flush thread frees) reached about
//    twice the RSS (interop ingest_serve_memory), and `floe compact` (its decoding thread
//    allocates the batches the writer frees) 167 MB where one arena takes 118;
//  - no mmap'd chunks (`mallopt(M_MMAP_MAX, 0)`): glibc serves blocks past its mmap threshold
//    (128 KiB to 32 MiB) with mmap of their own and unmaps them when freed, so every flush
//    faulted its column buffers in again and every unmap of a many-threaded process costs a TLB
//    shootdown. From the heap they are reused, and go back to the system only when the collector
//    hands memory back (malloc_trim, see Collector's ReturnFreedMemory);
//  - for `floe serve` only, glibc's tunable `glibc.malloc.hugetlb=1`, which makes malloc
//    `madvise(MADV_HUGEPAGE)` the memory it takes from the system. glibc reads tunables only from
//    the environment when a process starts, so the binary re-executes itself (same pid, same
//    arguments, same process name) once with the tunable added to GLIBC_TUNABLES. This matters
//    only where the kernel's THP mode is `madvise` (with `always` the heap gets huge pages anyway,
//    with `never` it gets none).
//
// Why the server only: a long-running process touches its heap once and then reuses it for hours,
// so fewer TLB misses and faults pay; a one-shot command (`floe ingest`, `floe compact`) touches
// most of its heap for the first time, and on the VMs floe runs on now (Firecracker, guest kernel
// 6.18, free page reporting) zeroing a fresh 2 MiB page costs far more than 512 4 KiB faults:
// `floe ingest` of a million events spent 0.6-1.5 s of system time with huge pages against
// 0.3-0.4 s without, wall 1.72-2.34 s against 1.52-1.86 s (10 runs each, alternating), and
// `floe compact` of 500 files took 0.89-0.94 s against 0.74-0.78 s (bench/README.md,
// 2026-11-30 17:25-17:35 UTC). On an earlier kind of VM (a PVM guest where every 4 KiB fault was a
// hypervisor exit) huge pages had won for `floe ingest` (2.1-2.3 s against 2.8-3.1 s); there,
// `GLIBC_TUNABLES=glibc.malloc.hugetlb=1` gives them back to a one-shot command.
//
// An operator's own choice wins: GLIBC_TUNABLES naming `glibc.malloc.hugetlb` (e.g. `=0` to turn
// huge pages off) is left as it is and no re-exec happens; MALLOC_ARENA_MAX or MALLOC_MMAP_MAX_,
// or `glibc.malloc.arena_max` or `glibc.malloc.mmap_max` in GLIBC_TUNABLES, keep what the
// operator set.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace floe {

// The GLIBC_TUNABLES value to re-execute with, given the current one (nullptr when unset), or
// nullopt when it already names glibc.malloc.hugetlb.
std::optional<std::string> TunablesWithHugePages(const char* current);

// Whether GLIBC_TUNABLES' value (colon-separated name=value pairs; nullptr when unset) names
// the tunable `key`.
bool NamesTunable(const char* tunables, std::string_view key);

// Whether the command a process runs (argv[1], nullptr when there is none) is worth huge pages:
// `serve`, the one that runs for hours.
bool CommandWantsHugePages(const char* command);

// Called first thing in main(), before any thread starts: for a command that wants huge pages,
// where the kernel's THP mode is `madvise`, re-executes /proc/self/exe with the huge-page tunable
// when it is missing (returns only when that is not needed or exec failed, in which case floe
// runs on with 4 KiB pages); then sets one malloc arena and no mmap'd chunks.
void TuneMallocAtStart(char** argv);

// For a bulk load that will fill about `bytes` of buffers (`floe ingest` of a file), before its
// threads start: turns off malloc's own trimming of the heap's top, then grows the heap by
// `bytes`, touches every page of it (a slice per core, on threads of its own, joined before it
// returns: no other thread allocates meanwhile), and frees it into the heap. Returns the
// bytes faulted in: 0 when the operator set a trim threshold (MALLOC_TRIM_THRESHOLD_ or
// `glibc.malloc.trim_threshold`: the block would go straight back), when malloc served the
// block with mmap (an operator's MALLOC_MMAP_MAX_), or in sanitizer builds (their allocator is
// not glibc's heap).
//
// Why: the first touch of a page costs the kernel's zeroing of it (2 MiB at a time with huge
// pages), on a VM many times more when the host backs the page only then; and while the heap
// grows, that first touch is malloc's own (the new top chunk's header), under the one arena's
// lock, so every other thread that allocates waits. On such a VM, `floe ingest` of a million
// events spent ~1.4 thread-seconds waiting for that lock; prepared, ~0.1. Its wall time, 12
// runs of each alternating with the build before: median 1.50 s (1.43-1.67, and 2.42 for the
// first run, after a pause) against 1.72 s (1.47-1.79), system time 0.24-0.43 s against
// 0.22-0.66 s (bench/README.md). Where the host has to back the pages first (memory freed a few
// seconds before and handed back to it) the zeroing itself dominates: touched from one thread,
// 2.2-3.0 s; from one per core, 1.9-2.5 s (medians 2.45 s and 2.02 s, 10 runs each). Those
// figures are with huge pages; with the 4 KiB pages `floe ingest` has had since (a fault under
// the lock is then one small page), on and off measured the same (five runs each, 1.62-1.99 s
// against 1.58-2.14 s). It stays for the machines where huge pages are set for it.
// Without trimming, memory freed at a flush stays in the heap for the next buffers and goes back
// only by malloc_trim, when the collector decides (Collector's ReturnFreedMemory).
size_t PrepareHeapForBulkLoad(size_t bytes);

}  // namespace floe
