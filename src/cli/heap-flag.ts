// The V8 flag every launcher passes (bin/ferry's shebang, npm start, the Dockerfile): without
// it V8 sized the old generation for a small heap and ran a full GC every few MB of buffers a
// busy tunnel moved — 40% of the CPU of a download (README design notes). 64, not 16: the
// value is also the floor of the old-generation limit, and V8 counts Buffers allocated since
// the last full GC against that limit (up to 32 MB of them die young before a scavenge frees
// them). Each process holds ~23 MB, so 16 or 32 left too little room: a 256 MiB upload
// through 256 KiB frames ran 12-30 full GCs in the controller or the agent.
export const HEAP_FLAG = '--initial-old-space-size=64';

// glibc's malloc settings every launcher sets beside the flag (read by glibc at start, so
// they cannot be set from inside the process). By default glibc unmaps or trims the
// 64–256 KiB buffers a tunnel moves soon after they are freed, and touching fresh pages
// again costs page faults and zeroing: one grpc-js hop made 33k page faults per 512 MiB.
// Buffers up to 1 MiB stay in the heap, and up to 32 MiB of freed heap is kept for reuse:
// 256 MiB through ferry took ~9% less CPU per GB and moved ~9% faster (bench/README.md,
// issue 16). Other C libraries ignore them.
export const MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '1048576', MALLOC_TRIM_THRESHOLD_: '33554432' };

/** A note for stderr when this process was started without the flag, else undefined. */
export function heapFlagNote(execArgv: readonly string[] = process.execArgv): string | undefined {
  if (execArgv.some((a) => a.startsWith('--initial-old-space-size'))) return undefined;
  return `ferry: note: node was started without ${HEAP_FLAG}; busy tunnels spend much of their CPU in garbage collection (run bin/ferry directly, or node ${HEAP_FLAG} bin/ferry)\n`;
}
