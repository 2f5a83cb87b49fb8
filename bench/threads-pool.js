// What the pool's hand-out does for a dynamic Linear on T threads, in one
// process against onnxruntime-web's DynamicQuantizeMatMul on T threads:
// ours with a new result (the default: the calling thread allocates and
// writes it while the workers run, js/runtime/binding.js prepareOut), the
// same with that preparation off, and into a reused `out`. GOPS = 2 m k n /
// time, caller-visible, medians of interleaved runs with an idle pause before
// each batch (onnxruntime's threads spin after a run); x: the median over runs
// of the time ratio within a run.
//   node bench/threads-pool.js [--threads 2] [--build simd128|relaxed] [--runs 11] [--shape m,k,n]
import { median, pairedRatio, timeAllRuns } from './lib/time-all.js';
import { machineLine, onThreads } from './lib/threads.js';
import * as qdq from '../js/index.js';
import { setOutputPreparation } from '../js/runtime/loader.js';
import { DataType, oneNodeModel } from '../tests/helpers/onnx-model.js';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const T = Number(opt('--threads', '2'));
const build = /** @type {'simd128' | 'relaxed'} */ (opt('--build', 'simd128'));
const RUNS = Number(opt('--runs', '11'));
const shapes = args.includes('--shape') ? [opt('--shape', '').split(',').map(Number)] : [[16, 1024, 1024], [128, 768, 768], [512, 512, 512]];

const started = await qdq.init({ build, numThreads: T });
if (started.threads !== T) throw new Error(`asked for ${T} threads, got ${started.threads}: ${started.threadsNote}`);
const ort = await import('onnxruntime-web');
ort.env.wasm.numThreads = T;

let seed = 12345;
const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 8;
console.log(`DynamicQuantizedLinear on ${T} threads against onnxruntime-web ${ort.env.versions?.web ?? ''} DynamicQuantizeMatMul on ${T}, ` +
  `qdq-wasm ${build} -mt, Node ${process.version}, ${machineLine()}; GOPS, median of ${RUNS} interleaved runs (x: over ORT)`);
console.log(`m,k,n            ours 1t | new result   x   | not prepared  x   | into out     x   | ORT ${T}t | new result over ours 1t`);
for (const [m, k, n] of shapes) {
  const ops = 2 * m * k * n;
  const bS8 = new Int8Array(k * n).map(() => next());
  const wT = new Int8Array(n * k);
  for (let l = 0; l < k; l++) for (let j = 0; j < n; j++) wT[j * k + l] = bS8[l * n + j];
  const x = Float32Array.from({ length: m * k }, () => (next() / 16777216 - 0.5) * 6);
  const scales = new Float32Array(n).fill(1 / 127);
  const dyn = qdq.DynamicQuantizedLinear.fromQuantized({ weight: wT, weightScales: scales, inFeatures: k, outFeatures: n, compat: 'onnx' });
  const out = new Float32Array(m * n);
  const session = await ort.InferenceSession.create(oneNodeModel({ op: 'DynamicQuantizeMatMul', domain: 'com.microsoft',
    inputs: [{ name: 'A', type: DataType.FLOAT, dims: [m, k] }],
    initializers: [{ name: 'B', dims: [k, n], data: bS8 }, { name: 'bs', dims: [n], data: scales }, { name: 'bz', dims: [n], data: new Int8Array(n) }],
    nodeInputs: ['A', 'B', 'bs', 'bz'], output: { name: 'Y', type: DataType.FLOAT, dims: [m, n] } }));
  const xt = new ort.Tensor('float32', x, [m, k]);
  const runs = await timeAllRuns({
    one: onThreads(1, () => dyn.forward(x)),
    fresh: onThreads(T, () => dyn.forward(x)),
    plain: onThreads(T, () => {
      setOutputPreparation(false);
      try {
        return dyn.forward(x);
      } finally {
        setOutputPreparation(true);
      }
    }),
    out: onThreads(T, () => dyn.forward(x, m, { out })),
    ort: () => session.run({ A: xt }),
  }, { runs: RUNS, minBatchMs: 30, settleMs: 50 });
  const g = (/** @type {string} */ key) => ops / median(runs[key]) / 1e6;
  const f = (/** @type {string} */ key) => `${g(key).toFixed(1).padStart(6)} ${pairedRatio(runs, 'ort', key).toFixed(2).padStart(6)}`;
  console.log(`${`${m},${k},${n}`.padEnd(16)} ${g('one').toFixed(1).padStart(7)} | ${f('fresh')}     | ${f('plain')}      | ${f('out')}     | ${g('ort').toFixed(1).padStart(6)} | ${pairedRatio(runs, 'one', 'fresh').toFixed(2)}`);
  dyn.dispose();
  await session.release();
}
process.exit(0);
