// Benchmark of the int8 GEMM: GOPS = 2 m k n / time, caller-visible
// (copies in and out included), median of several runs, one thread.
// Peers: onnxruntime-web (numThreads = 1, weights as constant initializers so
// it pre-packs them): MatMulInteger u8 x s8 and s8 x s8, MatMul float, and
// com.microsoft DynamicQuantizeMatMul.
//   node bench/gemm.js [--build simd128|relaxed] [--json] [--no-ort]
import os from 'node:os';
import { timeAll } from './lib/time-all.js';
import * as qdq from '../js/index.js';
import { DataType, elemTypeOf, oneNodeModel } from '../tests/helpers/onnx-model.js';

const { FLOAT, INT32 } = DataType;

const args = process.argv.slice(2);
const build = /** @type {'simd128' | 'relaxed'} */ (args.includes('--build') ? args[args.indexOf('--build') + 1] : 'simd128');
const json = args.includes('--json');
const withOrt = !args.includes('--no-ort');
const SHAPES = [[1, 4096, 4096], [16, 1024, 1024], [128, 768, 768], [512, 512, 512]];
const RUNS = 9;
const MIN_BATCH_MS = 40; // each run repeats the call for at least this long
/** @param {Record<string, () => unknown>} fns */
const timeAllRuns = (fns) => timeAll(fns, { runs: RUNS, minBatchMs: MIN_BATCH_MS });

await qdq.init({ build, numThreads: 1 }); // one thread: bench/threads.js compares thread counts


let seed = 12345;
const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 8;

/** @type {any} */
let ort = null;
if (withOrt) {
  ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
}

/** @param {Uint8Array} model @param {string} input @param {any} tensor */
async function ortRunner(model, input, tensor) {
  const session = await ort.InferenceSession.create(model);
  return { run: () => session.run({ [input]: tensor }), release: () => session.release() };
}

/** @type {Record<string, any>[]} */
const rows = [];
for (const [m, k, n] of SHAPES) {
  const ops = 2 * m * k * n;
  const gops = (/** @type {number} */ ms) => ops / ms / 1e6;
  const aS8 = new Int8Array(m * k), aU8 = new Uint8Array(m * k), a7 = new Uint8Array(m * k);
  for (let i = 0; i < m * k; i++) { aS8[i] = next(); aU8[i] = next(); a7[i] = next() & 127; }
  const bS8 = new Int8Array(k * n); // [k, n]
  for (let i = 0; i < k * n; i++) bS8[i] = next();
  const wT = new Int8Array(n * k); // [n, k], PyTorch layout
  for (let l = 0; l < k; l++) for (let j = 0; j < n; j++) wT[j * k + l] = bS8[l * n + j];
  const wf = Float32Array.from(wT, (v) => v / 127);
  const x = Float32Array.from({ length: m * k }, () => (next() / 16777216 - 0.5) * 6);
  const xT = Float32Array.from({ length: k * n }, (_, i) => wf[(i % n) * k + Math.floor(i / n)]); // [k, n]
  const scales = new Float32Array(n).fill(1 / 127);
  const row = { m, k, n };

  const packed = qdq.PackedMatrix.pack(bS8, { k, n });
  const out = new Int32Array(m * n);
  const lin = qdq.Linear.fromFloat(wf, null, { inFeatures: k, outFeatures: n });
  const dyn = qdq.DynamicQuantizedLinear.fromQuantized({ weight: wT, weightScales: scales, inFeatures: k, outFeatures: n });
  const dyn7 = qdq.DynamicQuantizedLinear.fromQuantized({ weight: wT, weightScales: scales, inFeatures: k, outFeatures: n, reduceRange: true });
  /** @type {Record<string, () => unknown>} */
  const fns = {
    qdqS8: () => qdq.matmulInteger(aS8, packed, { m, aZeroPoint: 3, out }),
    qdqU8: () => qdq.matmulInteger(aU8, packed, { m, aZeroPoint: 128, out }),
    qdq7: () => qdq.matmulInteger(a7, packed, { m, aZeroPoint: 64, out }),
    qdqF32: () => lin.forward(x),
    qdqDyn: () => dyn.forward(x),
    qdqDyn7: () => dyn7.forward(x),
  };
  const sessions = [];
  if (withOrt) {
    for (const [key, a, zp] of /** @type {const} */ ([['ortU8', aU8, Uint8Array.of(128)], ['ortS8', aS8, Int8Array.of(3)]])) {
      const model = oneNodeModel({ op: 'MatMulInteger', inputs: [{ name: 'A', type: elemTypeOf(a), dims: [m, k] }],
        initializers: [{ name: 'B', dims: [k, n], data: bS8 }, { name: 'az', dims: [], data: zp }, { name: 'bz', dims: [], data: Int8Array.of(0) }],
        nodeInputs: ['A', 'B', 'az', 'bz'], output: { name: 'Y', type: INT32, dims: [m, n] } });
      const r = await ortRunner(model, 'A', new ort.Tensor(a instanceof Uint8Array ? 'uint8' : 'int8', a, [m, k]));
      sessions.push(r);
      fns[key] = r.run;
    }
    {
      const model = oneNodeModel({ op: 'MatMul', inputs: [{ name: 'A', type: FLOAT, dims: [m, k] }],
        initializers: [{ name: 'B', dims: [k, n], data: xT }], nodeInputs: ['A', 'B'], output: { name: 'Y', type: FLOAT, dims: [m, n] } });
      const r = await ortRunner(model, 'A', new ort.Tensor('float32', x, [m, k]));
      sessions.push(r);
      fns.ortF32 = r.run;
    }
    {
      const model = oneNodeModel({ op: 'DynamicQuantizeMatMul', domain: 'com.microsoft', inputs: [{ name: 'A', type: FLOAT, dims: [m, k] }],
        initializers: [{ name: 'B', dims: [k, n], data: bS8 }, { name: 'bs', dims: [n], data: scales }, { name: 'bz', dims: [n], data: new Int8Array(n) }],
        nodeInputs: ['A', 'B', 'bs', 'bz'], output: { name: 'Y', type: FLOAT, dims: [m, n] } });
      const r = await ortRunner(model, 'A', new ort.Tensor('float32', x, [m, k]));
      sessions.push(r);
      fns.ortDqmm = r.run;
    }
  }
  const ms = await timeAllRuns(fns);
  for (const [key, t] of Object.entries(ms)) row[key] = gops(t);
  packed.dispose();
  lin.dispose();
  dyn.dispose();
  dyn7.dispose();
  for (const r of sessions) await r.release();
  rows.push(row);
  if (!json) console.error(`  ${m}x${k}x${n} done`);
}

const info = { build: qdq.backend(), node: process.version, v8: process.versions.v8, cpu: os.cpus()[0]?.model ?? 'unknown',
  ort: withOrt ? ort.env.versions?.web ?? '1.30' : null };
if (json) {
  console.log(JSON.stringify({ info, rows }));
} else {
  const f = (/** @type {number | undefined} */ v) => (v === undefined ? '-' : v.toFixed(1)).padStart(6);
  console.log(`qdq-wasm ${info.build} build, Node ${info.node} (V8 ${info.v8}), onnxruntime-web ${info.ort}, ${info.cpu}, 1 thread, GOPS (median of ${RUNS})`);
  console.log('m,k,n            | s8     u8     7bit   f32    dyn    dyn7  | ORT u8s8 s8s8   f32    DQMM');
  for (const r of rows) {
    console.log(`${`${r.m},${r.k},${r.n}`.padEnd(16)} |${f(r.qdqS8)} ${f(r.qdqU8)} ${f(r.qdq7)} ${f(r.qdqF32)} ${f(r.qdqDyn)} ${f(r.qdqDyn7)} |${f(r.ortU8)} ${f(r.ortS8)} ${f(r.ortF32)} ${f(r.ortDqmm)}`);
  }
}
