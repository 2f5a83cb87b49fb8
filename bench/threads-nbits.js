// Benchmark of the thread pool on blockwise 4-bit weights (issues 11, 12):
// MatMulNBits at accuracy levels 4 and 0 (4-bit, block 32, zero points) on 1
// and on T threads, against onnxruntime-web's com.microsoft MatMulNBits with
// numThreads = T (worker threads in Node), same weights, one process, runs
// interleaved so that load from other processes falls on every candidate
// alike; GOPS = 2 m k n / time, caller-visible (copies in and out included),
// medians.
//   node bench/threads-nbits.js [--threads 2] [--build simd128|relaxed] [--no-ort] [--weights | --staging | --quantize]
// --weights: the work weights of src/operators/nbits-matmul.c instead: on one
// thread, time per multiply-add of MatMulNBits against the int8
// DynamicQuantizedLinear (the unit of the split threshold) at shapes around
// the threshold, and the cost of staging one activation element in the same
// unit (a call with n = 8, less its multiply-adds). --staging: level 4 on
// T threads with the default threshold against every region split (minWork
// 0), at row counts where the staging split is in question. --quantize: the one-off
// weight preparation (quantizeBlockwise, MatMulNBits.pack) on 1 and T
// threads, and the ns per weight element of each C function on one thread
// (data in wasm memory), from which src/operators/nbits.c and
// src/packing/nbits-pack.c take their work weights.
import { timeAll } from './lib/time-all.js';
import { machineLine, onThreads } from './lib/threads.js';
import { matmulNBitsModel } from './lib/ort-nbits.js';
import * as qdq from '../js/index.js';
import { getRuntime } from '../js/runtime/loader.js';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const T = Number(opt('--threads', '2'));
const build = /** @type {'simd128' | 'relaxed'} */ (opt('--build', 'simd128'));
const withOrt = !args.includes('--no-ort');
const BITS = 4, BLOCK = 32;
const RUNS = 11;
const MIN_BATCH_MS = 30;
/** @param {Record<string, () => unknown>} fns */
// An idle pause before each batch: onnxruntime-web's pool threads spin after
// a run and would take a core from the candidate after them (bench/threads.js).
const SETTLE_MS = 50;
const timeAllRuns = (fns) => timeAll(fns, { runs: RUNS, minBatchMs: MIN_BATCH_MS, settleMs: SETTLE_MS });

const started = await qdq.init({ build, numThreads: T });
if (started.threads !== T) throw new Error(`asked for ${T} threads, got ${started.threads}: ${started.threadsNote}`);

const on = onThreads;

let seed = 4242;
const rand = () => (((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216) - 0.5;
const machine = machineLine();

/** 4-bit weights with zero points for an n x k layer, and MatMulNBits at levels 4 and 0. */
function layer(/** @type {number} */ n, /** @type {number} */ k) {
  const wf = Float32Array.from({ length: n * k }, () => rand());
  const q = qdq.quantizeBlockwise(wf, { n, k, bits: BITS, blockSize: BLOCK });
  return { wf, q, l4: qdq.MatMulNBits.pack({ ...q, accuracyLevel: 4 }), l0: qdq.MatMulNBits.pack({ ...q, accuracyLevel: 0 }) };
}

if (args.includes('--weights')) {
  console.log(`work weights, 1 thread, qdq-wasm ${build} (-mt build), Node ${process.version}, ${machine}; ns per multiply-add, median of ${RUNS}`);
  console.log('m,k,n            int8 DQL  4-bit L4  4-bit L0 | L4/int8  L0/int8');
  for (const [m, k, n] of [[1, 1024, 1024], [1, 4096, 1024], [4, 512, 512], [16, 512, 512], [16, 1024, 1024]]) {
    const { wf, l4, l0 } = layer(n, k);
    const dyn = qdq.DynamicQuantizedLinear.fromFloat(wf, null, { inFeatures: k, outFeatures: n });
    const x = Float32Array.from({ length: m * k }, () => rand() * 4);
    const ms = await timeAllRuns({ dyn: on(1, () => dyn.forward(x)), l4: on(1, () => l4.forward(x, m)), l0: on(1, () => l0.forward(x, m)) });
    const ns = (/** @type {number} */ v) => v * 1e6 / (m * k * n);
    console.log(`${`${m},${k},${n}`.padEnd(16)} ${ns(ms.dyn).toFixed(4).padStart(8)}  ${ns(ms.l4).toFixed(4).padStart(8)}  ${ns(ms.l0).toFixed(4).padStart(8)} |` +
      ` ${(ms.l4 / ms.dyn).toFixed(2).padStart(7)}  ${(ms.l0 / ms.dyn).toFixed(2).padStart(7)}`);
    for (const w of [dyn, l4, l0]) w.dispose();
  }
  // Staging: a call with 8 columns is staging plus 8 multiply-adds per
  // element; k = 800 is not a multiple of the block, so level 0 pads too.
  console.log('\nstaging, in int8 multiply-adds of the row above per element (n = 8 call less 8 x its per-MAC cost)');
  console.log('m,k              L4 ns/elem  L0 ns/elem | L4 weight  L0 weight');
  for (const [m, k] of [[16, 1024], [128, 800], [512, 1024]]) {
    const n = 1024;
    const full = layer(n, k), thin = layer(8, k);
    const dyn = qdq.DynamicQuantizedLinear.fromFloat(full.wf, null, { inFeatures: k, outFeatures: n });
    const x = Float32Array.from({ length: m * k }, () => rand() * 4);
    const ms = await timeAllRuns({ dyn: on(1, () => dyn.forward(x)), f4: on(1, () => full.l4.forward(x, m)), f0: on(1, () => full.l0.forward(x, m)),
      t4: on(1, () => thin.l4.forward(x, m)), t0: on(1, () => thin.l0.forward(x, m)) });
    const int8 = ms.dyn / (m * k * n);
    const stage = (/** @type {number} */ thinMs, /** @type {number} */ fullMs) => (thinMs - fullMs * 8 / n) / (m * k);
    const s4 = stage(ms.t4, ms.f4), s0 = stage(ms.t0, ms.f0);
    console.log(`${`${m},${k}`.padEnd(16)} ${(s4 * 1e6).toFixed(3).padStart(10)}  ${(s0 * 1e6).toFixed(3).padStart(10)} | ${(s4 / int8).toFixed(1).padStart(9)}  ${(s0 / int8).toFixed(1).padStart(9)}`);
    for (const w of [dyn, full.l4, full.l0, thin.l4, thin.l0]) w.dispose();
  }
  process.exit(0);
}

if (args.includes('--staging')) {
  console.log(`staging split, level 4, 1 thread / ${T} threads (default threshold) / ${T} threads (every region split), qdq-wasm ${build} (-mt build), Node ${process.version}, ${machine}; us, median of ${RUNS}`);
  for (const [m, k, n] of [[8, 1024, 1024], [16, 1024, 1024], [32, 512, 512], [128, 768, 768]]) {
    const { l4, l0 } = layer(n, k);
    const x = Float32Array.from({ length: m * k }, () => rand() * 4);
    const ms = await timeAllRuns({ one: on(1, () => l4.forward(x, m)), dflt: on(T, () => l4.forward(x, m)), all: on(T, () => l4.forward(x, m), 0) });
    const us = (/** @type {number} */ v) => (v * 1e3).toFixed(0);
    console.log(`${`${m},${k},${n}`.padEnd(16)} ${us(ms.one).padStart(6)} ${us(ms.dflt).padStart(6)} (${(ms.one / ms.dflt).toFixed(2)}x) ${us(ms.all).padStart(6)} (${(ms.one / ms.all).toFixed(2)}x)`);
    l4.dispose();
    l0.dispose();
  }
  process.exit(0);
}

if (args.includes('--quantize')) {
  console.log(`weight preparation, 4-bit, block ${BLOCK}, zero points, qdq-wasm ${build} (-mt build), Node ${process.version}, ${machine}; ms, median of ${RUNS}`);
  console.log(`n,k          quantizeBlockwise 1t  ${T}t  x     | pack 1t  ${T}t  x`);
  for (const [n, k] of [[1024, 1024], [4096, 4096]]) {
    const w = Float32Array.from({ length: n * k }, () => rand());
    const q = qdq.quantizeBlockwise(w, { n, k, bits: BITS, blockSize: BLOCK });
    const packOnce = () => qdq.MatMulNBits.pack(q).dispose();
    const ms = await timeAll({ q1: on(1, () => qdq.quantizeBlockwise(w, { n, k, bits: BITS, blockSize: BLOCK })),
      qT: on(T, () => qdq.quantizeBlockwise(w, { n, k, bits: BITS, blockSize: BLOCK })), p1: on(1, packOnce), pT: on(T, packOnce) },
    { runs: RUNS, minBatchMs: MIN_BATCH_MS });
    console.log(`${`${n},${k}`.padEnd(12)} ${ms.q1.toFixed(1).padStart(20)} ${ms.qT.toFixed(1).padStart(5)} ${(ms.q1 / ms.qT).toFixed(2).padStart(5)} |` +
      ` ${ms.p1.toFixed(1).padStart(7)} ${ms.pT.toFixed(1).padStart(4)} ${(ms.p1 / ms.pT).toFixed(2).padStart(5)}`);
  }
  // The C functions alone on one thread, 4096 x 4096, data in wasm memory.
  const rt = getRuntime();
  const c = rt.exports;
  const [n, k] = [4096, 4096];
  const kb = k / BLOCK;
  const p = [4 * n * k, n * kb * BLOCK * BITS / 8, 4 * n * kb, n * kb / 2, 4 * n * k, 24 * n * kb, c.qdq_nbits_packed_size(n, k, BITS, BLOCK)]
    .map((bytes) => rt.malloc(bytes + 16, 'bench'));
  const [pw, pb, ps, pz, pback, pacc, pk] = p;
  rt.refresh();
  new Float32Array(rt.memory.buffer, pw, n * k).set(Float32Array.from({ length: n * k }, () => rand()));
  const ms = await timeAll({
    quantize: on(1, () => c.qdq_quantize_blockwise(n, k, BITS, BLOCK, pw, 0, pb, ps, pz)),
    dequantize: on(1, () => c.qdq_dequantize_blockwise(n, k, BITS, BLOCK, pb, ps, pz, pback)),
    stats: on(1, () => c.qdq_blockwise_error_stats(n, k, BLOCK, pw, pback, pacc)),
    pack: on(1, () => c.qdq_nbits_pack(n, k, BITS, BLOCK, pb, ps, pz, pk)),
  }, { runs: 5, minBatchMs: 0 });
  for (const ptr of p) c.free(ptr);
  console.log(`\nns per weight element, 1 thread, ${n}x${k}: ${Object.entries(ms).map(([name, v]) => `${name} ${(v * 1e6 / (n * k)).toFixed(2)}`).join(', ')}`);
  process.exit(0);
}

/** @type {any} */
let ort = null;
if (withOrt) {
  ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = T;
}

const SHAPES = [[1, 4096, 4096], [16, 1024, 1024], [128, 768, 768]];
console.log(`qdq-wasm ${build} (-mt build), onnxruntime-web ${withOrt ? ort.env.versions?.web ?? '1.30' : '-'} with numThreads ${T}, ` +
  `Node ${process.version} (V8 ${process.versions.v8}), ${machine}; MatMulNBits 4-bit, block ${BLOCK}, zero points; GOPS, median of ${RUNS} interleaved runs`);
console.log(`m,k,n            | L4 1t  L4 ${T}t  x     | L0 1t  L0 ${T}t  x     | ORT L4 ${T}t  ORT L0 ${T}t | ours/ORT L4  L0`);
for (const [m, k, n] of SHAPES) {
  const ops = 2 * m * k * n;
  const { q, l4, l0 } = layer(n, k);
  const x = Float32Array.from({ length: m * k }, () => rand() * 4);
  /** @type {Record<string, () => unknown>} */
  const fns = {
    l41: on(1, () => l4.forward(x, m)),
    l4T: on(T, () => l4.forward(x, m)),
    l01: on(1, () => l0.forward(x, m)),
    l0T: on(T, () => l0.forward(x, m)),
  };
  const sessions = [];
  if (withOrt) {
    const tx = new ort.Tensor('float32', x, [m, k]);
    for (const level of [4, 0]) {
      const s = await ort.InferenceSession.create(matmulNBitsModel({ k, n, bits: BITS, blockSize: BLOCK, level,
        data: q.data, scales: q.scales, zeroPoints: /** @type {Uint8Array} */ (q.zeroPoints) }));
      sessions.push(s);
      fns[`ort${level}`] = () => s.run({ A: tx });
    }
  }
  const ms = await timeAllRuns(fns);
  const g = (/** @type {string} */ key) => (ms[key] === undefined ? NaN : ops / ms[key] / 1e6);
  const f = (/** @type {number} */ v, w = 6) => (Number.isNaN(v) ? '-' : v.toFixed(1)).padStart(w);
  console.log(`${`${m},${k},${n}`.padEnd(16)} |${f(g('l41'))} ${f(g('l4T'))} ${f(g('l4T') / g('l41'), 5)} |${f(g('l01'))} ${f(g('l0T'))} ${f(g('l0T') / g('l01'), 5)} |` +
    `${f(g('ort4'), 10)} ${f(g('ort0'), 10)} |${f(g('l4T') / g('ort4'), 12)} ${f(g('l0T') / g('ort0'), 5)}`);
  l4.dispose();
  l0.dispose();
  for (const s of sessions) await s.release();
}
process.exit(0);
