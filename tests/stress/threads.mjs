// Random shapes and operators on 1-4 threads, every call split however small,
// for as long as asked: the bytes of 2, 3 and 4 threads (three calls each)
// against one thread's. tests/unit/threads.test.js checks chosen shapes and
// tails on every `npm test`; this explores the rest (shapes, sizes, kinds of
// data, and the order regions run in), where a rare race in the pool would
// show. Not part of npm test: minutes, not seconds. Exit 1 on any mismatch,
// printed with the seed that replays it.
//   node tests/stress/threads.mjs [seconds = 60] [seed = 1]      (QDQ_BUILD=simd128|relaxed; relaxed needs Node 22)
import * as qdq from '../../js/index.js';
import { setThreadLimit } from '../../js/runtime/loader.js';
import { rng } from '../helpers/gemm-ref.js';

const SECONDS = Number(process.argv[2] ?? 60);
const SEED = Number(process.argv[3] ?? 1);
const build = /** @type {'simd128' | 'relaxed'} */ (process.env.QDQ_BUILD ?? 'simd128');
const info = await qdq.init({ numThreads: 4, build });
if (info.threads !== 4) throw new Error(`stress: needs 4 threads, got ${info.threads} (${info.threadsNote})`);
const r = rng(SEED);

/** @param {ArrayBufferView} a */
const bytes = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
/** @param {...ArrayBufferView} parts */
const join = (...parts) => Buffer.concat(parts.map(bytes));
const floats = (/** @type {number} */ n, /** @type {number} */ scale) => Float32Array.from({ length: n }, () => r.float(scale));
/** ReLU outputs half the time (HistogramObserver's interleaved copies), else signed. */
const activations = (/** @type {number} */ n) => {
  const x = floats(n, 6);
  if (r.int(0, 1)) for (let i = 0; i < n; i++) x[i] = Math.max(0, x[i]);
  return x;
};

/**
 * Each maker draws its operands once and returns the call to repeat (its
 * result as bytes), what to free afterwards and a description.
 * @type {Record<string, () => { run: () => ArrayBufferView, free?: () => void, what: string }>}
 */
const makers = {
  matmulInteger() {
    const m = r.int(1, 140), k = r.int(1, 700), n = r.int(1, 300), za = r.int(0, 255);
    const a = Uint8Array.from({ length: m * k }, () => r.int(0, 255));
    const b = Int8Array.from({ length: k * n }, () => r.int(-128, 127));
    const packed = qdq.PackedMatrix.pack(b, { k, n, zeroPoint: Array.from({ length: n }, () => r.int(0, 9)) });
    return { run: () => qdq.matmulInteger(a, packed, { m, aZeroPoint: za }), free: () => packed.dispose(), what: `${m}x${k}x${n}` };
  },
  DynamicQuantizedLinear() {
    const m = r.int(1, 140), k = r.int(1, 700), n = r.int(1, 300);
    const layer = qdq.DynamicQuantizedLinear.fromFloat(floats(n * k, 2), floats(n, 1), { inFeatures: k, outFeatures: n });
    const x = floats(m * k, 4), out = new Float32Array(m * n);
    return { run: () => join(layer.forward(x), layer.forward(x, m, { out })), free: () => layer.dispose(), what: `${m}x${k}x${n}` };
  },
  WeightOnlyQuantizedLinear() {
    const m = r.int(1, 40), k = r.int(1, 700), n = r.int(1, 200);
    const layer = qdq.WeightOnlyQuantizedLinear.fromFloat(floats(n * k, 2), floats(n, 1),
      { inFeatures: k, outFeatures: n, bits: r.int(0, 1) ? 4 : 8, blockSize: 32 });
    const x = floats(m * k, 4);
    return { run: () => layer.forward(x), free: () => layer.dispose(), what: `${m}x${k}x${n}` };
  },
  quantize() {
    const n = r.int(1, 3_000_000), x = floats(n, 10);
    return {
      run: () => {
        const t = qdq.quantizePerTensor(x, { scale: 0.05, zeroPoint: 3, dtype: 'int8' });
        const o = qdq.quantize(x, { dtype: 'uint8' });
        return join(t.data, o.data, Float64Array.of(o.scale, o.zeroPoint));
      },
      what: `${n}`,
    };
  },
  errorStats() {
    const n = r.int(1, 2_000_000), x = floats(n, 10), y = Float32Array.from(x, (v) => v + r.float(0.1));
    return { run: () => { const s = qdq.errorStats(x, y); return Float64Array.of(s.mse, s.maxAbsError, s.sqnr); }, what: `${n}` };
  },
  HistogramObserver() {
    const n = r.int(1, 600_000), x = activations(n), bins = [2048, 64, 15, 301][r.int(0, 3)];
    return {
      run: () => {
        const o = new qdq.HistogramObserver({ bins });
        o.observe(x);
        o.observe(x.subarray(0, n >> 1));
        return Float32Array.from(/** @type {any} */ (o).state);
      },
      what: `${n} bins=${bins}`,
    };
  },
};

const names = Object.keys(makers);
const start = Date.now();
let calls = 0, bad = 0;
while (Date.now() - start < SECONDS * 1000) {
  const name = names[r.int(0, names.length - 1)];
  const { run, free, what } = makers[name]();
  setThreadLimit(1, 0);
  const one = Buffer.from(bytes(run()));
  for (const t of [2, 3, 4]) {
    setThreadLimit(t, 0);
    for (let rep = 0; rep < 3; rep++, calls++) {
      if (!bytes(run()).equals(one)) {
        bad++;
        console.log(`mismatch: ${name} ${what} on ${t} threads (seed ${SEED}, ${build})`);
      }
    }
  }
  free?.();
}
setThreadLimit(Infinity);
console.log(`${calls} split calls on 2-4 threads against 1 (${build}, seed ${SEED}, ${SECONDS} s): ${bad} mismatches`);
process.exit(bad ? 1 : 0);
