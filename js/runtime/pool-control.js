// Layout of the pool's control block: int32 words in shared wasm memory,
// written by the main thread and read by the workers (js/runtime/pool.js,
// js/runtime/worker.js).
export const CONTROL = Object.freeze({
  fn: 0,      // table index of the task function
  ctx: 1,     // its context pointer
  pending: 2, // workers still in the current region; the main thread waits on it
  stop: 3,    // 1: workers return
  failed: 4,  // 1: a worker trapped during the current region
  tasks: 5,   // tasks in the current region
  next: 6,    // the next task not yet taken: each thread takes tasks with Atomics.add
  spin: 7 + 3 * 64, // microseconds a worker polls its wake word after a region before it sleeps
  gated: 7 + 3 * 64 + 1, // tasks [0, gated) of the current region wait for their input block (Pool#parallelizeInput)
  ready: 7 + 3 * 64 + 2, // input blocks the calling thread has written so far
  words: 7 + 3 * 64 + 3, // the wake, hold and claim words (one of each per worker) sit between next and spin
});
/** First of the per-worker wake counters: worker i waits on WAKE + i (i >= 1). */
export const WAKE = 7;
/**
 * First of the per-worker hold words: worker i stores 1 + a lower bound of the
 * task it is about to take at HOLD + i before taking it, and 0 once it holds
 * none, so the calling thread can tell which leading tasks are finished
 * (Pool#finished).
 */
export const HOLD = 7 + 64;
/**
 * First of the per-worker claim words: CLAIM + i holds the last region of
 * worker i's that somebody claimed, counted as its wake word counts them.
 * Region g (the wake word's value after its bump) is claimed by one
 * compareExchange from g - 1 to g: by the worker when it wakes, so it takes
 * part, or by the calling thread once every task is handed out, so it need
 * not wait for a worker that has not woken yet (Pool#join). Whoever loses
 * leaves the region to the other.
 */
export const CLAIM = 7 + 2 * 64;
/** Most threads a pool runs, the calling thread included (QDQ_MAX_THREADS: C sizes per-thread state by it). */
export { MAX_THREADS } from './abi.js';

/**
 * (js/runtime/worker.js, which imports nothing, has its own copy.)
 * Polls `done` for up to `us` microseconds (a thread's wait before it sleeps
 * in Atomics.wait: js/runtime/pool.js SPIN_MICROS); the clock is read every
 * 64 polls.
 * @param {number} us @param {() => boolean} done
 */
export function pollFor(us, done) {
  if (us <= 0) return;
  const end = performance.now() + us / 1000;
  for (let i = 1; !done(); i++) if ((i & 63) === 0 && performance.now() > end) return;
}
