// Weights kept widened to int16 (PackedMatrix.pack's and the int8 Linears'
// keepWidened) against widening them on every call, in one process, runs
// interleaved (lib/time-all.js): u8s8 matmulInteger into out and the dynamic
// Linear returning a new array, on 1 and T threads, beside onnxruntime-web's
// MatMulInteger and DynamicQuantizeMatMul on T threads. Each x is the median
// of the ratios within runs (pairedRatio). docs/gemm.md, "Kept widened weights".
//   node bench/kept-widened.js [--threads 2] [--build simd128|relaxed] [--runs 11]
import { pairedRatio, median, timeAllRuns } from './lib/time-all.js';
import { machineLine, onThreads } from './lib/threads.js';
import * as qdq from '../js/index.js';
import { gemmData, ortGemmModels } from './lib/ort-gemm.js';
const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const T = Number(opt('--threads', '2'));
const build = /** @type {'simd128' | 'relaxed'} */ (opt('--build', 'simd128'));
const RUNS = Number(opt('--runs', '11'));
const started = await qdq.init({ build, numThreads: T });
if (started.threads !== T) throw new Error(`asked for ${T} threads, got ${started.threads}: ${started.threadsNote}`);
const ort = await import('onnxruntime-web');
ort.env.wasm.numThreads = T;

let seed = 12345;
const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 8;
console.log(`qdq-wasm ${build} (-mt build), onnxruntime-web ${ort.env.versions.common} with numThreads ${T}, Node ${process.version}, ${machineLine()}; µs per call, medians of ${RUNS} interleaved runs`);
console.log('kept: weights kept widened (keepWidened: true); per call: widened on every call (the default); ORT: MatMulInteger u8s8 / DynamicQuantizeMatMul');
console.log(`m,k,n           op    | per call 1t  kept 1t  x      | per call ${T}t  kept ${T}t  x      | ORT ${T}t  per call/ORT  kept/ORT`);
for (const [m, k, n] of [[128, 768, 768], [512, 512, 512], [64, 2048, 2048]]) {
  const data = gemmData(m, k, n, next);
  const { bS8, wT, aU8, x, scales } = data;
  const out = new Int32Array(m * n);
  /** @type {Record<string, () => unknown>} */
  const fns = {};
  /** @type {{ dispose(): void }[]} */
  const owned = [];
  for (const keepWidened of [false, true]) {
    const tag = keepWidened ? 'kept' : 'call';
    const packed = qdq.PackedMatrix.pack(bS8, { k, n, keepWidened });
    const dyn = qdq.DynamicQuantizedLinear.fromQuantized({ weight: wT, weightScales: scales, inFeatures: k, outFeatures: n, compat: 'onnx', keepWidened });
    owned.push(packed, dyn);
    for (const t of [1, T]) {
      fns[`u8 ${tag} ${t}`] = onThreads(t, () => qdq.matmulInteger(aU8, packed, { m, aZeroPoint: 128, out }));
      fns[`dq ${tag} ${t}`] = onThreads(t, () => dyn.forward(x));
    }
  }
  const models = ortGemmModels(m, k, n, data);
  const u8 = await ort.InferenceSession.create(models.mi.model);
  const dq = await ort.InferenceSession.create(models.dq.model);
  const u8Feeds = { A: new ort.Tensor('uint8', aU8, [m, k]) };
  const dqFeeds = { A: new ort.Tensor('float32', x, [m, k]) };
  fns['u8 ort'] = () => u8.run(u8Feeds);
  fns['dq ort'] = () => dq.run(dqFeeds);
  const runs = await timeAllRuns(fns, { runs: RUNS, minBatchMs: 30, settleMs: 50 });
  const us = (/** @type {string} */ name) => (median(runs[name]) * 1e3).toFixed(0).padStart(7);
  const x2 = (/** @type {string} */ a, /** @type {string} */ b) => pairedRatio(runs, a, b).toFixed(3).padStart(6);
  for (const op of ['u8', 'dq']) {
    console.log(`${`${m},${k},${n}`.padEnd(15)} ${op === 'u8' ? 'u8s8' : 'DQL '}  | ${us(`${op} call 1`)}     ${us(`${op} kept 1`)} ${x2(`${op} call 1`, `${op} kept 1`)} | ` +
      `${us(`${op} call ${T}`)}     ${us(`${op} kept ${T}`)} ${x2(`${op} call ${T}`, `${op} kept ${T}`)} | ${us(`${op} ort`)} ` +
      `${x2(`${op} ort`, `${op} call ${T}`)}        ${x2(`${op} ort`, `${op} kept ${T}`)}`);
  }
  for (const o of owned) o.dispose();
  await u8.release();
  await dq.release();
}
process.exit(0);
