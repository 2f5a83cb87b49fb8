// Where a two-thread call loses against half its one-thread time: u8s8
// matmulInteger into `out` (issue 12's large shapes), batches of back-to-back
// calls as bench/threads.js runs them, 1 and 2 threads alternated; for the
// two-thread calls the medians of the call's parts, from JS: before the first
// region (argument checks, copies in), each region, between regions, after
// the last (copies out), against the one-thread call's half.
// --dql: the dynamic Linear instead (DynamicQuantizedLinear.forward(x), its
// float input quantized per call, returning a new array unless --out).
//   node bench/probes/split-gap.js [--shape 128,768,768] [--batches 40] [--kept] [--after] [--solo] [--dql [--out]]
import { machineLine } from '../lib/threads.js';
import { median } from '../lib/time-all.js';
import * as qdq from '../../js/index.js';
import { getRuntime, setThreadLimit } from '../../js/runtime/loader.js';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const [m, k, n] = opt('--shape', '128,768,768').split(',').map(Number);
const BATCHES = Number(opt('--batches', '40'));
await qdq.init({ numThreads: 2 });
const pool = /** @type {any} */ (getRuntime()).pool;
// --after: the result copied out after the regions, not between the calling thread's tasks.
if (args.includes('--after')) pool.copyDuring = false;
let mine = 0;
const pace = pool.pace.bind(pool);
pool.pace = (/** @type {number[]} */ ...a) => { mine = a[1]; return pace(...a); };
// The calling thread's tasks, timed: their sum per region, and the wait after its last one (join()).
const main = pool.main;
/** @type {number[][]} per region: [tasks run, ms in tasks, end of the last task] */
let runs = [];
pool.main = { memory: main.memory, exports: { ...main.exports, qdq_parallel_run: (/** @type {number[]} */ ...a) => {
  const s = performance.now();
  main.exports.qdq_parallel_run(...a);
  const e = performance.now();
  const r = runs[regions.length] ?? (runs[regions.length] = [0, 0, 0]);
  r[0]++;
  r[1] += e - s;
  r[2] = e;
} } };
/** @type {number[][]} per two-thread call: the calling thread's ms in tasks and its wait at the end, region by region */
const own = [];
/** @type {number[]} the calling thread's share of the last region's tasks */
const shares = [];
/** @type {{ start: number, end: number, tasks: number }[]} */
let regions = [];
const region = pool.region.bind(pool);
// --solo: the two-thread calls' regions (the same tasks) run by the calling thread alone.
const solo = args.includes('--solo');
pool.region = (/** @type {any[]} */ ...a) => {
  const start = performance.now();
  if (solo) a[3] = 1;
  try {
    return region(...a);
  } finally {
    regions.push({ start, end: performance.now(), tasks: a[2] });
  }
};
let seed = 7;
const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 24;
// --kept: the weights kept widened (PackedMatrix.pack's keepWidened), not widened per call.
const packed = qdq.PackedMatrix.pack(Int8Array.from({ length: k * n }, next), { k, n, keepWidened: args.includes('--kept') });
const a = Uint8Array.from({ length: m * k }, next);
const out = new Int32Array(m * n);
const dql = args.includes('--dql');
const dyn = dql ? qdq.DynamicQuantizedLinear.fromQuantized({ weight: Int8Array.from({ length: n * k }, next), weightScales: new Float32Array(n).fill(1 / 127),
  inFeatures: k, outFeatures: n, compat: 'onnx', keepWidened: args.includes('--kept') }) : null;
const x = Float32Array.from({ length: m * k }, () => (next() / 256 - 0.5) * 6);
const yOut = new Float32Array(m * n);
const intoOut = args.includes('--out');
const call = dyn !== null ? (intoOut ? () => dyn.forward(x, m, { out: yOut }) : () => dyn.forward(x)) : () => qdq.matmulInteger(a, packed, { m, aZeroPoint: 128, out });
/** @type {Record<number, number[]>} */
const times = { 1: [], 2: [] };
/** @type {number[][]} parts of each two-thread call */
const parts = [];
for (let b = 0; b < 2 * BATCHES; b++) {
  const threads = 1 + (b & 1);
  const pause = performance.now();
  while (performance.now() - pause < 20);
  setThreadLimit(threads);
  const t0 = performance.now();
  while (performance.now() - t0 < 30) {
    regions = [];
    runs = [];
    const s = performance.now();
    call();
    const e = performance.now();
    times[threads].push(e - s);
    if (threads === 2 && regions.length > 0) {
      const p = [regions[0].start - s];
      regions.forEach((r, i) => {
        if (i > 0) p.push(r.start - regions[i - 1].end);
        p.push(r.end - r.start);
      });
      p.push(e - regions[regions.length - 1].end);
      parts.push(p);
      shares.push(mine / regions[regions.length - 1].tasks);
      own.push(regions.flatMap((r, i) => (runs[i] ? [runs[i][0], runs[i][1], r.end - runs[i][2]] : [0, 0, r.end - r.start])));
    }
  }
}
setThreadLimit(Infinity);
const one = median(times[1]), two = median(times[2]);
const us = (/** @type {number} */ t) => (t * 1e3).toFixed(0).padStart(6);
const what = dyn === null ? 'matmulInteger u8s8' : 'DynamicQuantizedLinear.forward';
console.log(`${machineLine()}; qdq-wasm ${getRuntime().build} -mt, Node ${process.version}; ${what} ${m}x${k}x${n} ${dyn !== null && !intoOut ? 'returning a new array' : 'into out'}, batches of 30 ms` +
  `${args.includes('--kept') ? ', weights kept widened' : ''}${solo ? ', regions on the calling thread alone' : ''}`);
console.log(`µs per call, medians: 1 thread ${us(one)} (${times[1].length} calls), 2 threads ${us(two)} (${times[2].length}), ${(one / two).toFixed(2)}x; half the 1-thread call ${us(one / 2)}`);
const shapes = new Map();
for (const p of parts) shapes.set(p.length, (shapes.get(p.length) ?? 0) + 1);
const common = [...shapes].sort((x, y) => y[1] - x[1])[0][0];
const same = parts.filter((p) => p.length === common);
const names = ['before'];
for (let i = 0; i < (common - 2 + 1) / 2; i++) names.push(...(i > 0 ? [`gap ${i}`] : []), `region ${i + 1}`);
names.push('after');
console.log(`two-thread calls with ${(common - 1) / 2} regions: ${same.length} of ${parts.length}; medians of each part:`);
console.log(names.map((nm, i) => `${nm} ${us(median(same.map((p) => p[i]))).trim()}`).join(', '));
const o = own.filter((x) => x.length === 3 * (common - 1) / 2);
for (let i = 0; i < (common - 1) / 2; i++) {
  console.log(`region ${i + 1}, the calling thread: tasks ${median(o.map((x) => x[3 * i]))}, in them ${us(median(o.map((x) => x[3 * i + 1]))).trim()} µs, ` +
    `waiting after its last ${us(median(o.map((x) => x[3 * i + 2]))).trim()} µs`);
}
console.log(`the calling thread's share of the last region's tasks: median ${median(shares).toFixed(3)}; copy ${pool.copyDuring ? 'during' : 'after'} the region`);
process.exit(0);
