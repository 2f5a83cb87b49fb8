// Types of the blockwise 4/8-bit weight API (issue 11): js/ops/blockwise.js,
// js/layers/matmul-nbits.js, js/layers/weight-only-linear.js.

/** Block sizes along k that MatMulNBits supports. */
export declare const BLOCK_SIZES: readonly [16, 32, 64, 128, 256];

export type BlockSize = 16 | 32 | 64 | 128 | 256;

/** Weights in onnxruntime's com.microsoft MatMulNBits layout. */
export interface BlockwiseWeights {
  /** B: uint8 [n, ceil(k / blockSize), blockSize * bits / 8]; 4 bits: element 2t in the low nibble of byte t. */
  data: Uint8Array;
  /** [n * ceil(k / blockSize)] */
  scales: Float32Array;
  /** uint8; 4 bits: [n, ceil(kb / 2)] packed nibbles (block 2t low); 8 bits: [n, kb]. null: 2^(bits-1). */
  zeroPoints: Uint8Array | null;
  /** Output features (rows of the weight). */
  n: number;
  /** Input features (the reduction depth). */
  k: number;
  bits: 4 | 8;
  blockSize: BlockSize;
}

export interface BlockwiseError {
  mse: number;
  maxAbsError: number;
  /** dB; Infinity when exact. */
  sqnr: number;
  /** The same per block, [n * ceil(k / blockSize)], row-major by output feature. */
  blocks: { mse: Float64Array; maxAbsError: Float64Array; sqnr: Float64Array };
}

export interface QuantizeBlockwiseOptions {
  /** Output features: weight rows. */
  n: number;
  /** Input features: weight columns, quantized in blocks. */
  k: number;
  /** Default 4. */
  bits?: 4 | 8;
  /** Default 32. */
  blockSize?: BlockSize;
  /** Default false: zero points (range2scalezp). true: range2scale, zero point 2^(bits-1). */
  symmetric?: boolean;
  /**
   * Both compute v = x · fl(1 / scale) + zeroPoint in float32 (one multiply by the reciprocal, then
   * the add, as MlasQuantizeBlockwise; docs/blockwise.md B3) and round v: 'onnxruntime' (default)
   * half away from zero (roundf), 'half-even' half to even. Neither is ONNX QuantizeLinear, which
   * rounds x / scale half to even and then adds the zero point: the reciprocal and the zero point
   * added before rounding move a value near a tie by one step now and then (68 of 5,367 weights in
   * one comparison with onnxruntime; w = -2.75, scale = 0.36666667: ONNX -8 steps, this -7).
   */
  rounding?: 'onnxruntime' | 'half-even';
}

/**
 * Quantizes float weights [n, k] blockwise along k exactly as onnxruntime's
 * MlasQuantizeBlockwise (docs/blockwise.md B1-B3), into MatMulNBits inputs.
 * @param weight row-major [n, k], finite
 * @returns the MatMulNBits inputs and the quantization error, overall and per block
 * @throws {RangeError} a non-finite weight, wrong length, unsupported bits or block size
 * @example
 * const q = quantizeBlockwise(weight, { n: 4096, k: 4096, bits: 4, blockSize: 32 });
 */
export declare function quantizeBlockwise(weight: Float32Array, options: QuantizeBlockwiseOptions): BlockwiseWeights & { error: BlockwiseError };

/**
 * Dequantizes MatMulNBits weights as onnxruntime does (B4): (q - zp) * scale in float32. Any float32
 * scale, as ONNX DequantizeLinear: a NaN or infinite one gives NaN or ±Infinity in its block
 * (MatMulNBits.pack refuses them).
 * @returns row-major [n, k]
 * @example
 * const w = dequantizeBlockwise(q);
 */
export declare function dequantizeBlockwise(weights: BlockwiseWeights): Float32Array;

export interface DequantizeLinearInputs {
  /** [k, n] raw bytes (4 bits: two per byte, low nibble first). */
  x: Uint8Array;
  /** [ceil(k / blockSize), n] */
  scales: Float32Array;
  /** [ceil(k / blockSize), n], in x's type and packing. */
  zeroPoints: Uint8Array;
  dims: [number, number];
  type: 'int4' | 'uint4' | 'int8' | 'uint8';
  axis: 0;
  blockSize: BlockSize;
}

/**
 * The inputs of an ONNX opset-21 DequantizeLinear (axis 0, block_size) that gives the same values
 * as the MatMulNBits weights, for B = W^T [k, n] (B8).
 * @param options signed: int4/int8 (default false: uint4/uint8)
 * @example
 * const dq = toDequantizeLinear(q, { signed: true });
 */
export declare function toDequantizeLinear(weights: BlockwiseWeights, options?: { signed?: boolean }): DequantizeLinearInputs;

/**
 * What fromDequantizeLinear reads: DequantizeLinear's inputs and attributes, as toDequantizeLinear
 * returns them or spelled out. The shape is k and n, or dims [k, n] (both: they must agree); the
 * element type is `type`, or bits (default 4) and signed (default false) (both: they must agree).
 */
export type FromDequantizeLinearInputs = {
  /** [k, n] raw bytes (4 bits: two per byte, low nibble first). */
  x: Uint8Array | Int8Array;
  /** [ceil(k / blockSize), n] */
  scales: Float32Array;
  /** [ceil(k / blockSize), n], in x's type and packing; default 0. */
  zeroPoints?: Uint8Array | Int8Array | null;
  k?: number;
  n?: number;
  dims?: readonly [number, number];
  type?: 'int4' | 'uint4' | 'int8' | 'uint8';
  /** The blocked axis: 0 (or -2), the only layout MatMulNBits weights have. */
  axis?: 0 | -2;
  bits?: 4 | 8;
  blockSize?: BlockSize;
  /** int4/int8 instead of uint4/uint8. */
  signed?: boolean;
} & ({ k: number; n: number } | { dims: readonly [number, number] });

/**
 * MatMulNBits weights from ONNX opset-21 DequantizeLinear inputs (axis 0, block_size) of B [k, n].
 * toDequantizeLinear's result goes back as it is (an exact round trip).
 * @throws {RangeError} dims, type or axis that disagree with k, n, bits, signed or the layout (axis 0)
 * @example
 * const w = fromDequantizeLinear({ x, scales, zeroPoints, k: 768, n: 768, bits: 4, blockSize: 32, signed: true });
 * const same = fromDequantizeLinear(toDequantizeLinear(q, { signed: true }));
 */
export declare function fromDequantizeLinear(dq: FromDequantizeLinearInputs): BlockwiseWeights & { zeroPoints: Uint8Array };

export interface MatMulNBitsOptions {
  /** B: uint8 [n, ceil(k / blockSize), blockSize * bits / 8], as in the ONNX model. */
  data: Uint8Array;
  /** [n * ceil(k / blockSize)] */
  scales: Float32Array;
  /** As in the ONNX model; default 2^(bits-1). */
  zeroPoints?: Uint8Array | null;
  /** [n] or null. */
  bias?: Float32Array | null;
  n: number;
  k: number;
  /** Default 4. */
  bits?: 4 | 8;
  /** Default 32. */
  blockSize?: BlockSize;
  /** 4 (default): int8 activations per block, integer products; 0-3: float products. */
  accuracyLevel?: 0 | 1 | 2 | 3 | 4;
}

/**
 * onnxruntime's com.microsoft MatMulNBits, packed once. Owns wasm memory: dispose() it (or `using`).
 * @example
 * const mm = MatMulNBits.pack({ data, scales, zeroPoints, n: 4096, k: 4096 });
 * const y = mm.forward(a, 1);
 * mm.dispose();
 */
export declare class MatMulNBits {
  /** @throws {TypeError | RangeError} wrong types, lengths, bits, block size or accuracy level; a scale or bias that is NaN or infinite */
  static pack(options: MatMulNBitsOptions): MatMulNBits;
  /** Not callable: use MatMulNBits.pack (a TypeError from JavaScript). */
  private constructor();
  readonly n: number;
  readonly k: number;
  readonly bits: 4 | 8;
  readonly blockSize: BlockSize;
  readonly accuracyLevel: number;
  /** Bytes of packed weights in wasm memory. */
  readonly packedBytes: number;
  readonly disposed: boolean;
  /**
   * @param a row-major [m, k]; finite at accuracy level 4
   * @param m rows (default a.length / k)
   * @param opts out: an array of the result's type and length to write into (reused across
   *   calls, it saves allocating and first touching a new one each call); it is returned
   * @returns row-major [m, n]
   * @throws {Error} after dispose()
   */
  forward(a: Float32Array, m?: number, opts?: { out?: Float32Array }): Float32Array;
  /** Frees the packed weights. Idempotent. */
  dispose(): void;
  [Symbol.dispose](): void;
}

/**
 * Linear with block-quantized 4/8-bit weights and float activations (weight-only quantization).
 * Owns wasm memory: dispose() it (or `using`).
 * @example
 * const layer = WeightOnlyQuantizedLinear.fromFloat(weight, bias, { inFeatures: 768, outFeatures: 768 });
 * const y = layer.forward(x);
 * layer.dispose();
 */
export declare class WeightOnlyQuantizedLinear {
  /**
   * @param weight row-major [outFeatures, inFeatures], finite
   * @param bias [outFeatures] finite, or null
   * @param options bits default 4, blockSize default 32, symmetric default false, accuracyLevel default 4
   *   (MatMulNBits's: 4 int8 activations per block; 0-3 float products, onnxruntime's 1-3 computing
   *   float32 activations as 0 does on CPU)
   */
  static fromFloat(weight: Float32Array, bias: Float32Array | null | undefined, options: {
    inFeatures: number;
    outFeatures: number;
    bits?: 4 | 8;
    blockSize?: BlockSize;
    symmetric?: boolean;
    accuracyLevel?: 0 | 1 | 2 | 3 | 4;
  }): WeightOnlyQuantizedLinear;
  /**
   * A layer from weights already quantized (another layer's weight, a saved model's tensors, or
   * MatMulNBits's B, scales and zero_points), checked as MatMulNBits.pack checks them; its error is null.
   * @param options bits default 4, blockSize default 32, accuracyLevel default 4; weight.zeroPoints null: 2^(bits-1)
   * @throws {TypeError | RangeError} for wrong types, lengths, bits, blockSize, or non-finite scales or bias
   */
  static fromQuantized(options: {
    weight: { data: Uint8Array; scales: Float32Array; zeroPoints?: Uint8Array | null };
    bias?: Float32Array | null;
    inFeatures: number;
    outFeatures: number;
    bits?: 4 | 8;
    blockSize?: BlockSize;
    accuracyLevel?: 0 | 1 | 2 | 3 | 4;
  }): WeightOnlyQuantizedLinear;
  /** Not callable: use WeightOnlyQuantizedLinear.fromFloat or .fromQuantized (a TypeError from JavaScript). */
  private constructor();
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly bits: 4 | 8;
  readonly blockSize: BlockSize;
  /** MatMulNBits's accuracy level: 4 int8 activations, 0-3 float products. */
  readonly accuracyLevel: 0 | 1 | 2 | 3 | 4;
  /** The quantized weights in MatMulNBits layout (copies; zeroPoints null when symmetric). */
  readonly weight: { data: Uint8Array; scales: Float32Array; zeroPoints: Uint8Array | null };
  /** The float bias, or null (a copy). */
  readonly bias: Float32Array | null;
  /** The weight quantization error; null for a layer made by fromQuantized. */
  readonly error: BlockwiseError | null;
  readonly disposed: boolean;
  /** @returns row-major [batch, outFeatures] (opts.out when given) @throws {Error} after dispose() */
  forward(x: Float32Array, batch?: number, opts?: { out?: Float32Array }): Float32Array;
  dispose(): void;
  [Symbol.dispose](): void;
}
