// Layout of the pool's control block: int32 words in shared wasm memory,
// written by the main thread and read by the workers (js/runtime/pool.js,
// js/runtime/worker.js).
export const CONTROL = Object.freeze({
  fn: 0,      // table index of the task function
  ctx: 1,     // its context pointer
  pending: 2, // workers still running the current region; the main thread waits on it
  stop: 3,    // 1: workers return
  failed: 4,  // 1: a worker trapped during the current region
  words: 5 + 64, // + the wake words, one per worker
});
/** First of the per-worker wake counters: worker i waits on WAKE + i (i >= 1). */
export const WAKE = 5;
/** Most threads a pool runs, the calling thread included. */
export const MAX_THREADS = 64;
