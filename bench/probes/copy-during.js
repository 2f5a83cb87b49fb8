// The copy of a result out of wasm memory during the GEMM region (Pool#
// parallelize with marks, docs/threads.md T3) against after it: the dynamic
// Linear on 2 threads returning a new array, with call() arming the output
// (pool.copyDuring) or not, alternated call by call so that both see the same
// machine; then where a call's time goes (before the first region: x copied
// in, min/max, setup; the staging region; the GEMM region; after it: the
// copy out). Medians of the calls after a warm-up, and the median of the
// ratio of adjacent calls.
//   node bench/probes/copy-during.js [--build simd128|relaxed] [--calls 1200]
import { machineLine } from '../lib/threads.js';
import { median } from '../lib/time-all.js';
import * as qdq from '../../js/index.js';
import { getRuntime, setThreadLimit } from '../../js/runtime/loader.js';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const build = /** @type {'simd128' | 'relaxed'} */ (opt('--build', 'simd128'));
const CALLS = Number(opt('--calls', '1200'));
await qdq.init({ build, numThreads: 2 });
setThreadLimit(2);
const pool = /** @type {any} */ (getRuntime()).pool;
/** @type {number[]} */
let stamps = [];
const parallelize = pool.parallelize;
pool.parallelize = function (/** @type {number[]} */ ...a) {
  stamps.push(performance.now());
  parallelize.apply(this, a);
  stamps.push(performance.now());
};
console.log(`${machineLine()}; qdq-wasm ${build} -mt, 2 threads; ms, medians of ${CALLS - 200} calls`);
let seed = 12345;
const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 8;
for (const [m, k, n] of [[128, 768, 768], [512, 512, 512]]) {
  const layer = qdq.DynamicQuantizedLinear.fromQuantized({ weight: new Int8Array(n * k).map(() => next()),
    weightScales: new Float32Array(n).fill(1 / 127), inFeatures: k, outFeatures: n, compat: 'onnx' });
  const x = Float32Array.from({ length: m * k }, () => (next() / 16777216 - 0.5) * 6);
  /** @type {Record<string, number[][]>} */
  const parts = { during: [], after: [] };
  for (let i = 0; i < CALLS; i++) {
    const during = i % 2 === 0;
    pool.copyDuring = during;
    stamps = [];
    const t0 = performance.now();
    layer.forward(x);
    const t1 = performance.now();
    if (i < 200 || stamps.length !== 4) continue;
    parts[during ? 'during' : 'after'].push([t1 - t0, stamps[0] - t0, stamps[1] - stamps[0], stamps[3] - stamps[2], t1 - stamps[3]]);
  }
  pool.copyDuring = true;
  const n2 = Math.min(parts.during.length, parts.after.length);
  const ratio = median(Array.from({ length: n2 }, (_, i) => parts.after[i][0] / parts.during[i][0]));
  console.log(`${m}x${k}x${n}: copy during the region ${ratio.toFixed(3)}x as fast as after it (adjacent calls)`);
  for (const [name, v] of Object.entries(parts)) {
    const col = (/** @type {number} */ j) => median(v.map((p) => p[j])).toFixed(3);
    console.log(`  copy ${name.padEnd(6)} total ${col(0)} | before regions ${col(1)} | staging ${col(2)} | GEMM ${col(3)} | after ${col(4)}`);
  }
  layer.dispose();
}
process.exit(0);
