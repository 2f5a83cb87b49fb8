// Types of the int8 GEMM (ONNX MatMulInteger / QLinearMatMul, js/ops/matmul.js) and the
// quantized Linear layers (PyTorch dynamic and static) plus a float Linear (js/layers/*.js).

/** The largest inner dimension k with exact int32 accumulation: 255 * 255 * k < 2^31. */
export declare const GEMM_MAX_K: 33025;

/** Quantized element types of activations, weights and outputs. */
export type QuantDtype = 'int8' | 'uint8';

/** Objects that own WebAssembly memory. */
export interface OwnsWasmMemory {
  /** Whether dispose() has been called. */
  readonly disposed: boolean;
  /** Frees the wasm memory this object owns. Idempotent; later use throws an Error. */
  dispose(): void;
  [Symbol.dispose](): void;
}

/**
 * A quantized matrix B ([k, n], as ONNX MatMul's second input) packed once into the layout the
 * int8 kernels read, with its zero points folded in.
 * @example
 * const packed = PackedMatrix.pack(b, { k: 64, n: 32, zeroPoint: 0 });
 * const y = matmulInteger(a, packed, { m: 4 });
 * packed.dispose();
 */
export declare class PackedMatrix implements OwnsWasmMemory {
  /**
   * @param b quantized B, row-major [k, n] (or [n, k] with `transposed`)
   * @param opts `k`, `n`: dimensions (k at most GEMM_MAX_K); `zeroPoint`: B's zero point, one or one per
   *   column, in B's dtype (default 0); `transposed`: b is stored [n, k], as a PyTorch Linear weight (default false);
   *   `keepWidened`: also keep the weights widened to int16 (about 2 bytes a weight more), which calls with more
   *   than 16 rows of A read instead of widening them on every call; the same bytes out (default false)
   * @returns the packed matrix; call dispose() when done
   * @throws {TypeError} b is not an Int8Array or Uint8Array
   * @throws {RangeError} bad dimensions, length or zero point; k above GEMM_MAX_K
   */
  static pack(b: Int8Array | Uint8Array, opts: {
    k: number;
    n: number;
    zeroPoint?: number | ArrayLike<number>;
    transposed?: boolean;
    keepWidened?: boolean;
  }): PackedMatrix;
  /** Use PackedMatrix.pack. */
  private constructor();
  /** Depth: rows of B. */
  readonly k: number;
  /** Columns of B. */
  readonly n: number;
  /** B's element type. */
  readonly dtype: QuantDtype;
  /** Bytes of the widened weights kept with B: 0 without keepWidened, or in a build whose GEMM reads none. */
  readonly widenedBytes: number;
  readonly disposed: boolean;
  dispose(): void;
  [Symbol.dispose](): void;
}

/** Options of matmulInteger. */
export interface MatmulIntegerOptions {
  /** Rows of A. */
  m: number;
  /** Depth (columns of A, rows of B); taken from a PackedMatrix. At most GEMM_MAX_K. */
  k?: number;
  /** Columns of B; taken from a PackedMatrix. */
  n?: number;
  /** A's zero point, in A's dtype. Default 0. */
  aZeroPoint?: number;
  /** B's zero point, one or one per column, in B's dtype. Default 0. Not with a PackedMatrix. */
  bZeroPoint?: number | ArrayLike<number>;
  /** Where to write Y (length m * n). Default: a new Int32Array. */
  out?: Int32Array;
}

/**
 * ONNX MatMulInteger: Y[i, j] = sum_l (A[i, l] - aZeroPoint) * (B[l, j] - bZeroPoint[j]), exact in int32.
 * @param a activations, row-major [m, k]
 * @param b weights, row-major [k, n], or packed by PackedMatrix.pack
 * @param opts dimensions and zero points
 * @returns Y, row-major [m, n]
 * @throws {TypeError} wrong array types or options
 * @throws {RangeError} bad dimensions, lengths or zero points; k above GEMM_MAX_K
 * @example
 * const y = matmulInteger(Uint8Array.of(1, 2), Int8Array.of(3, 4), { m: 1, k: 2, n: 1, aZeroPoint: 1 });
 * // Int32Array [4]
 */
export declare function matmulInteger(a: Int8Array | Uint8Array, b: Int8Array | Uint8Array | PackedMatrix,
  opts: MatmulIntegerOptions): Int32Array;

/** Options of qlinearMatmul. */
export interface QLinearMatmulOptions<Y extends QuantDtype> {
  m: number;
  k?: number;
  n?: number;
  /** A's float32 step (> 0). */
  aScale: number;
  /** A's zero point. Default 0. */
  aZeroPoint?: number;
  /** B's float32 step, one or one per column. */
  bScale: number | ArrayLike<number>;
  /** B's zero point, one or one per column. Default 0. Not with a PackedMatrix. */
  bZeroPoint?: number | ArrayLike<number>;
  /** Y's float32 step (> 0). */
  yScale: number;
  /** Y's zero point. Default 0. */
  yZeroPoint?: number;
  /** Y's dtype. Default: A's dtype. */
  yDtype?: Y;
  /** Where to write Y (length m * n). */
  out?: Y extends 'uint8' ? Uint8Array : Int8Array;
}

/**
 * ONNX QLinearMatMul, as onnxruntime: Y = clamp(roundHalfEven(float(acc) * M[j]) + yZeroPoint) with acc the
 * MatMulInteger sum and M[j] = float(float(aScale * bScale[j]) / yScale).
 * @param a activations, row-major [m, k]
 * @param b weights, row-major [k, n], or packed
 * @param opts dimensions, scales and zero points
 * @returns Y, row-major [m, n], of yDtype (default A's dtype)
 * @example
 * const y = qlinearMatmul(Uint8Array.of(130, 126), Int8Array.of(2, 2),
 *   { m: 1, k: 2, n: 1, aScale: 0.5, aZeroPoint: 128, bScale: 1, yScale: 1, yZeroPoint: 128 });
 * // Uint8Array [128]
 */
export declare function qlinearMatmul(a: Uint8Array, b: Int8Array | Uint8Array | PackedMatrix,
  opts: QLinearMatmulOptions<'uint8'> & { yDtype?: 'uint8' }): Uint8Array;
export declare function qlinearMatmul(a: Int8Array, b: Int8Array | Uint8Array | PackedMatrix,
  opts: QLinearMatmulOptions<'int8'> & { yDtype?: 'int8' }): Int8Array;
export declare function qlinearMatmul(a: Int8Array | Uint8Array, b: Int8Array | Uint8Array | PackedMatrix,
  opts: QLinearMatmulOptions<QuantDtype>): Int8Array | Uint8Array;

/** Options shared by DynamicQuantizedLinear's factories. */
export interface DynamicLinearOptions {
  inFeatures: number;
  outFeatures: number;
  /** Activation qparams: 'pytorch' (ChooseQuantizationParams, x * (1 / scale); default) or 'onnx' (DynamicQuantizeLinear, x / scale). */
  compat?: 'pytorch' | 'onnx';
  /** 7-bit activations [0, 127] (default false); the relaxed-SIMD build runs these on its fastest kernel. */
  reduceRange?: boolean;
  /** Keep the weights widened to int16 too, for batches of more than 16 rows (PackedMatrix.pack; default false). */
  keepWidened?: boolean;
}

/** Weights that are already quantized, as fromQuantized takes them. */
export interface QuantizedWeights {
  /** int8, row-major [outFeatures, inFeatures], zero point 0. */
  weight: Int8Array;
  /** One scale, or one per output channel. */
  weightScales: number | ArrayLike<number>;
  /** Float bias [outFeatures] (finite), or null. */
  bias?: Float32Array | null;
}

/** What the two int8 Linear layers share (js/layers/int8-linear.js); not exported. */
declare abstract class Int8Linear implements OwnsWasmMemory {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** The int8 weights, row-major [outFeatures, inFeatures] (a copy). */
  readonly weight: Int8Array;
  /** One scale per output channel. */
  readonly weightScales: Float32Array;
  /** Bytes of the widened weights kept with the packed weights (keepWidened), or 0. */
  readonly widenedBytes: number;
  readonly disposed: boolean;
  dispose(): void;
  [Symbol.dispose](): void;
}

/**
 * Dynamically quantized Linear, as torch.ao.nn.quantized.dynamic.Linear (QNNPACK) or onnxruntime's
 * DynamicQuantizeMatMul (compat 'onnx'): y = float(acc) * float(inputScale * weightScale[j]) + bias[j].
 * @example
 * const layer = DynamicQuantizedLinear.fromFloat(weight, bias, { inFeatures: 768, outFeatures: 768 });
 * const y = layer.forward(x);
 * layer.dispose();
 */
export declare class DynamicQuantizedLinear extends Int8Linear {
  /**
   * @param weight float weight, row-major [outFeatures, inFeatures]
   * @param bias [outFeatures] finite floats, or null
   * @param opts sizes; `perChannel`: one weight scale per output channel (default true)
   */
  static fromFloat(weight: Float32Array, bias: Float32Array | null | undefined,
    opts: DynamicLinearOptions & { perChannel?: boolean }): DynamicQuantizedLinear;
  /** Wraps weights quantized elsewhere (e.g. a PyTorch checkpoint's). */
  static fromQuantized(opts: DynamicLinearOptions & QuantizedWeights): DynamicQuantizedLinear;
  /** Not callable: use fromFloat or fromQuantized (a TypeError from JavaScript). */
  private constructor();
  readonly compat: 'pytorch' | 'onnx';
  readonly reduceRange: boolean;
  /** The keepWidened option this layer was made with. */
  readonly keepWidened: boolean;
  /** The float bias (a copy), or null. */
  readonly bias: Float32Array | null;
  /** The input qparams chosen by the last forward() call. */
  readonly lastInputQParams: { scale: number; zeroPoint: number } | null;
  /**
   * @param x finite float activations, row-major [batch, inFeatures]
   * @param batch rows of x (default x.length / inFeatures)
   * @param opts out: an array of the result's type and length to write into (reused across
   *   calls, it saves allocating and first touching a new one each call); it is returned
   * @returns row-major [batch, outFeatures]
   */
  forward(x: Float32Array, batch?: number, opts?: { out?: Float32Array }): Float32Array;
}

/** Options of QuantizedLinear's factories. */
export interface QuantizedLinearOptions {
  inFeatures: number;
  outFeatures: number;
  /**
   * Step of the input activations (> 0). Requantization uses its float32 value; the bias is
   * scaled by weightScale * inputScale in double, then float32, as torch does with q_scale().
   */
  inputScale: number;
  /** Default 0. */
  inputZeroPoint?: number;
  /** Float32 step of the output (> 0). */
  outputScale: number;
  /** Default 0. */
  outputZeroPoint?: number;
  /** Activation and output dtype (default 'uint8', as QNNPACK). */
  dtype?: QuantDtype;
  /** Fuse ReLU: clamp the output below at outputZeroPoint (default false). */
  relu?: boolean;
  /** Keep the weights widened to int16 too, for batches of more than 16 rows (PackedMatrix.pack; default false). */
  keepWidened?: boolean;
}

/**
 * Statically quantized Linear, as torch.ao.nn.quantized.Linear (QNNPACK): int32 bias with scale
 * inputScale * weightScale[j]; output clamp(roundHalfEven(float(acc) * m[j]) + outputZeroPoint) with torch 1.13's
 * float32 multiplier: uint8, m[j] = float(float(weightScale[j] * inputScale) * float(1 / outputScale)) (QNNPACK);
 * int8, m[j] = float(float(inputScale * weightScale[j]) / outputScale) (torch's XNNPACK path for qint8, as ONNX).
 * @example
 * const layer = QuantizedLinear.fromFloat(weight, bias, { inFeatures: 4, outFeatures: 2,
 *   inputScale: 0.02, inputZeroPoint: 128, outputScale: 0.05, outputZeroPoint: 128 });
 * const yq = layer.forward(xq);
 */
export declare class QuantizedLinear extends Int8Linear {
  /** @param opts `perChannel`: per-output-channel symmetric int8 weights (default true) */
  static fromFloat(weight: Float32Array, bias: Float32Array | null | undefined,
    opts: QuantizedLinearOptions & { perChannel?: boolean }): QuantizedLinear;
  /**
   * Wraps weights quantized elsewhere (e.g. a PyTorch checkpoint's). `biasInt32` (instead of `bias`)
   * gives the int32 bias itself, with scale inputScale * weightScale[j]; both is a TypeError.
   */
  static fromQuantized(opts: QuantizedLinearOptions & QuantizedWeights & { biasInt32?: Int32Array }): QuantizedLinear;
  /** Not callable: use fromFloat or fromQuantized (a TypeError from JavaScript). */
  private constructor();
  readonly dtype: QuantDtype;
  /** As given (a double): the bias was quantized with it; requantization uses its float32 value. */
  readonly inputScale: number;
  readonly inputZeroPoint: number;
  readonly outputScale: number;
  readonly outputZeroPoint: number;
  readonly relu: boolean;
  /** The keepWidened option this layer was made with. */
  readonly keepWidened: boolean;
  /** The int32 bias folded into the packed weights. */
  readonly biasInt32: Int32Array;
  /**
   * @param x quantized activations of the layer's dtype, row-major [batch, inFeatures]
   * @param batch rows of x (default x.length / inFeatures)
   * @param opts out: an array of the result's type and length to write into (reused across
   *   calls, it saves allocating and first touching a new one each call); it is returned
   * @returns quantized output, row-major [batch, outFeatures]
   */
  forward(x: Int8Array | Uint8Array, batch?: number, opts?: { out?: Int8Array | Uint8Array }): Int8Array | Uint8Array;
}

/**
 * A float32 Linear on the same wasm SIMD128 GEMM machinery (multiply then add, in k order, no FMA):
 * the baseline for the int8 speed-ups.
 * @example
 * const layer = Linear.fromFloat(weight, bias, { inFeatures: 768, outFeatures: 768 });
 * const y = layer.forward(x);
 */
export declare class Linear implements OwnsWasmMemory {
  static fromFloat(weight: Float32Array, bias: Float32Array | null | undefined,
    opts: { inFeatures: number; outFeatures: number }): Linear;
  /** Not callable: use Linear.fromFloat (a TypeError from JavaScript). */
  private constructor();
  readonly inFeatures: number;
  readonly outFeatures: number;
  /**
   * @param x row-major [batch, inFeatures]
   * @param batch default x.length / inFeatures
   * @param opts out: an array of the result's type and length to write into (reused across
   *   calls, it saves allocating and first touching a new one each call); it is returned
   * @returns row-major [batch, outFeatures]
   */
  forward(x: Float32Array, batch?: number, opts?: { out?: Float32Array }): Float32Array;
  readonly disposed: boolean;
  dispose(): void;
  [Symbol.dispose](): void;
}

// Only the declarations marked export are the module's: without this a .d.ts exports every
// top-level declaration, Int8Linear included, which js/index.js does not.
export {};
