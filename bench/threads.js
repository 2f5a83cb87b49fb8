// Benchmark of the thread pool (issue 12): our GEMMs on 1 and on T threads
// against onnxruntime-web on T threads (ort.env.wasm.numThreads, worker
// threads in Node), all in this process, runs interleaved so that load from
// other processes falls on every candidate alike; GOPS = 2 m k n / time,
// caller-visible (copies in and out included), medians; each ratio (x) is
// the median over runs of the ratio within a run (pairedRatio). "dot" is
// what the vCPUs allow at the same moments: the same amount of pure
// dot-product work in tasks handed out the same way, 1 against T threads
// (lib/shared-dot.js); "pair" what they allow the calls themselves: T copies
// of the one-thread call handed out to T threads, against one (lib/pair-bound.js).
//   node bench/threads.js [--threads 2] [--build simd128|relaxed] [--no-ort] [--settle ms] [--spin us] [--keep-widened] [--threshold | --staging]
// --keep-widened: our weights (and pair's) kept widened to int16 (PackedMatrix.pack's keepWidened),
// an option that costs 2 bytes a weight; by default they are widened on every call.
// --threshold: the split's break-even instead: 1 vs T threads with every call
// split (minWork 0) on growing DynamicQuantizedLinear shapes, to place
// MIN_WORK_PER_THREAD (js/runtime/pool.js). --staging: the serial share of a
// call (Amdahl's bound on any split).
import { median, pairedRatio, timeAll, timeAllRuns } from './lib/time-all.js';
import { ortOneThread } from './lib/ort-one-thread.js';
import { pairBound } from './lib/pair-bound.js';
import { sharedDot } from './lib/shared-dot.js';
import { machineLine, onThreads } from './lib/threads.js';
import * as qdq from '../js/index.js';
import { getRuntime } from '../js/runtime/loader.js';
import { gemmData, ortGemmModels } from './lib/ort-gemm.js';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const T = Number(opt('--threads', '2'));
const build = /** @type {'simd128' | 'relaxed'} */ (opt('--build', 'simd128'));
const withOrt = !args.includes('--no-ort');
const keepWidened = args.includes('--keep-widened');
const RUNS = 11;
const MIN_BATCH_MS = 30;
// onnxruntime-web's pool threads spin after each run (ORT's intra-op
// allow_spinning default); an idle pause before every batch lets them sleep
// so that they do not take a core from the candidate that runs next.
const SETTLE_MS = Number(opt('--settle', '50'));
const TIMING = { runs: RUNS, minBatchMs: MIN_BATCH_MS, settleMs: SETTLE_MS };

const started = await qdq.init({ build, numThreads: T });
if (started.threads !== T) throw new Error(`asked for ${T} threads, got ${started.threads}: ${started.threadsNote}`);
// --spin us: how long the pool's threads poll before they sleep (js/runtime/pool.js SPIN_MICROS), to compare.
if (args.includes('--spin')) /** @type {any} */ (getRuntime()).pool.spinMicros = Number(opt('--spin', '0'));


const on = onThreads;

let seed = 12345;
const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 8;
const machine = machineLine();

if (args.includes('--staging')) {
  // The serial part of a split call: the same DynamicQuantizedLinear with 8
  // columns (staging plus a GEMM 1/n-th the size) against the full n.
  console.log(`serial share (activation staging), DynamicQuantizedLinear, 1 thread, qdq-wasm ${build}, Node ${process.version}, ${machine}`);
  console.log('m,k,n            full us   n=8 us   share');
  for (const [m, k, n] of [[1, 4096, 4096], [16, 1024, 1024], [128, 768, 768], [512, 512, 512]]) {
    const make = (/** @type {number} */ cols) => qdq.DynamicQuantizedLinear.fromQuantized({ weight: new Int8Array(cols * k).map(() => next()),
      weightScales: new Float32Array(cols).fill(0.01), inFeatures: k, outFeatures: cols });
    const full = make(n), thin = make(8);
    const x = Float32Array.from({ length: m * k }, () => next() / 16777216 - 0.5);
    const ms = await timeAll({ full: on(1, () => full.forward(x)), thin: on(1, () => thin.forward(x)) }, TIMING);
    full.dispose();
    thin.dispose();
    console.log(`${`${m},${k},${n}`.padEnd(16)} ${(ms.full * 1e3).toFixed(0).padStart(8)} ${(ms.thin * 1e3).toFixed(0).padStart(8)} ${(100 * ms.thin / ms.full).toFixed(1).padStart(6)}%`);
  }
  process.exit(0);
}

if (args.includes('--threshold')) {
  console.log(`split break-even, DynamicQuantizedLinear, 1 vs ${T} threads (every call split), qdq-wasm ${build}, Node ${process.version}, ${machine}`);
  console.log('m,k,n            MACs      1 thread us  split us  speedup');
  for (const [m, k, n] of [[1, 128, 128], [1, 256, 256], [4, 256, 256], [1, 1024, 512], [8, 256, 512], [4, 512, 512], [16, 512, 512], [32, 512, 512], [16, 1024, 1024]]) {
    const wq = new Int8Array(n * k).map(() => next());
    const layer = qdq.DynamicQuantizedLinear.fromQuantized({ weight: wq, weightScales: new Float32Array(n).fill(0.01), inFeatures: k, outFeatures: n });
    const x = Float32Array.from({ length: m * k }, () => next() / 16777216 - 0.5);
    const ms = await timeAll({ one: on(1, () => layer.forward(x), 0), split: on(T, () => layer.forward(x), 0) }, TIMING);
    layer.dispose();
    console.log(`${`${m},${k},${n}`.padEnd(16)} ${String(m * k * n).padEnd(9)} ${(ms.one * 1e3).toFixed(1).padStart(11)} ${(ms.split * 1e3).toFixed(1).padStart(9)} ${(ms.one / ms.split).toFixed(2).padStart(8)}`);
  }
  process.exit(0);
}

/** @type {any} */
let ort = null;
/** onnxruntime-web on one thread, in a worker (its own speedup, lib/ort-one-thread.js). @type {any} */
let ort1 = null;
if (withOrt) {
  ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = T;
  ort1 = await ortOneThread();
}

const SHAPES = [[1, 4096, 4096], [16, 1024, 1024], [128, 768, 768], [512, 512, 512]];
// The available speedup, measured beside each shape (lib/shared-dot.js): the
// dot-product loop in tasks of a GEMM tile's length, as much work as the
// shape, handed out on 1 and on T threads.
const peak = await sharedDot(T);
// And measured with the calls themselves (lib/pair-bound.js): whole copies of
// the one-thread call handed out to T threads, what a perfect split would
// give with this moment's caches, memory and vCPUs.
const pair = await pairBound(T, build, keepWidened);
console.log(`qdq-wasm ${build} (-mt build), onnxruntime-web ${withOrt ? ort.env.versions?.web ?? '1.30' : '-'} with numThreads ${T}, ` +
  `Node ${process.version} (V8 ${process.versions.v8}), ${machine}; GOPS, median of ${RUNS} interleaved runs` +
  `${keepWidened ? '; our weights kept widened (keepWidened)' : ''}`);
console.log('DQL: DynamicQuantizedLinear.forward(x) returning a new array, as ORT returns its outputs; ' +
  'DQL out: forward(x, m, { out }) into a reused one, as the u8s8 rows (matmulInteger with out) do');
console.log(`dot: the same work as pure dot-product tasks handed out the same way (${T}t/1t): what the vCPUs allow now`);
console.log(`pair: whole one-thread calls (DQL, u8s8) handed out to ${T} threads, each copy on its own data, against one thread: what a perfect split would give now; ` +
  'pair/ORT: the same against ORT on the same threads (the most a split of our call could reach against it now)');
console.log(`ORT: onnxruntime-web DynamicQuantizeMatMul (DQMM) and MatMulInteger u8s8 on ${T} threads, and on 1 (its own copy in a worker thread): the peer's own speedup (x) at the same moments`);
console.log(`m,k,n            | DQL 1t  DQL ${T}t  x     | out 1t  out ${T}t  x     | u8s8 1t u8s8 ${T}t x     |   dot  pair DQL u8s8 | ORT DQMM 1t ${T}t  x    | ORT u8s8 1t ${T}t  x    | ours/ORT DQMM  out   u8s8 | pair/ORT DQMM u8s8`);
for (const [m, k, n] of SHAPES) {
  const ops = 2 * m * k * n;
  const data = gemmData(m, k, n, next);
  const { bS8, wT, aU8, x, scales } = data;
  const dyn = qdq.DynamicQuantizedLinear.fromQuantized({ weight: wT, weightScales: scales, inFeatures: k, outFeatures: n, compat: 'onnx', keepWidened });
  const packed = qdq.PackedMatrix.pack(bS8, { k, n, keepWidened });
  const out = new Int32Array(m * n);
  const yOut = new Float32Array(m * n);
  const peakTasks = Math.max(1, Math.round(ops / peak.opsPerTask));
  /** @type {Record<string, () => unknown>} */
  const fns = {
    dyn1: on(1, () => dyn.forward(x)),
    dynT: on(T, () => dyn.forward(x)),
    dynOut1: on(1, () => dyn.forward(x, m, { out: yOut })),
    dynOutT: on(T, () => dyn.forward(x, m, { out: yOut })),
    u81: on(1, () => qdq.matmulInteger(aU8, packed, { m, aZeroPoint: 128, out })),
    u8T: on(T, () => qdq.matmulInteger(aU8, packed, { m, aZeroPoint: 128, out })),
    peak1: () => peak.run(1, peakTasks),
    peakT: () => peak.run(T, peakTasks),
  };
  fns.pairDq = () => pair.run(0, fns.dyn1);
  fns.pairU8 = () => pair.run(1, fns.u81);
  await pair.load(m, k, n);
  const sessions = [];
  if (withOrt) {
    const models = ortGemmModels(m, k, n, data);
    const dq = await ort.InferenceSession.create(models.dq.model);
    const xt = new ort.Tensor('float32', x, [m, k]);
    fns.ortDq = () => dq.run({ A: xt });
    const mi = await ort.InferenceSession.create(models.mi.model);
    const at = new ort.Tensor('uint8', aU8, [m, k]);
    fns.ortU8 = () => mi.run({ A: at });
    sessions.push(dq, mi);
    await ort1.load(models);
    fns.ortDq1 = ort1.candidate('dq');
    fns.ortU81 = ort1.candidate('mi');
  }
  const runs = await timeAllRuns(fns, TIMING);
  const g = (/** @type {string} */ key) => (runs[key] === undefined ? NaN : ops / median(runs[key]) / 1e6);
  // Speedup of candidate a over b: the median of their time ratios run by run.
  const over = (/** @type {string} */ a, /** @type {string} */ b) => (runs[a] === undefined || runs[b] === undefined ? NaN : pairedRatio(runs, b, a));
  const f = (/** @type {number} */ v, w = 7, d = 1) => (Number.isNaN(v) ? '-' : v.toFixed(d)).padStart(w);
  console.log(`${`${m},${k},${n}`.padEnd(16)} |${f(g('dyn1'))} ${f(g('dynT'))} ${f(over('dynT', 'dyn1'), 5, 2)} |` +
    `${f(g('dynOut1'))} ${f(g('dynOutT'))} ${f(over('dynOutT', 'dynOut1'), 5, 2)} |${f(g('u81'))} ${f(g('u8T'))} ${f(over('u8T', 'u81'), 5, 2)} |${f(over('peakT', 'peak1'), 6, 2)} ${f(pair.copies * pairedRatio(runs, 'dyn1', 'pairDq'), 9, 2)} ${f(pair.copies * pairedRatio(runs, 'u81', 'pairU8'), 5, 2)} |` +
    `${f(g('ortDq1'), 7)} ${f(g('ortDq'))} ${f(over('ortDq', 'ortDq1'), 5, 2)} |${f(g('ortU81'), 7)} ${f(g('ortU8'))} ${f(over('ortU8', 'ortU81'), 5, 2)} |${f(over('dynT', 'ortDq'), 14, 2)} ${f(over('dynOutT', 'ortDq'), 5, 2)} ${f(over('u8T', 'ortU8'), 5, 2)} |` +
    `${f(pair.copies * over('pairDq', 'ortDq'), 14, 2)} ${f(pair.copies * over('pairU8', 'ortU8'), 5, 2)}`);
  dyn.dispose();
  packed.dispose();
  for (const s of sessions) await s.release();
}
await pair.close();
if (ort1 !== null) await ort1.close();
process.exit(0);
