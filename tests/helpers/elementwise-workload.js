// The streaming operators on deterministic tensors with every kind of seam
// (docs/threads.md T5): lengths around the 64 Ki blocks and the staging
// chunk, odd tails, per-channel layouts with channels outermost, innermost
// and in between, and values that probe the rounding (ties, signed zeros,
// NaN and infinities where the operator accepts them). Each result is
// returned as its bytes, by name, so that thread counts, builds and engines
// can be compared exactly. Used by tests/unit/threads-elementwise.test.js.

const BLOCK = 65536;

/** Deterministic floats: uniform, with ties at multiples of scale/2, zeros of both signs. @param {number} seed */
function floats(seed, n, { specials = false } = {}) {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = next();
    const kind = r % 16;
    x[i] = kind === 0 ? (r & 16 ? -0 : 0)
      : kind === 1 ? ((r >> 5) % 600 - 300 + 0.5) * 0.05 // an exact tie of round(x / 0.05) (near one: float)
        : kind === 2 && specials ? [NaN, Infinity, -Infinity, 1e30][(r >> 5) % 4]
          : (r / 16777216 - 0.5) * 16;
  }
  return x;
}

/** @param {ArrayBufferView} a */
const bytesOf = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();

/**
 * Tensors: [name, length, per-channel shape and axis or null].
 * @param {number} chunk the runtime's staging chunk (elements)
 * @returns {[string, number, [number[], number] | null][]}
 */
export function cases(chunk) {
  return [
    ['one block', BLOCK, null],
    ['two blocks and a tail of 1', 2 * BLOCK + 1, null],
    ['odd, 3 blocks and a tail', 3 * BLOCK + 4097, null],
    ['a chunk and a bit', chunk + BLOCK + 7, null],
    ['channels outermost', 3 * 70001, [[3, 70001], 0]],
    ['channels innermost', 3 * 70001, [[70001, 3], 1]],
    ['channels in the middle', 5 * 7 * 9001, [[5, 7, 9001], 1]],
    ['one channel of many runs', 4 * 50001, [[4, 1, 50001], 1]],
    ['more channels than elements per block', 2 * 131075, [[2, 131075], 1]],
    // Past a window of js/runtime/binding.js (WINDOW_ELEMENTS, 1 Mi): on several
    // threads a second window, here one too short to stream its input.
    ['a window and a bit', (1 << 20) + BLOCK + 5, null],
    ['channels across a window', 3 * 400001, [[3, 400001], 0]],
  ];
}

/**
 * Every streaming operator on every case.
 * @param {any} q the qdq-wasm module (already initialized)
 * @param {number} chunk
 * @returns {Record<string, Uint8Array>}
 */
export function run(q, chunk) {
  /** @type {Record<string, Uint8Array>} */
  const out = {};
  let seed = 1;
  for (const [name, n, layout] of cases(chunk)) {
    const x = floats(seed++, n);
    const xs = floats(seed++, n, { specials: true });
    if (layout === null) {
      for (const dtype of ['int8', 'uint8']) {
        for (const compat of ['onnx', 'pytorch']) {
          const qt = q.quantizePerTensor(xs, { scale: 0.05, zeroPoint: dtype === 'uint8' ? 128 : -3, dtype, compat });
          out[`${name}/quantize ${dtype} ${compat}`] = bytesOf(qt.data);
          out[`${name}/dequantize ${dtype} ${compat}`] = bytesOf(q.dequantize(qt));
          const fq = q.fakeQuantizePerTensor(xs, { scale: 0.05, zeroPoint: 3, dtype, compat });
          out[`${name}/fake-quantize ${dtype} ${compat}`] = bytesOf(fq.output);
          out[`${name}/fake-quantize mask ${dtype} ${compat}`] = bytesOf(fq.mask);
        }
      }
      const obs = new q.MinMaxObserver();
      obs.observe(x);
      out[`${name}/min/max`] = bytesOf(Float32Array.of(obs.minVal, obs.maxVal));
      const xHat = q.dequantize(q.quantizePerTensor(xs, { scale: 0.07 }));
      const st = q.errorStats(xs, xHat);
      out[`${name}/error stats with NaN`] = bytesOf(Float64Array.of(st.mse, st.maxAbsError, st.sqnr));
      const clean = q.errorStats(x, q.dequantize(q.quantizePerTensor(x, { scale: 0.07 })));
      out[`${name}/error stats`] = bytesOf(Float64Array.of(clean.mse, clean.maxAbsError, clean.sqnr));
    } else {
      const [shape, axis] = layout;
      const channels = shape[axis];
      const scales = Float32Array.from({ length: channels }, (_, c) => 0.01 + (c % 13) * 0.01);
      const zeroPoints = Int32Array.from({ length: channels }, (_, c) => (c % 7) - 3);
      const qt = q.quantizePerChannel(xs, { shape, axis, scales, zeroPoints, dtype: 'int8' });
      out[`${name}/quantize`] = bytesOf(qt.data);
      out[`${name}/dequantize`] = bytesOf(q.dequantize(qt));
      const fq = q.fakeQuantizePerChannel(xs, { shape, axis, scales, zeroPoints, compat: 'pytorch' });
      out[`${name}/fake-quantize`] = bytesOf(fq.output);
      out[`${name}/fake-quantize mask`] = bytesOf(fq.mask);
      const obs = new q.PerChannelMinMaxObserver({ axis });
      obs.observe(x, shape);
      out[`${name}/min`] = bytesOf(obs.minVal);
      out[`${name}/max`] = bytesOf(obs.maxVal);
      const st = q.errorStats(xs, q.dequantize(qt), { shape, axis });
      const c = st.channels;
      out[`${name}/error stats`] = bytesOf(Float64Array.of(st.mse, st.maxAbsError, st.sqnr));
      for (const k of ['mse', 'maxAbsError', 'sqnr']) out[`${name}/error stats per channel ${k}`] = bytesOf(c[k]);
    }
  }
  return out;
}
