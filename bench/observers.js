// HistogramObserver benchmark: the binning kernels alone (scalar vs SIMD128,
// same process, data already in wasm memory; from the test build, which
// exports kernels and is compiled with the production flags), and the whole observer against
// torch 1.13's HistogramObserver (bench/torch_histogram_observer.py, run in
// its own process on the same machine and workload, one thread).
//
//   workload: batches of N standard-normal floats whose scale grows 1% per
//   batch, so every batch takes the combine path (H4-H7), then
//   calculate_qparams() (the L2 search, H8).
//
// Then the SIMD128 kernel and the observer by kind of data: standard normals,
// ReLU outputs (half zeros) and sorted values, where neighbours share a bin;
// the kernel into one histogram and into 4 interleaved copies (H2b), and
// observe() deciding between them as it does (src/operators/histogram.c).
//
// Medians of RUNS runs after a warm-up. "vs torch" is torch's median time
// divided by ours: above 1 is faster than torch.
//   node bench/observers.js   (QDQ_BENCH_N, QDQ_BENCH_RUNS, QDQ_BUILD=simd128|relaxed)
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as qdq from '../js/index.js';
import { testWasm } from '../tests/helpers/wasm.js';

const N = Number(process.env.QDQ_BENCH_N ?? 2 ** 20);
const RUNS = Number(process.env.QDQ_BENCH_RUNS ?? 5);
const BATCHES = 8;
await qdq.init({ numThreads: 1, ...(process.env.QDQ_BUILD ? { build: /** @type {any} */ (process.env.QDQ_BUILD) } : {}) });
const rt = testWasm(qdq.backend());
const median = (/** @type {number[]} */ a) => [...a].sort((p, q) => p - q)[a.length >> 1];

/** Deterministic standard normals (Box-Muller on a xorshift). */
function normals(n) {
  let s = 0x9e3779b9;
  const u = () => ((s ^= s << 13, s ^= s >>> 17, s ^= s << 5) >>> 0) / 2 ** 32 + 1e-12;
  return Float32Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}
const base = normals(N);
const batches = Array.from({ length: BATCHES }, (_, i) => base.map((v) => v * 1.01 ** i));

console.log(`machine: ${os.cpus()[0]?.model}; engine: Node ${process.version} (V8 ${process.versions.v8}), build ${qdq.backend()}`);
console.log(`N = ${N} floats per batch, ${BATCHES} batches, median of ${RUNS} runs\n`);

// 1. Kernels alone.
const xp = rt.alloc(4 * N + 16), hp = rt.alloc(4 * 2048 + 16), pp = rt.alloc(64);
rt.refresh();
rt.f32.set(base, xp >>> 2);
rt.exports.qdq_init_f32_histc_params(pp, 2048, -5, 5);
for (const name of ['qdq_f32_rhistc_ukernel__scalar_u1', 'qdq_f32_rhistc_ukernel__wasmsimd_u8']) {
  const t = [];
  for (let r = 0; r < RUNS + 1; r++) {
    const t0 = performance.now();
    rt.exports[name](4 * N, xp, hp, pp);
    if (r) t.push(performance.now() - t0);
  }
  console.log(`${name.padEnd(40)} ${(N / median(t) / 1e3).toFixed(0).padStart(6)} Melem/s`);
}

// 1b. By kind of data, 1 and 4 copies; then observe() on the same data (one
// batch into an observer that saw it once: the add path).
const kinds = { normals: base, 'ReLU outputs': base.map((v) => Math.max(v, 0)), sorted: base.slice().sort() };
const hp4 = rt.alloc(4 * 2048 * 4 + 16);
console.log('');
for (const [kind, x] of Object.entries(kinds)) {
  rt.refresh();
  rt.f32.set(x, xp >>> 2);
  const ns = [1, 4].map((copies) => {
    rt.i32[(pp >>> 2) + 5] = copies;
    const t = [];
    for (let r = 0; r < RUNS + 1; r++) {
      const t0 = performance.now();
      rt.exports.qdq_f32_rhistc_ukernel__wasmsimd_u8(4 * N, xp, hp4, pp);
      if (r) t.push(performance.now() - t0);
    }
    return (median(t) * 1e6 / N).toFixed(2);
  });
  const t = [];
  for (let r = 0; r < RUNS + 1; r++) {
    const obs = new qdq.HistogramObserver();
    obs.observe(x);
    const t0 = performance.now();
    obs.observe(x);
    if (r) t.push(performance.now() - t0);
  }
  console.log(`${kind.padEnd(13)} kernel ${ns[0]} ns an element, ${ns[1]} with 4 copies; observe ${median(t).toFixed(2)} ms`);
}
rt.i32[(pp >>> 2) + 5] = 1;
[xp, hp, hp4, pp].forEach((p) => rt.free(p));

// 2. The whole observer.
const observe = [], qparams = [];
for (let r = 0; r < RUNS + 1; r++) {
  const obs = new qdq.HistogramObserver();
  const t0 = performance.now();
  for (const b of batches) obs.observe(b);
  const t1 = performance.now();
  obs.calculateQParams();
  const t2 = performance.now();
  if (r) {
    observe.push((t1 - t0) / BATCHES);
    qparams.push(t2 - t1);
  }
}
const ours = { observeMs: median(observe), qparamsMs: median(qparams) };
let torch = null;
if (existsSync('/usr/bin/python3')) {
  const p = spawnSync('/usr/bin/python3', [new URL('./torch_histogram_observer.py', import.meta.url).pathname, String(N)],
    { encoding: 'utf8', env: { ...process.env, QDQ_BENCH_RUNS: String(RUNS), QDQ_BENCH_BATCHES: String(BATCHES) } });
  if (p.status === 0) torch = JSON.parse(p.stdout.trim().split('\n').pop() ?? 'null');
}
const row = (/** @type {string} */ what, /** @type {number} */ us, /** @type {number | undefined} */ them) =>
  console.log(`${what.padEnd(40)} ${us.toFixed(2).padStart(9)} ms   torch ${them === undefined ? '-' : them.toFixed(2).padStart(9)} ms   vs torch ${them === undefined ? '-' : (them / us).toFixed(2)}`);
console.log('');
row('HistogramObserver.observe (per batch)', ours.observeMs, torch?.observeMs);
row('HistogramObserver.calculateQParams', ours.qparamsMs, torch?.qparamsMs);
if (torch) console.log(`\ntorch ${torch.torch}, one thread`);
