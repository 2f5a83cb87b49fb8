// Type declarations for qdq-wasm, written by hand. Formulas cite the
// equation numbers of docs/quantization.md and src/qdq.h.

// Globals these declarations name, declared so that they compile under any
// `lib` from ES2022 up, with or without DOM and esnext.disposable. Each merges
// with the standard declaration where the lib has it (same member types).
declare global {
  interface SymbolConstructor {
    /** Explicit resource management (ES2026); layers and packed matrices implement it. */
    readonly dispose: unique symbol;
  }
  // Opaque where neither DOM nor @types/node defines them.
  interface URL {}
  namespace WebAssembly {
    interface Module {}
  }
}

/** Quantized element types: int8 is [-128, 127], uint8 is [0, 255]. */
export type DType = 'int8' | 'uint8';

/**
 * Rounding convention of the float-to-integer step.
 * - 'onnx': roundHalfEven(x / scale) (ONNX QuantizeLinear, E5a)
 * - 'pytorch': roundHalfEven(x * (1 / scale)) in float32 (torch.quantize_per_tensor, E5b)
 */
export type Compat = 'onnx' | 'pytorch';

export type PerTensorQScheme = 'per_tensor_affine' | 'per_tensor_symmetric';
export type PerChannelQScheme = 'per_channel_affine' | 'per_channel_symmetric';
export type QScheme = PerTensorQScheme | PerChannelQScheme;

/** A tensor quantized with one scale and zero point. */
export interface QTensorPerTensor {
  /** Quantized values, row-major; Int8Array for 'int8', Uint8Array for 'uint8'. */
  data: Int8Array | Uint8Array;
  /** Dimensions; [data.length] when none was given. */
  shape: number[];
  dtype: DType;
  qscheme: PerTensorQScheme;
  /** Step between adjacent integers, a float32 value > 0. */
  scale: number;
  /** Integer that represents 0.0. */
  zeroPoint: number;
}

/**
 * A tensor quantized with a scale and zero point per slice along `axis`. `scales` is a Float32Array,
 * or a Float64Array of doubles as torch's per-channel qtensors keep them (quantizePerChannel with
 * compat 'pytorch' and scales not given as a Float32Array), which dequantize() multiplies in double.
 */
export interface QTensorPerChannel<Scales extends Float32Array | Float64Array = Float32Array> {
  data: Int8Array | Uint8Array;
  shape: number[];
  dtype: DType;
  qscheme: PerChannelQScheme;
  /** One scale per channel (shape[axis] entries). */
  scales: Scales;
  /** One zero point per channel. */
  zeroPoints: Int32Array;
  /** Channel axis, in [0, shape.length). */
  axis: number;
}

export type QTensor = QTensorPerTensor | QTensorPerChannel<Float32Array | Float64Array>;

/** Error of a reconstruction against the original (E10). */
export interface ErrorStats {
  /** Mean of (x - xHat)^2; NaN for an empty tensor. */
  mse: number;
  /** Max |x - xHat|; 0 for an empty tensor. */
  maxAbsError: number;
  /** 10 log10(sum x^2 / sum (x - xHat)^2) in dB; Infinity when the error is 0. */
  sqnr: number;
}

/** Per-channel error statistics, one entry per channel. */
export interface ChannelErrorStats {
  mse: Float64Array;
  maxAbsError: Float64Array;
  sqnr: Float64Array;
}

export interface InitOptions {
  /** Which build to load. Default: 'relaxed' where the engine runs relaxed SIMD correctly, else 'simd128'.
   * 'relaxed' on an engine without it (supportsRelaxedSimd() false) rejects with a RangeError. */
  build?: 'simd128' | 'relaxed';
  /** Load the .wasm from here instead of the package's dist/ (a URL, bytes, or a compiled module).
   * A relative URL is resolved against the page (or the worker's script) in a browser, against the
   * working directory in Node: not against the module that calls init().
   * A shared-memory build (dist/qdq-*-mt.wasm) runs threaded; any other on one thread. */
  wasm?: string | URL | ArrayBuffer | ArrayBufferView | WebAssembly.Module;
  /** Threads for large GEMM, Linear, MatMulNBits and streaming calls, the calling thread included. Default: the cores, at
   * most 8. 1: no pool and the single-threaded build. More than 1 needs shared memory (Node; a
   * browser page that is cross-origin isolated); elsewhere init() runs on one thread and says why.
   * An integer >= 1; above 64, the most a pool runs, it runs on 64 and threadsNote says so. */
  numThreads?: number;
  /** Where a copy of the pool's worker script (js/runtime/worker.js, one file: it imports nothing) is served
   * from, for a bundler that neither builds new Worker(new URL(…, import.meta.url)) nor copies it (webpack 5 and Vite do). */
  workerUrl?: string | URL;
}

/** What init() resolved to. */
export interface InitResult {
  build: 'simd128' | 'relaxed';
  /** Threads large calls run on (1: no pool). */
  threads: number;
  /** Why there are fewer threads than asked for (no shared memory, a worker that failed to start or died later,
   * numThreads above 64), or null. */
  threadsNote: string | null;
}

/**
 * Loads and instantiates the WebAssembly module. A later call that asks for
 * nothing different returns the first call's promise; one that asks for
 * another build or wasm source rejects (a running module cannot switch).
 * Every other function needs it to have resolved. Bad options reject with a
 * TypeError or RangeError naming them: options that are not an object
 * (`init('relaxed')`), an unknown key (`threads`: did you mean `numThreads`?),
 * a numThreads that is not an integer >= 1.
 * @example
 * import { init } from 'qdq-wasm';
 * await init();
 */
export function init(options?: InitOptions): Promise<InitResult>;

/**
 * Threads that large calls run on, the calling thread included (1 without a pool, and after a pool
 * worker died: init() then says so in threadsNote).
 * @example
 * await init({ numThreads: 4 });
 * threads(); // 4 in Node on a 4-core machine
 */
export function threads(): number;

/**
 * Ends the pool's workers and frees their stacks; the library keeps working on
 * the calling thread, and the pool does not restart (a later init() says so).
 * Called while init() loads, it ends the pool that init() starts. A Node
 * process exits without it (idle workers do not keep it alive); call it to
 * release a page's or a long-lived process's threads. Idempotent.
 */
export function shutdownThreads(): void;

/**
 * Synchronous init from bytes or a compiled module (e.g. in a worker that
 * already holds the .wasm). The bytes are required here: this entry embeds
 * none ('qdq-wasm/inline' does, and its initSync() takes no argument). Once
 * initialized, a call asking for nothing different is a no-op, and one
 * asking for another build or source throws.
 * @example
 * initSync(readFileSync(new URL(import.meta.resolve('qdq-wasm/dist/qdq-simd128.wasm')))); // Node, from any folder
 */
export function initSync(wasm: ArrayBuffer | ArrayBufferView | WebAssembly.Module, options?: { build?: 'simd128' | 'relaxed' }): void;

/**
 * The build in use, read from the instantiated module (whatever bytes were passed).
 * @returns 'simd128' or 'relaxed'
 * @example
 * backend(); // 'simd128' on Node 20
 */
export function backend(): 'simd128' | 'relaxed';

/**
 * Whether this engine runs WebAssembly SIMD128.
 * @example
 * supportsSimd128(); // true on Node 20+, Chrome 91+, Firefox 89+, Safari 16.4+
 */
export function supportsSimd128(): boolean;

/**
 * Whether this engine runs relaxed SIMD with final semantics (checked by
 * computing a dot product, not only by validation).
 * @example
 * supportsRelaxedSimd(); // false on Node 20, true on Node 22 and Chromium 156 (the engines tested)
 */
export function supportsRelaxedSimd(): boolean;

/**
 * The clamp range. With a `dtype`, quantMin/quantMax narrow its range and must fit in it. Without one,
 * they may be any range PyTorch accepts for the function: quantize* stores int8 when [quantMin, quantMax]
 * fits in [-128, 127], else uint8 when it fits in [0, 255] (e.g. quint8's 0..255); fakeQuantize* takes any
 * integers quantMin <= zeroPoint <= quantMax within ±2^23 (as torch.fake_quantize_* do, e.g. 0..255 or
 * 16-bit ranges). Options objects accept only the keys listed; a misspelled or snake_case key is a TypeError
 * that suggests the right one (keys set to undefined are ignored).
 */
export interface QuantizeRangeOptions {
  /** Quantized type. Default 'int8', or chosen by quantMin/quantMax as above. */
  dtype?: DType;
  /** Lower clamp bound, an integer. Default: the dtype's minimum. */
  quantMin?: number;
  /** Upper clamp bound. Default: the dtype's maximum. */
  quantMax?: number;
  /** Rounding convention. Default 'onnx'. */
  compat?: Compat;
}

export interface QuantizePerTensorOptions extends QuantizeRangeOptions {
  /** Step, a number that is finite and > 0 once rounded to float32. */
  scale: number;
  /** Integer in [quantMin, quantMax]. Default 0. */
  zeroPoint?: number;
  /** Dimensions to record in the result; their product must equal x.length. Default [x.length]. */
  shape?: number[];
  /** Array to write into instead of allocating: Int8Array (int8) or Uint8Array (uint8) of x.length. */
  out?: Int8Array | Uint8Array;
}

/**
 * Quantizes with one scale and zero point (E5):
 * q = clamp(roundHalfEven(x / scale) + zeroPoint, quantMin, quantMax).
 * +Infinity gives quantMax, -Infinity quantMin, NaN the zero point.
 * @param x float32 values, any length (0 included)
 * @returns a QTensorPerTensor whose data is new (or `out`)
 * @throws {TypeError} x is not a Float32Array, or an option has the wrong type
 * @throws {RangeError} scale not finite and > 0, zeroPoint outside [quantMin, quantMax], unknown dtype or compat, shape/out length mismatch
 * @example
 * const q = quantizePerTensor(Float32Array.of(0, 0.25, 0.75, 1), { scale: 0.5 });
 * q.data; // Int8Array [0, 0, 2, 2]: 0.5 and 1.5 are ties, rounded to even
 */
export function quantizePerTensor(x: Float32Array, options: QuantizePerTensorOptions): QTensorPerTensor;

/**
 * The intermediate values of quantization (E5) before the zero point and the clamp, computed as the
 * kernels compute them: `scaled` = x / scale ('onnx', default) or x * float(1 / scale) ('pytorch') in
 * float32, and `rounded` = roundHalfEven(scaled). For teaching: quantizePerTensor stores
 * clamp(rounded + zeroPoint, quantMin, quantMax).
 * @param x float32 values
 * @param options `scale`: float32 step (> 0); `compat`: rounding convention (default 'onnx')
 * @example
 * quantizeSteps(Float32Array.of(0.25, 0.75), { scale: 0.5 });
 * // { scaled: Float32Array [0.5, 1.5], rounded: Float32Array [0, 2] }
 */
export function quantizeSteps(x: Float32Array, options: { scale: number; compat?: Compat }):
  { scaled: Float32Array; rounded: Float32Array };

export interface QuantizePerChannelOptions extends QuantizeRangeOptions {
  /** Dimensions of x; their product must equal x.length. */
  shape: number[];
  /** Channel axis; negative counts from the end. Default 0. */
  axis?: number;
  /** One scale per channel (shape[axis] entries), each finite and > 0 as float32. */
  scales: ArrayLike<number>;
  /** One integer zero point per channel in [quantMin, quantMax]. Default all 0. */
  zeroPoints?: ArrayLike<number>;
  out?: Int8Array | Uint8Array;
}

/**
 * Quantizes with a scale and zero point per slice along `axis` (E5), as
 * torch.quantize_per_channel and ONNX QuantizeLinear with `axis`. Each scale is used as a float32
 * (ONNX's scale tensor is float; torch's quantize_val computes 1.0f / (float) scale).
 * @returns a QTensorPerChannel (zeroPoints as Int32Array; scales as Float32Array, except with compat
 *   'pytorch' and scales not given as a Float32Array: a Float64Array of the doubles given, as torch's
 *   qtensor keeps them and dequantizes with them in double)
 * @throws {RangeError} bad axis, scales/zeroPoints not one per channel, shape mismatch
 * @example
 * const q = quantizePerChannel(new Float32Array([1, 2, 3, 4, 5, 6]),
 *   { shape: [2, 3], axis: 0, scales: [3 / 255, 6 / 255], zeroPoints: [-128, -128], compat: 'pytorch' });
 * q.data; // Int8Array [-43, 42, 127, 42, 84, 127]
 */
export function quantizePerChannel(x: Float32Array, options: QuantizePerChannelOptions & { compat?: 'onnx' }): QTensorPerChannel<Float32Array>;
export function quantizePerChannel(x: Float32Array, options: QuantizePerChannelOptions & { scales: Float32Array }): QTensorPerChannel<Float32Array>;
export function quantizePerChannel(x: Float32Array, options: QuantizePerChannelOptions & { compat: 'pytorch' }): QTensorPerChannel<Float64Array>;
export function quantizePerChannel(x: Float32Array, options: QuantizePerChannelOptions): QTensorPerChannel<Float32Array | Float64Array>;

/** A QTensor as accepted by dequantize(): dtype may be omitted (taken from data's type). */
export type QTensorLike =
  | (Omit<QTensorPerTensor, 'dtype' | 'qscheme' | 'shape'> & { dtype?: DType; qscheme?: QScheme; shape?: number[] })
  | (Omit<QTensorPerChannel, 'dtype' | 'qscheme' | 'scales' | 'zeroPoints'> & {
      dtype?: DType;
      qscheme?: QScheme;
      scales: ArrayLike<number>;
      zeroPoints?: ArrayLike<number>;
    });

/**
 * Dequantizes (E7): xHat = (q - zeroPoint) * scale in float32. Per channel when qscheme is
 * per_channel_* or, without a qscheme, when scales is given. Per-channel scales in a Float64Array
 * are doubles, as in torch's per-channel dequantize: xHat = fl((q - zeroPoint) * scale) with the
 * product in double; in a Float32Array or an array of numbers they are float32 (ONNX DequantizeLinear).
 * @param qtensor the result of a quantize call, or one built by hand
 * @returns new Float32Array of data.length (or `out`)
 * @throws {TypeError} fields of the other kind of QTensor (scale beside scales, axis without scales), a qscheme that is not a string
 * @throws {RangeError} an unknown qscheme, a bad scale or zero point
 * @example
 * dequantize({ data: Int8Array.of(-128, 0, 127), scale: 0.5, zeroPoint: 0 }); // Float32Array [-64, 0, 63.5]
 */
export function dequantize(qtensor: QTensorLike, options?: { out?: Float32Array }): Float32Array;

/** Fake-quantized values and the straight-through gradient mask. */
export interface FakeQuantizeResult {
  /** (clamp(roundHalfEven(x / scale) + zeroPoint, quantMin, quantMax) - zeroPoint) * scale (E8). */
  output: Float32Array;
  /** 1 where quantMin <= roundHalfEven(x / scale) + zeroPoint <= quantMax, else 0 (E9). */
  mask: Uint8Array;
}

export interface FakeQuantizePerTensorOptions extends QuantizeRangeOptions {
  scale: number;
  zeroPoint?: number;
  out?: Float32Array;
  maskOut?: Uint8Array;
}

/**
 * Quantize then dequantize in one pass, with the gradient mask, as
 * torch.fake_quantize_per_tensor_affine (and its cachemask variant) for
 * quantization-aware training.
 * @example
 * fakeQuantizePerTensor(new Float32Array([0.3, 9]), { scale: 0.5, quantMin: 0, quantMax: 7, dtype: 'uint8' });
 * // { output: Float32Array [0.5, 3.5], mask: Uint8Array [1, 0] }
 */
export function fakeQuantizePerTensor(x: Float32Array, options: FakeQuantizePerTensorOptions): FakeQuantizeResult;

export interface FakeQuantizePerChannelOptions extends QuantizeRangeOptions {
  shape: number[];
  axis?: number;
  scales: ArrayLike<number>;
  zeroPoints?: ArrayLike<number>;
  out?: Float32Array;
  maskOut?: Uint8Array;
}

/**
 * Per-channel fake quantization with the gradient mask, as
 * torch.fake_quantize_per_channel_affine.
 * @example
 * fakeQuantizePerChannel(new Float32Array([1, 2, 3, 4]), { shape: [2, 2], axis: 1, scales: [1, 0.5] });
 */
export function fakeQuantizePerChannel(x: Float32Array, options: FakeQuantizePerChannelOptions): FakeQuantizeResult;

/** The observer options (reduceRange, quantMin/quantMax, eps), plus what quantize() adds. */
export interface QuantizeOptions extends ObserverOptions {
  /** Dimensions of x. Default [x.length]; required with axis. */
  shape?: number[];
  /** Channel axis: quantize per channel. */
  axis?: number;
  /** Default 'int8' (the observers' default is 'uint8'). */
  dtype?: DType;
  /** Default 'per_tensor_affine', or 'per_channel_affine' with axis. */
  qscheme?: QScheme;
  /** Default 'onnx'. */
  compat?: Compat;
}

/**
 * Observes x with a min/max observer, quantizes it with the resulting
 * parameters (over the dtype's full range, as PyTorch does) and measures the
 * error of the round trip.
 * @throws {RangeError} x holds NaN or an infinity (names the first index), or its range (or a channel's) gives
 *   a scale that is not finite in float32 (names that range: x's values are too far apart, or reduceRange
 *   halves quantMin/quantMax [0, 1] to one level)
 * @example
 * const q = quantize(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3], axis: 0 });
 * q.scales;     // Float32Array [3/255, 6/255]
 * q.error.sqnr; // 58.2 (dB)
 */
export function quantize(x: Float32Array, options: QuantizeOptions & { axis: number }): QTensorPerChannel & { error: ErrorStats & { channels: ChannelErrorStats } };
export function quantize(x: Float32Array, options: QuantizeOptions & { qscheme: PerChannelQScheme }): QTensorPerChannel & { error: ErrorStats & { channels: ChannelErrorStats } };
/** Without an axis and with a per-tensor qscheme (or none): one scale and zero point. */
export function quantize(x: Float32Array, options?: QuantizeOptions & { axis?: undefined; qscheme?: PerTensorQScheme }): QTensorPerTensor & { error: ErrorStats };
export function quantize(x: Float32Array, options?: QuantizeOptions): QTensor & { error: ErrorStats & { channels?: ChannelErrorStats } };

/**
 * Quantizes x to uint8 with parameters computed from x itself, exactly as ONNX
 * DynamicQuantizeLinear (opset 11) in onnxruntime, in float32:
 * min = min(0, min x), max = max(0, max x); scale = max == min ? 1 : (max - min) / 255;
 * zeroPoint = roundHalfEven(clamp(-min / scale, 0, 255)); q = clamp(roundHalfEven(x / scale) + zeroPoint, 0, 255).
 * @param x float32 values, any length (empty or all-zero: scale 1, zero point 0)
 * @param options.shape recorded in the result; must hold x.length elements (default [x.length])
 * @param options.out Uint8Array of length x.length to write q into (default: a new array)
 * @returns a per-tensor QTensor: dtype 'uint8', qscheme 'per_tensor_affine', float32 scale, zeroPoint in [0, 255]
 * @throws {TypeError} x is not a Float32Array, or options/out have the wrong type
 * @throws {RangeError} x holds NaN or an infinity (names the first index), or its range gives scale 0 or Infinity
 * @example
 * const qt = dynamicQuantizeLinear(new Float32Array([0, 2, -3, -2.5, 1.34, 0.5]));
 * // qt.scale === Math.fround(5 / 255), qt.zeroPoint === 153, qt.data: Uint8Array [153, 255, 0, 26, 221, 179]
 */
export function dynamicQuantizeLinear(x: Float32Array, options?: { shape?: readonly number[]; out?: Uint8Array }):
  QTensorPerTensor & { dtype: 'uint8'; data: Uint8Array };

/**
 * Error statistics of xHat against x, per tensor, and per channel when axis is given.
 * @throws {RangeError} lengths differ, or shape/axis do not fit
 * @example
 * errorStats(Float32Array.of(1, 2), Float32Array.of(1, 2.5)); // { mse: 0.125, maxAbsError: 0.5, sqnr: 13.01 }
 */
export function errorStats(x: Float32Array, xHat: Float32Array, options?: { shape?: number[]; axis?: undefined }): ErrorStats;
export function errorStats(x: Float32Array, xHat: Float32Array, options: { shape: number[]; axis: number }): ErrorStats & { channels: ChannelErrorStats };

/** The observer options (reduceRange, quantMin/quantMax, eps), plus what calculateQParams() adds. */
export interface CalculateQParamsOptions extends ObserverOptions {
  /** Default 'int8' (the observers' default is 'uint8'). */
  dtype?: DType;
  /** Default 'per_tensor_affine'; per-channel names are accepted and mean the same per pair. */
  qscheme?: QScheme;
  /**
   * Widen the range to include 0 first (E1), as PyTorch and ONNX do. Default true. false uses the range
   * as given: the affine zero point may then fall outside [quantMin, quantMax] (see zeroPointUnclamped).
   */
  includeZero?: boolean;
}

/** Quantization parameters for one range. */
export interface QParams {
  scale: number;
  /** Clamped to [quantMin, quantMax]: what a tensor can store. */
  zeroPoint: number;
  /** The formula's zero point before the clamp; differs from zeroPoint only when includeZero is false. */
  zeroPointUnclamped: number;
}

/** Quantization parameters for one range per channel. */
export interface ChannelQParams {
  scales: Float32Array;
  zeroPoints: Int32Array;
  zeroPointsUnclamped: Int32Array;
}

/**
 * Scale and zero point for a range (E1-E3), as an observer that had seen exactly that range computes them.
 * @param min lower end, finite as a float32 (a number, or one per channel)
 * @param max upper end, finite as a float32, >= min
 * @throws {RangeError} ends that are not finite as float32, a scale that is not (max - min overflows float32),
 *   min > max, or mismatched lengths
 * @example
 * calculateQParams(1, 6);                         // { scale: 6/255, zeroPoint: -128, zeroPointUnclamped: -128 }
 * calculateQParams(1, 6, { includeZero: false }); // { scale: 5/255, zeroPoint: -128, zeroPointUnclamped: -179 }
 */
export function calculateQParams(min: number, max: number, options?: CalculateQParamsOptions): QParams;
export function calculateQParams(min: ArrayLike<number>, max: ArrayLike<number>, options?: CalculateQParamsOptions): ChannelQParams;

/** float32 machine epsilon (2^-23), PyTorch's default observer eps. */
export const FLOAT32_EPS: number;

export interface ObserverOptions {
  /** Default 'uint8', as PyTorch's quint8 default. */
  dtype?: DType;
  /** Halve the range (int8 [-64, 63], uint8 [0, 127]). Default false. */
  reduceRange?: boolean;
  /** Custom range: both or neither, quantMin <= 0 <= quantMax, within the dtype. */
  quantMin?: number;
  quantMax?: number;
  /** Smallest scale. Default 2^-23. */
  eps?: number;
}

/**
 * Running min/max per tensor; qparams as torch.ao.quantization.MinMaxObserver (E1-E4).
 * @example
 * const obs = new MinMaxObserver({ dtype: 'int8' });
 * obs.observe(new Float32Array([1, 2, 3, 4, 5, 6]));
 * obs.calculateQParams(); // { scale: 0.023529412, zeroPoint: -128 }
 */
export class MinMaxObserver {
  constructor(options?: ObserverOptions & { qscheme?: PerTensorQScheme });
  readonly dtype: DType;
  readonly qscheme: PerTensorQScheme;
  /** Lower bound used for qparams, after reduceRange. */
  readonly quantMin: number;
  /** Upper bound used for qparams, after reduceRange. */
  readonly quantMax: number;
  /** Running minimum; +Infinity before any data. */
  readonly minVal: number;
  /** Running maximum; -Infinity before any data. */
  readonly maxVal: number;
  /**
   * Folds x into the running range; empty x is ignored.
   * @throws {RangeError} naming the first NaN or infinity; the state is unchanged
   * @returns x
   */
  observe(x: Float32Array): Float32Array;
  /** Scale and zero point for the range seen; scale 1, zero point 0 before any data. */
  calculateQParams(): { scale: number; zeroPoint: number };
  /** Forgets the range seen. */
  reset(): void;
  /** A copy with the same settings and the state seen so far, observed on independently (a prepared model's clone() copies its observers so). */
  clone(): this;
}

/**
 * Moving-average min/max (first batch sets the range, then
 * min += averagingConstant * (batchMin - min) in float32), as
 * torch.ao.quantization.MovingAverageMinMaxObserver.
 * @example
 * const obs = new MovingAverageMinMaxObserver({ dtype: 'int8', averagingConstant: 0.01 });
 */
export class MovingAverageMinMaxObserver extends MinMaxObserver {
  constructor(options?: ObserverOptions & { qscheme?: PerTensorQScheme; averagingConstant?: number });
  /** In [0, 1]. Default 0.01. */
  readonly averagingConstant: number;
}

/**
 * Running min/max per slice along an axis, as
 * torch.ao.quantization.PerChannelMinMaxObserver.
 * @example
 * const obs = new PerChannelMinMaxObserver({ axis: 0, dtype: 'int8' });
 * obs.observe(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 * obs.calculateQParams(); // { scales: Float32Array [3/255, 6/255], zeroPoints: Int32Array [-128, -128] }
 */
export class PerChannelMinMaxObserver {
  constructor(options?: ObserverOptions & { qscheme?: PerChannelQScheme; axis?: number });
  readonly dtype: DType;
  readonly qscheme: PerChannelQScheme;
  readonly quantMin: number;
  readonly quantMax: number;
  /** Channel axis (PyTorch's ch_axis). Default 0. */
  readonly axis: number;
  /** Running per-channel minima; empty before any data. */
  readonly minVal: Float32Array;
  /** Running per-channel maxima; empty before any data. */
  readonly maxVal: Float32Array;
  /**
   * Folds x of the given shape into the per-channel ranges.
   * @throws {RangeError} non-finite values, shape mismatch, or a channel count that differs from earlier batches
   */
  observe(x: Float32Array, shape: number[]): Float32Array;
  /** Per-channel scales and zero points; one channel of (1, 0) before any data. */
  calculateQParams(): { scales: Float32Array; zeroPoints: Int32Array };
  reset(): void;
  /** A copy with the same settings and the state seen so far, observed on independently (a prepared model's clone() copies its observers so). */
  clone(): this;
}

/**
 * Per-channel moving-average min/max, as
 * torch.ao.quantization.MovingAveragePerChannelMinMaxObserver.
 * @example
 * const obs = new MovingAveragePerChannelMinMaxObserver({ axis: 1 });
 */
export class MovingAveragePerChannelMinMaxObserver extends PerChannelMinMaxObserver {
  constructor(options?: ObserverOptions & { qscheme?: PerChannelQScheme; axis?: number; averagingConstant?: number });
  readonly averagingConstant: number;
}
/**
 * torch.ao.quantization.HistogramObserver of torch 1.13, bit for bit: a running float32 histogram
 * merged across batches by upsampling, and qparams from the range that minimizes the L2
 * quantization error (docs/observers.md, H1-H9). State is owned by the observer.
 * @example
 * const obs = new HistogramObserver({ reduceRange: true }); // fbgemm's activation observer
 * obs.observe(activations);                                  // once per calibration batch
 * const { scale, zeroPoint } = obs.calculateQParams();
 */
export class HistogramObserver {
  /**
   * @param options bins: default 2048 (1 to 2^24); upsampleRate: default 128 (bins * upsampleRate <= 2^28);
   *   histcBounds: 'truncated' (default) bins each batch over [int(min), int(max)] as torch 1.13 does,
   *   'exact' over [min, max] as PyTorch >= 2.0 does (pytorch#90355)
   */
  constructor(options?: ObserverOptions & {
    qscheme?: PerTensorQScheme;
    bins?: number;
    upsampleRate?: number;
    histcBounds?: 'truncated' | 'exact';
  });
  readonly dtype: DType;
  readonly qscheme: PerTensorQScheme;
  /** Lower bound used for qparams, after reduceRange. */
  readonly quantMin: number;
  /** Upper bound used for qparams, after reduceRange. */
  readonly quantMax: number;
  readonly bins: number;
  readonly upsampleRate: number;
  readonly histcBounds: 'truncated' | 'exact';
  /** Running minimum (float32); +Infinity before any data. */
  readonly minVal: number;
  /** Running maximum (float32, widened as torch widens it); -Infinity before any data. */
  readonly maxVal: number;
  /** A copy of the histogram over [minVal, maxVal]: bins float32 counts. */
  readonly histogram: Float32Array;
  /**
   * Adds x to the histogram (HistogramObserver.forward); empty x is ignored.
   * @throws {RangeError} a NaN or infinity, or where torch 1.13 raises (bounds past int64 with
   *   'truncated', a range growing too far at once); the state is unchanged
   * @returns x
   */
  observe(x: Float32Array): Float32Array;
  /** Scale and zero point of the L2-optimal range (E1-E4); scale 1, zero point 0 before any data. */
  calculateQParams(): { scale: number; zeroPoint: number };
  /** Forgets everything seen. */
  reset(): void;
  /** A copy with the same settings and the state seen so far, observed on independently (a prepared model's clone() copies its observers so). */
  clone(): this;
}

/** What PercentileObserver and EntropyObserver share: onnxruntime's growable histogram (P1, P2). */
export interface CalibrationHistogramObserver {
  readonly dtype: DType;
  readonly qscheme: PerTensorQScheme;
  readonly quantMin: number;
  readonly quantMax: number;
  /** Initial number of bins; the histogram grows when the range does. */
  readonly bins: number;
  /** Smallest value seen; +Infinity before any data. */
  readonly minVal: number;
  /** Largest value seen; -Infinity before any data. */
  readonly maxVal: number;
  /** A copy of the bin counts. */
  readonly histogram: Float64Array;
  /** The bin edges, lo + i * width for i = 0..bins (doubles). */
  readonly binEdges: Float64Array;
  /**
   * Adds x to the histogram, growing it as needed; empty x is ignored.
   * @throws {RangeError} a NaN or infinity, or growth past 2^40 bins; the state is unchanged
   * @returns x
   */
  observe(x: Float32Array): Float32Array;
  /** The calibrated range (float32 values), or null before any data. */
  calculateRange(): { min: number; max: number } | null;
  /** Scale and zero point of calculateRange() (E1-E4); scale 1, zero point 0 before any data. */
  calculateQParams(): { scale: number; zeroPoint: number };
  /** Forgets everything seen. */
  reset(): void;
  /** A copy with the same settings and the state seen so far, observed on independently (a prepared model's clone() copies its observers so). */
  clone(): this;
}

/**
 * Percentile calibration as onnxruntime's PercentileCalibrater defines it (docs/observers.md,
 * P1-P3): the range where the histogram's cdf reaches the percentile, clamped to the values seen.
 * @example
 * const obs = new PercentileObserver({ percentile: 99.99, dtype: 'int8', qscheme: 'per_tensor_symmetric' });
 * obs.observe(activations);
 * obs.calculateRange();   // { min, max }
 * obs.calculateQParams(); // { scale, zeroPoint }
 */
export class PercentileObserver {
  /**
   * @param options bins: default 2048; percentile: in [0, 100], default 99.999; symmetric: histogram
   *   of |x| and a range [-t, t] (default true, onnxruntime's default), else a two-sided cut
   */
  constructor(options?: ObserverOptions & { qscheme?: PerTensorQScheme; bins?: number; percentile?: number; symmetric?: boolean });
  readonly percentile: number;
  readonly symmetric: boolean;
}
/** The members every calibration observer has (merged into the class). */
export interface PercentileObserver extends CalibrationHistogramObserver {}

/**
 * Entropy (KL-divergence) calibration as onnxruntime's EntropyCalibrater defines it, after
 * TensorRT (docs/observers.md, K1-K5).
 * @example
 * const obs = new EntropyObserver({ bins: 2048, quantizedBins: 128 });
 * obs.observe(activations);
 * obs.calculateQParams(); // { scale, zeroPoint }
 */
export class EntropyObserver {
  /**
   * @param options bins: default 128; quantizedBins: default 128, at most bins; fractionalQ: keep the
   *   expanded candidate fractional (TensorRT) instead of truncating it (onnxruntime; default false)
   */
  constructor(options?: ObserverOptions & { qscheme?: PerTensorQScheme; bins?: number; quantizedBins?: number; fractionalQ?: boolean });
  readonly quantizedBins: number;
  readonly fractionalQ: boolean;
}
/** The members every calibration observer has (merged into the class). */
export interface EntropyObserver extends CalibrationHistogramObserver {}
export * from './linear.js';
export * from './io/index.js';
export * from './blockwise.js';
export * as nn from './nn/index.js';
export * from './quantization/index.js';
