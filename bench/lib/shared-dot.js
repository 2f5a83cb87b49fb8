// The most a pooled GEMM can scale by on this machine at this moment: the
// SIMD128 dot-product loop alone (bench/probes/dot-peak.c: operands in L1,
// nothing serial) cut into tasks of about a GEMM task's length and
// handed out as js/runtime/pool.js hands out tiles: the calling thread and
// its workers take the next task with Atomics.add, workers are woken with
// Atomics.notify and sleep in Atomics.wait. Timed on 1 thread and on T in the
// same process as the GEMMs, its ratio is the available speedup, with what
// the integer-loop probe (bench/threads-probe.js) leaves out: vCPUs that run
// at different speeds (the calling thread's may be the faster one), a
// worker's wake-up, the last task's tail.
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { buildProbe } from './probe-wasm.js';

/** Operations (2 per multiply-add) per step of probe_dot_peak. */
export const DOT_OPS_PER_STEP = 2 * 8 * 8;
/** Steps per task (a multiple of dot-peak.c's 64): ~60 µs at ~50 GOPS, a GEMM tile's length. */
const TASK_ITERATIONS = 24000;
/** Control words: next task, task count, workers still running, then one wake word per worker. */
const NEXT = 0, TASKS = 1, PENDING = 2, WAKE = 3;

/**
 * Starts threads - 1 workers (unref'd: they never keep the process alive);
 * returns `run(n, tasks)`, which runs `tasks` tasks on n <= threads threads
 * (this one included) and returns when all are done, and the operations
 * (2 per multiply-add) one task does.
 * @param {number} threads
 * @returns {Promise<{ run: (n: number, tasks: number) => void, opsPerTask: number }>}
 */
export async function sharedDot(threads) {
  const file = buildProbe('dot-peak', ['probe_dot_peak']);
  const stub = new Proxy({}, { get: () => () => 0 });
  const dot = /** @type {(n: number, seed: number) => number} */ (
    new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), { env: stub, wasi_snapshot_preview1: stub }).exports.probe_dot_peak);
  const c = new Int32Array(new SharedArrayBuffer(4 * (WAKE + threads)));
  const ready = [];
  for (let i = 1; i < threads; i++) {
    const w = new Worker(`
      const { parentPort, workerData: { c, file, i, iterations } } = require('node:worker_threads');
      const stub = new Proxy({}, { get: () => () => 0 });
      const dot = new WebAssembly.Instance(new WebAssembly.Module(require('node:fs').readFileSync(file)), { env: stub, wasi_snapshot_preview1: stub }).exports.probe_dot_peak;
      let seen = Atomics.load(c, ${WAKE} + i);
      parentPort.postMessage('ready');
      for (;;) {
        while (Atomics.load(c, ${WAKE} + i) === seen) Atomics.wait(c, ${WAKE} + i, seen);
        seen = Atomics.load(c, ${WAKE} + i);
        const tasks = Atomics.load(c, ${TASKS});
        for (let t = Atomics.add(c, ${NEXT}, 1); t < tasks; t = Atomics.add(c, ${NEXT}, 1)) dot(iterations, 7);
        if (Atomics.sub(c, ${PENDING}, 1) === 1) Atomics.notify(c, ${PENDING});
      }`, { eval: true, workerData: { c, file, i, iterations: TASK_ITERATIONS } });
    w.unref();
    ready.push(new Promise((resolve) => w.once('message', resolve)));
  }
  await Promise.all(ready);
  return {
    opsPerTask: DOT_OPS_PER_STEP * TASK_ITERATIONS,
    run(n, tasks) {
      c[TASKS] = tasks;
      Atomics.store(c, NEXT, 0);
      Atomics.store(c, PENDING, n - 1);
      for (let i = 1; i < n; i++) {
        Atomics.add(c, WAKE + i, 1);
        Atomics.notify(c, WAKE + i, 1);
      }
      for (let t = Atomics.add(c, NEXT, 1); t < tasks; t = Atomics.add(c, NEXT, 1)) dot(TASK_ITERATIONS, 7);
      for (let p = Atomics.load(c, PENDING); p !== 0; p = Atomics.load(c, PENDING)) Atomics.wait(c, PENDING, p);
    },
  };
}
