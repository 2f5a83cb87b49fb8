// What a new result array costs: the dynamic Linear returning a new array
// against writing into a reused one (forward(x, m, { out })), on 1 and 2
// threads, in batches that alternate all four, with the page faults each
// call takes (process.resourceUsage().minorPageFault). A fresh typed array
// of 128 KiB or more gets fresh pages from the C allocator here, and its
// first write faults each 4 KiB page (how many pages are fresh depends on
// what the process allocated and freed before: 0 to all of them); only the
// calling thread can write a JS array, so on 2 threads the faults run beside
// the worker's tiles (the pool copies finished rows out during the GEMM
// region, docs/threads.md T3) or after them. Medians per call.
//   node bench/probes/result-pages.js [--build simd128|relaxed] [--batches 60]
import { machineLine } from '../lib/threads.js';
import { median } from '../lib/time-all.js';
import * as qdq from '../../js/index.js';
import { setThreadLimit } from '../../js/runtime/loader.js';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const build = /** @type {'simd128' | 'relaxed'} */ (opt('--build', 'simd128'));
const BATCHES = Number(opt('--batches', '60'));
const CALLS = 16;
await qdq.init({ build, numThreads: 2 });
console.log(`${machineLine()}; qdq-wasm ${build} -mt; ms per call and minor page faults per call, medians of ${BATCHES / 4} batches of ${CALLS} calls each`);
console.log('m,k,n            result KiB | 1t new ms faults | 1t out ms faults | 2t new ms faults | 2t out ms faults | new - out: 1t ms  2t ms');
let seed = 12345;
const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 8;
for (const [m, k, n] of [[16, 1024, 1024], [128, 768, 768], [512, 512, 512]]) {
  const layer = qdq.DynamicQuantizedLinear.fromQuantized({ weight: new Int8Array(n * k).map(() => next()),
    weightScales: new Float32Array(n).fill(1 / 127), inFeatures: k, outFeatures: n, compat: 'onnx' });
  const x = Float32Array.from({ length: m * k }, () => (next() / 16777216 - 0.5) * 6);
  const out = new Float32Array(m * n);
  const variants = /** @type {const} */ ([[1, false], [1, true], [2, false], [2, true]]);
  const ms = variants.map(() => /** @type {number[]} */ ([])), faults = variants.map(() => /** @type {number[]} */ ([]));
  for (let b = 0; b < BATCHES; b++) {
    const v = b % 4, [T, reuse] = variants[v];
    setThreadLimit(T);
    for (let i = 0; i < 2; i++) reuse ? layer.forward(x, m, { out }) : layer.forward(x); // the wake-up after a switch
    const f0 = process.resourceUsage().minorPageFault, t0 = performance.now();
    for (let i = 0; i < CALLS; i++) reuse ? layer.forward(x, m, { out }) : layer.forward(x);
    ms[v].push((performance.now() - t0) / CALLS);
    faults[v].push((process.resourceUsage().minorPageFault - f0) / CALLS);
  }
  const t = ms.map(median), f = faults.map(median);
  const cell = (/** @type {number} */ v) => `${t[v].toFixed(3).padStart(9)} ${f[v].toFixed(0).padStart(6)}`;
  console.log(`${`${m},${k},${n}`.padEnd(16)} ${String(m * n * 4 / 1024).padStart(10)} |${cell(0)} |${cell(1)} |${cell(2)} |${cell(3)} | ${(t[0] - t[1]).toFixed(3).padStart(16)} ${(t[2] - t[3]).toFixed(3).padStart(6)}`);
  layer.dispose();
}
setThreadLimit(Infinity);
process.exit(0);
