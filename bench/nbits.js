// Benchmark of blockwise 4-bit weights (issue 11): qdq_nbits_matmul (accuracy
// levels 4 and 0) against onnxruntime-web's com.microsoft MatMulNBits (same
// weights, numThreads = 1, levels 4 and 0) and against our int8
// DynamicQuantizedLinear, at 1x4096x4096, 16x1024x1024 and 128x768x768,
// 4-bit weights, block 32, with zero points. Caller-visible times (copies of
// activations in and outputs out included), medians of several runs,
// alternating between candidates. Plus a stream-read bandwidth probe (a
// separate wasm module built from bench/probes/, never part of dist/).
//   node bench/nbits.js [--build simd128|relaxed] [--json] [--no-ort]   (NBITS_QUICK=1: one small shape, a smoke run)
import os from 'node:os';
import { timeAll } from './lib/time-all.js';
import { loadProbe } from './lib/probe-wasm.js';
import * as qdq from '../js/index.js';
import { matmulNBitsModel } from './lib/ort-nbits.js';

const args = process.argv.slice(2);
const build = /** @type {'simd128' | 'relaxed'} */ (args.includes('--build') ? args[args.indexOf('--build') + 1] : 'simd128');
const json = args.includes('--json');
const withOrt = !args.includes('--no-ort');
const SHAPES = process.env.NBITS_QUICK ? [[1, 256, 256]] : [[1, 4096, 4096], [16, 1024, 1024], [128, 768, 768]];
const BITS = 4, BLOCK = 32;
const RUNS = 9;
const MIN_BATCH_MS = 40;
/** @param {Record<string, () => unknown>} fns */
const timeAllRuns = (fns) => timeAll(fns, { runs: RUNS, minBatchMs: MIN_BATCH_MS });

await qdq.init({ build, numThreads: 1 }); // one thread: bench/threads.js compares thread counts


let seed = 2024;
const rand = () => (((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216) - 0.5;

/** Stream-read probe: GB/s reading `bytes` (median of runs, each several passes). */
function streamProbe(sizes) {
  const pe = loadProbe('stream-read', ['probe_alloc', 'probe_read', 'malloc']);
  /** @type {Record<string, number>} */ const gbps = {};
  for (const bytes of sizes) {
    const p = pe.probe_alloc(bytes);
    new Uint8Array(pe.memory.buffer, p, bytes).fill(1);
    const passes = Math.max(2, Math.ceil((256 << 20) / bytes));
    const t = [];
    for (let run = 0; run < RUNS; run++) {
      const t0 = performance.now();
      for (let i = 0; i < passes; i++) pe.probe_read(p, bytes);
      t.push((performance.now() - t0) / passes);
    }
    gbps[bytes] = bytes / t.sort((x, y) => x - y)[RUNS >> 1] / 1e6;
  }
  return gbps;
}

/** @type {any} */
let ort = null;
if (withOrt) {
  ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
}

const rows = [];
const probe = streamProbe([8 << 20, 64 << 20]);
for (const [m, k, n] of SHAPES) {
  const kb = Math.ceil(k / BLOCK);
  const wf = Float32Array.from({ length: n * k }, () => rand());
  const x = Float32Array.from({ length: m * k }, () => rand() * 4);
  // Quantize with the library (onnxruntime's asymmetric quantizer, B1-B3), then pack.
  const q = qdq.quantizeBlockwise(wf, { n, k, bits: BITS, blockSize: BLOCK });
  const w = { kb, b: q.data, scales: q.scales, zp: /** @type {Uint8Array} */ (q.zeroPoints) };
  const mm4 = qdq.MatMulNBits.pack({ ...q, accuracyLevel: 4 });
  const mm0 = qdq.MatMulNBits.pack({ ...q, accuracyLevel: 0 });
  const packedBytes = mm4.packedBytes;
  const dyn = qdq.DynamicQuantizedLinear.fromFloat(wf, null, { inFeatures: k, outFeatures: n });
  /** @type {Record<string, () => unknown>} */
  const fns = { nbits4: () => mm4.forward(x, m), nbits0: () => mm0.forward(x, m), dynInt8: () => dyn.forward(x, m) };
  const sessions = [];
  if (ort) {
    const tx = new ort.Tensor('float32', x, [m, k]);
    for (const level of [4, 0]) {
      const s = await ort.InferenceSession.create(matmulNBitsModel({ k, n, bits: BITS, blockSize: BLOCK, level, data: w.b, scales: w.scales, zeroPoints: w.zp }));
      sessions.push(s);
      fns[`ort${level}`] = () => s.run({ A: tx });
    }
  }
  const t = await timeAllRuns(fns);
  const gops = (/** @type {number} */ ms) => 2 * m * k * n / ms / 1e6;
  rows.push({ m, k, n, packedBytes, ms: t, gops: Object.fromEntries(Object.entries(t).map(([kk, v]) => [kk, gops(v)])) });
  for (const s of sessions) await s.release();
  dyn.dispose();
  mm4.dispose();
  mm0.dispose();
}

const engine = `Node ${process.versions.node} (V8 ${process.versions.v8})`;
const machine = `${os.cpus()[0]?.model}, ${os.cpus().length} logical cores, one thread used`;
if (json) {
  console.log(JSON.stringify({ build, engine, machine, probe, rows }));
} else {
  console.log(`machine: ${machine}\nengine: ${engine}, qdq-wasm build: ${build} (${qdq.backend()})`);
  console.log(`stream read (bench/probes/stream-read.c): ${Object.entries(probe).map(([b, g]) => `${+b >> 20} MiB ${g.toFixed(1)} GB/s`).join(', ')}`);
  console.log(`4-bit weights, block ${BLOCK}, zero points; ms per call (median of ${RUNS}), GOPS = 2mkn/time\n`);
  console.log('shape (m,k,n)    nbits L4   nbits L0   ORT L4     ORT L0     int8 dyn   | L4 vs ORT L4  L4 vs int8  L4 GB/s (packed)');
  for (const r of rows) {
    const f = (/** @type {number | undefined} */ v) => (v === undefined ? '-' : v.toFixed(3)).padStart(8) + '  ';
    const gbs = r.m === 1 ? (r.packedBytes / r.ms.nbits4 / 1e6).toFixed(1) : "-";
    console.log(`${`${r.m},${r.k},${r.n}`.padEnd(15)}  ${f(r.ms.nbits4)} ${f(r.ms.nbits0)} ${f(r.ms.ort4)} ${f(r.ms.ort0)} ${f(r.ms.dynInt8)} | ${(r.ms.ort4 ? (r.ms.ort4 / r.ms.nbits4).toFixed(1) + 'x' : '-').padStart(12)}  ${(r.ms.dynInt8 / r.ms.nbits4).toFixed(2).padStart(9)}x  ${gbs}`);
  }
}
