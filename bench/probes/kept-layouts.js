// Kept widened weights against widening them per call, u8s8 matmulInteger
// into out on T threads (default 1), each way packed three times so that
// three heap layouts alternate (where a buffer lands alone moved a call by up
// to 5%: bench/probes/gemm-builds.js); per layout the median of the ratios
// within runs. docs/gemm.md, "Kept widened weights".
//   node bench/probes/kept-layouts.js [--shape 512,512,512] [--threads 1]
import { machineLine, onThreads } from '../lib/threads.js';
import { median, pairedRatio, timeAllRuns } from '../lib/time-all.js';
import * as qdq from '../../js/index.js';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const [m, k, n] = opt('--shape', '512,512,512').split(',').map(Number);
const T = Number(opt('--threads', '1'));
await qdq.init({ numThreads: Math.max(T, 2) });
let seed = 3;
const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 24;
const b = Int8Array.from({ length: k * n }, next);
const a = Uint8Array.from({ length: m * k }, next);
const out = new Int32Array(m * n);
/** @type {Record<string, () => unknown>} */
const fns = {};
for (let r = 0; r < 3; r++) {
  const perCall = qdq.PackedMatrix.pack(b, { k, n }), kept = qdq.PackedMatrix.pack(b, { k, n, keepWidened: true });
  fns[`call${r}`] = onThreads(T, () => qdq.matmulInteger(a, perCall, { m, aZeroPoint: 128, out }));
  fns[`kept${r}`] = onThreads(T, () => qdq.matmulInteger(a, kept, { m, aZeroPoint: 128, out }));
}
const runs = await timeAllRuns(fns, { runs: 15, minBatchMs: 30, settleMs: 20 });
const us = (/** @type {string} */ name) => (median(runs[name]) * 1e3).toFixed(0);
console.log(`${machineLine()}; Node ${process.version}; u8s8 ${m}x${k}x${n} on ${T} thread(s), µs per call, medians of 15 runs`);
for (let r = 0; r < 3; r++) {
  console.log(`layout ${r}: per call ${us(`call${r}`)}, kept ${us(`kept${r}`)}, kept/per call speed ${pairedRatio(runs, `call${r}`, `kept${r}`).toFixed(3)}`);
}
process.exit(0);
