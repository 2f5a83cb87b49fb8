// The most any split of a call over T threads could give on this machine at
// this moment, measured with the call itself: whole copies of the
// single-thread call (on the calling thread, and on T - 1 workers each with
// its own wasm memory and operands) handed out like the pool hands out tiles
// (the next copy to whichever thread is free), 4 T copies per region. Its
// time per copy against the single-thread call's own time is what a perfect
// split (no serial part, no wake-up per region, no shared data) would give
// with this moment's vCPUs, which here at times run at different speeds, and
// with what both vCPUs running does to caches and memory bandwidth, which the
// dot-product bound (shared-dot.js) does not see.
import { Worker } from 'node:worker_threads';
import { GEN, NEXT, OP, PENDING, TASKS, WORDS } from './pair-control.js';

/** Copies per region and thread. */
const COPIES_PER_THREAD = 4;

/**
 * Starts T - 1 workers (unref'd) on `build`'s -mt module, one thread each.
 * @param {number} T @param {'simd128' | 'relaxed'} build
 * @param {boolean} [keepWidened] the copies' weights kept widened, as the benchmark's own
 */
export async function pairBound(T, build, keepWidened = false) {
  const c = new Int32Array(new SharedArrayBuffer(4 * WORDS));
  /** @type {Worker[]} */
  const workers = [];
  for (let index = 1; index < T; index++) {
    const w = new Worker(new URL('./pair-worker.js', import.meta.url), { workerData: { c, index, build, keepWidened } });
    w.unref();
    workers.push(w);
    await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  }
  let loaded = false;
  /** One region: `tasks` copies of `op`, `mine` running the calling thread's. */
  const region = (/** @type {number} */ op, /** @type {number} */ tasks, /** @type {() => unknown} */ mine) => {
    Atomics.store(c, OP, op);
    Atomics.store(c, TASKS, tasks);
    Atomics.store(c, NEXT, 0);
    Atomics.store(c, PENDING, workers.length);
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
    while (Atomics.add(c, NEXT, 1) < tasks) mine();
    for (let p = Atomics.load(c, PENDING); p !== 0; p = Atomics.load(c, PENDING)) Atomics.wait(c, PENDING, p);
  };
  const leave = () => region(-1, 0, () => {});
  return {
    /** Copies per region: bound = copies * t(one-thread call) / t(region). */
    copies: COPIES_PER_THREAD * T,
    /**
     * Loads the m x k x n operands on every worker (the previous shape's are dropped).
     * @param {number} m @param {number} k @param {number} n
     */
    async load(m, k, n) {
      if (loaded) leave();
      await Promise.all(workers.map((w) => {
        const ready = new Promise((resolve) => w.once('message', resolve));
        w.postMessage({ m, k, n });
        return ready;
      }));
      loaded = true;
    },
    /**
     * One region of copies of the dynamic Linear (op 0) or u8s8
     * matmulInteger (op 1); `mine` is the calling thread's single-thread call
     * of the same op (the benchmark's own one-thread candidate).
     * @param {number} op @param {() => unknown} mine
     */
    run(op, mine) {
      region(op, COPIES_PER_THREAD * T, mine);
    },
    /** Ends the workers. */
    async close() {
      if (loaded) leave();
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
