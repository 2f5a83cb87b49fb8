// Whole copies of a benchmark call, taken one at a time from the region
// bench/lib/pair-bound.js hands out: the -mt build on one thread (initSync),
// in a memory of its own, on operands of its own, so the copies on several
// threads share nothing but the machine.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import * as qdq from '../../js/index.js';
import { gemmOperands } from './gemm-operands.js';
import { serveRegions } from './pair-control.js';

const { c, index, build, keepWidened } = /** @type {{ c: Int32Array, index: number, build: 'simd128' | 'relaxed', keepWidened: boolean }} */ (workerData);
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
qdq.initSync(readFileSync(new URL(`../../dist/qdq-${build}-mt.wasm`, import.meta.url)), { build });

port.on('message', (/** @type {{ m: number, k: number, n: number }} */ { m, k, n }) => {
  const ops = gemmOperands(m, k, n, 12345 + index, keepWidened);
  // The generation is read before 'ready', so that no region started after it is missed.
  const serve = serveRegions(c, [ops.dql, ops.u8s8]);
  port.postMessage('ready');
  serve();
  ops.dispose();
});
port.postMessage('started');
