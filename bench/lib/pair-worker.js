// Whole copies of a benchmark call, taken one at a time from the region
// bench/lib/pair-bound.js hands out: the -mt build on one thread (initSync),
// in a memory of its own, on operands of its own, so the copies on several
// threads share nothing but the machine.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import * as qdq from '../../js/index.js';
import { GEN, NEXT, OP, PENDING, TASKS } from './pair-control.js';

const { c, index, build } = /** @type {{ c: Int32Array, index: number, build: 'simd128' | 'relaxed' }} */ (workerData);
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
qdq.initSync(readFileSync(new URL(`../../dist/qdq-${build}-mt.wasm`, import.meta.url)), { build });

port.on('message', (/** @type {{ m: number, k: number, n: number }} */ { m, k, n }) => {
  // Operands like bench/threads.js's (the time does not depend on their values).
  let seed = 12345 + index;
  const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 8;
  const wT = new Int8Array(n * k).map(() => next());
  const dyn = qdq.DynamicQuantizedLinear.fromQuantized({ weight: wT, weightScales: new Float32Array(n).fill(1 / 127), inFeatures: k, outFeatures: n, compat: 'onnx' });
  const x = Float32Array.from({ length: m * k }, () => (next() / 16777216 - 0.5) * 6);
  const packed = qdq.PackedMatrix.pack(new Int8Array(k * n).map(() => next()), { k, n });
  const a = new Uint8Array(m * k).map(() => next());
  const out = new Int32Array(m * n);
  const fns = [() => dyn.forward(x), () => qdq.matmulInteger(a, packed, { m, aZeroPoint: 128, out })];
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
  dyn.dispose();
  packed.dispose();
});
port.postMessage('started');
