// Compile-only checks of js/index.d.ts: correct use type-checks, and each
// misuse below must be an error (tsc fails on an unused @ts-expect-error).
import {
  init, initSync, backend, threads, shutdownThreads, dynamicQuantizeLinear, calculateQParams, quantizePerTensor, quantizePerChannel, dequantize, fakeQuantizePerTensor,
  fakeQuantizePerChannel, quantize, errorStats, MinMaxObserver, MovingAverageMinMaxObserver,
  PerChannelMinMaxObserver, MovingAveragePerChannelMinMaxObserver, FLOAT32_EPS,
  HistogramObserver, PercentileObserver, EntropyObserver, type CalibrationHistogramObserver,
  type QTensor, type QTensorPerChannel, type ErrorStats, type InitResult,
} from '../../js/index.js';
// @ts-expect-error Int8Linear is the Linear layers' shared base, not an export of js/index.js
import { Int8Linear } from '../../js/index.js';

async function main(): Promise<void> {
  await init();
  await init({ build: 'simd128' });
  const started: InitResult = await init({ numThreads: 2, workerUrl: '/assets/worker.js' });
  const note: string | null = started.threadsNote;
  const count: number = threads();
  shutdownThreads();
  initSync(new Uint8Array(8));
  const b: 'simd128' | 'relaxed' = backend();
  const x = new Float32Array(6);

  const t = quantizePerTensor(x, { scale: 0.1, zeroPoint: 3, dtype: 'uint8', compat: 'pytorch' });
  const s: number = t.scale;
  const c: QTensorPerChannel = quantizePerChannel(x, { shape: [2, 3], axis: -1, scales: [1, 2, 3] });
  const sc: Float32Array = c.scales;
  // compat 'pytorch' keeps the scales given as doubles (a Float64Array), unless they were a Float32Array.
  const c64: Float64Array = quantizePerChannel(x, { shape: [2, 3], axis: 0, scales: [0.1, 1 / 3], compat: 'pytorch' }).scales;
  const c32: Float32Array = quantizePerChannel(x, { shape: [2, 3], axis: 0, scales: Float32Array.of(0.1, 0.2), compat: 'pytorch' }).scales;
  // @ts-expect-error with compat 'pytorch' the scales are doubles
  const c64as32: Float32Array = quantizePerChannel(x, { shape: [2, 3], axis: 0, scales: [0.1, 1 / 3], compat: 'pytorch' }).scales;
  dequantize({ data: new Int8Array(6), shape: [2, 3], axis: 0, scales: Float64Array.of(0.1, 1 / 3) });
  void c64; void c32; void c64as32;
  const y: Float32Array = dequantize(t);
  dequantize({ data: new Int8Array(2), scale: 1, zeroPoint: 0 });
  const f = fakeQuantizePerTensor(x, { scale: 1, quantMin: 0, quantMax: 15 });
  const m: Uint8Array = f.mask;
  fakeQuantizePerChannel(x, { shape: [3, 2], scales: [1, 1, 1] });
  const auto: QTensor = quantize(x);
  const pc = quantize(x, { shape: [2, 3], axis: 0 });
  const ch: Float64Array = pc.error.channels.sqnr;
  const e: ErrorStats = errorStats(x, y);
  const e2 = errorStats(x, y, { shape: [2, 3], axis: 1 });
  const e2mse: Float64Array = e2.channels.mse;
  const o = new MinMaxObserver({ dtype: 'int8', qscheme: 'per_tensor_symmetric' });
  o.observe(x);
  const qp: { scale: number; zeroPoint: number } = o.calculateQParams();
  new MovingAverageMinMaxObserver({ averagingConstant: 0.1 }).reset();
  const p = new PerChannelMinMaxObserver({ axis: 1, qscheme: 'per_channel_symmetric' });
  p.observe(x, [2, 3]);
  const zps: Int32Array = p.calculateQParams().zeroPoints;
  new MovingAveragePerChannelMinMaxObserver({ eps: FLOAT32_EPS });
  const dq: Uint8Array = dynamicQuantizeLinear(x).data;
  const raw: number = calculateQParams(1, 6, { includeZero: false }).zeroPointUnclamped;
  const per: Int32Array = calculateQParams([0, 1], [2, 3]).zeroPoints;
  // Without an axis (and with a per-tensor qscheme or none), quantize() is per tensor: no narrowing needed.
  const pt = quantize(x, { shape: [2, 3] });
  const ptScale: number = pt.scale;
  const ptSym: number = quantize(x, { qscheme: 'per_tensor_symmetric' }).zeroPoint;
  const pcq: Float32Array = quantize(x, { shape: [2, 3], qscheme: 'per_channel_symmetric' }).scales;
  // @ts-expect-error this entry embeds no bytes: its initSync() needs them (qdq-wasm/inline's does not: inline.ts)
  initSync();

  const h = new HistogramObserver({ reduceRange: true, bins: 256, upsampleRate: 16, histcBounds: 'exact' });
  h.observe(x);
  const hist: Float32Array = h.histogram;
  const hq: { scale: number; zeroPoint: number } = h.calculateQParams();
  const cal: CalibrationHistogramObserver[] = [
    new PercentileObserver({ percentile: 99.9, symmetric: false, dtype: 'int8' }),
    new EntropyObserver({ bins: 2048, quantizedBins: 128, fractionalQ: true }),
  ];
  const range: { min: number; max: number } | null = cal[0].calculateRange();
  const edges: Float64Array = cal[1].binEdges;
  void [b, s, sc, m, auto, ch, e, e2mse, qp, zps, dq, raw, per, ptScale, ptSym, pcq, hist, hq, range, edges];

  // @ts-expect-error a per-tensor result has no per-channel scales
  pt.scales;
  // @ts-expect-error a per-channel result has no single scale
  quantize(x, { shape: [2, 3], axis: 0 }).scale;
  // @ts-expect-error nor does a per-channel qscheme's
  quantize(x, { shape: [2, 3], qscheme: 'per_channel_affine' }).scale;
  // @ts-expect-error unknown build
  initSync(undefined, { build: 'avx512' });

  // @ts-expect-error x must be a Float32Array
  quantizePerTensor([1, 2, 3], { scale: 1 });
  // @ts-expect-error scale is required
  quantizePerTensor(x, { zeroPoint: 0 });
  // @ts-expect-error unknown dtype
  quantizePerTensor(x, { scale: 1, dtype: 'int4' });
  // @ts-expect-error unknown compat
  quantizePerTensor(x, { scale: 1, compat: 'tflite' });
  // @ts-expect-error per-channel needs shape
  quantizePerChannel(x, { scales: [1] });
  // @ts-expect-error a per-tensor observer takes a per-tensor qscheme
  new MinMaxObserver({ qscheme: 'per_channel_affine' });
  // @ts-expect-error minVal is read-only
  o.minVal = 0;
  // @ts-expect-error dynamicQuantizeLinear writes uint8 only
  dynamicQuantizeLinear(x, { out: new Int8Array(6) });
  // @ts-expect-error per-channel ranges give arrays, not a single scale
  const notOne: number = calculateQParams([0], [1]).scale;
  // @ts-expect-error histcBounds is 'truncated' or 'exact'
  new HistogramObserver({ histcBounds: 'int' });
  // @ts-expect-error the histogram observers are per tensor
  new HistogramObserver({ qscheme: 'per_channel_symmetric' });
  // @ts-expect-error percentile is a number
  new PercentileObserver({ percentile: '99.9' });
  // @ts-expect-error the histogram is read-only
  h.histogram = new Float32Array(1);
  // @ts-expect-error calculateRange may return null
  const notNull: { min: number; max: number } = new EntropyObserver().calculateRange();
  // @ts-expect-error unknown build
  await init({ build: 'avx512' });
  // @ts-expect-error numThreads is a number
  await init({ numThreads: 'all' });
}
void main;
