// The threshold (docs/threads.md T4) in the two states a call can find the
// workers in: polling (back to back: the next call of a loop, the next
// layer of a model) and asleep (after a pause of 3 ms, past their 500 µs
// poll). DynamicQuantizedLinear on shapes around the threshold, 1 thread
// against the pool's default decision and against every call split
// (minWork 0), alternated in batches of 8 calls; medians per call, µs.
// Asleep, even one thread runs slower (the pause leaves caches and clocks
// cold), so compare within a state only.
//   node bench/probes/threshold-states.js [--build simd128|relaxed] [--calls 4000]
import { machineLine } from '../lib/threads.js';
import { median } from '../lib/time-all.js';
import * as qdq from '../../js/index.js';
import { getRuntime, setThreadLimit } from '../../js/runtime/loader.js';
import { MIN_WORK_PER_THREAD } from '../../js/runtime/pool.js';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const build = /** @type {'simd128' | 'relaxed'} */ (opt('--build', 'simd128'));
const CALLS = Number(opt('--calls', '4000'));
await qdq.init({ build, numThreads: 2 });
const pool = /** @type {any} */ (getRuntime()).pool;
console.log(`${machineLine()}; qdq-wasm ${build} -mt, Node ${process.version}; µs per call, medians of ${(CALLS - 400) / 6} calls each`);
console.log('m,k,n          MACs     | polling: 1t default split (default regions) | asleep: 1t default split (default regions)');
let seed = 1;
const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 8;
const KINDS = ['one', 'default', 'split'];
for (const [m, k, n] of [[1, 256, 256], [4, 256, 256], [1, 512, 1024], [1, 768, 768], [4, 512, 512], [1, 1024, 1024], [8, 512, 512], [16, 512, 512], [16, 1024, 1024]]) {
  const layer = qdq.DynamicQuantizedLinear.fromQuantized({ weight: new Int8Array(n * k).map(() => next()),
    weightScales: new Float32Array(n).fill(0.01), inFeatures: k, outFeatures: n });
  const x = Float32Array.from({ length: m * k }, () => next() / 16777216 - 0.5);
  const out = new Float32Array(m * n);
  /** @type {Record<string, number[]>} */
  const t = {};
  /** @type {Record<string, number>} */
  const regions = {};
  for (let i = 0; i < CALLS; i++) {
    const batch = i >> 3;
    const asleep = (batch & 1) === 1;
    const kind = KINDS[(batch >> 1) % 3];
    setThreadLimit(kind === 'one' ? 1 : 2, kind === 'split' ? 0 : MIN_WORK_PER_THREAD);
    if (asleep) await new Promise((resolve) => setTimeout(resolve, 3));
    const r0 = pool.regions;
    const t0 = performance.now();
    layer.forward(x, m, { out });
    const dt = performance.now() - t0;
    const key = `${asleep ? 'asleep' : 'polling'} ${kind}`;
    if (i >= 400) {
      (t[key] ??= []).push(dt);
      if (kind === 'default') regions[key] = (regions[key] ?? 0) + (pool.regions > r0 ? 1 : 0);
    }
  }
  setThreadLimit(Infinity);
  const f = (/** @type {string} */ key) => (median(t[key]) * 1e3).toFixed(1).padStart(7);
  const share = (/** @type {string} */ key) => `${Math.round(100 * regions[key] / t[key].length)}%`.padStart(5);
  console.log(`${`${m},${k},${n}`.padEnd(14)} ${String(m * k * n).padEnd(8)} | ${f('polling one')} ${f('polling default')} ${f('polling split')} (${share('polling default')}) | ` +
    `${f('asleep one')} ${f('asleep default')} ${f('asleep split')} (${share('asleep default')})`);
  layer.dispose();
}
process.exit(0);
