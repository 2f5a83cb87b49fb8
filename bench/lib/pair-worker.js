// Whole copies of a benchmark call, taken one at a time from the region
// bench/lib/pair-bound.js hands out: the -mt build on one thread (initSync),
// in a memory of its own, on operands of its own, so the copies on several
// threads share nothing but the machine.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import * as qdq from '../../js/index.js';
import { gemmOperands } from './gemm-operands.js';
import { GEN, NEXT, OP, PENDING, TASKS } from './pair-control.js';

const { c, index, build, keepWidened } = /** @type {{ c: Int32Array, index: number, build: 'simd128' | 'relaxed', keepWidened: boolean }} */ (workerData);
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
qdq.initSync(readFileSync(new URL(`../../dist/qdq-${build}-mt.wasm`, import.meta.url)), { build });

port.on('message', (/** @type {{ m: number, k: number, n: number }} */ { m, k, n }) => {
  const ops = gemmOperands(m, k, n, 12345 + index, keepWidened);
  const fns = [ops.dql, ops.u8s8];
  let seen = Atomics.load(c, GEN);
  port.postMessage('ready');
  for (;;) {
    while (Atomics.load(c, GEN) === seen) Atomics.wait(c, GEN, seen);
    seen = Atomics.load(c, GEN);
    const op = Atomics.load(c, OP);
    if (op >= 0) {
      const tasks = Atomics.load(c, TASKS);
      while (Atomics.add(c, NEXT, 1) < tasks) fns[op]();
    }
    if (Atomics.sub(c, PENDING, 1) === 1) Atomics.notify(c, PENDING);
    if (op < 0) break;
  }
  ops.dispose();
});
port.postMessage('started');
