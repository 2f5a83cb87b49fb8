// Types of torch.ao.quantization's eager-mode workflows (js/quantization/).

import type { Module, QuantizedActivation, Sequential, StateTensor } from '../nn/index.js';
import type { DynamicQuantizedLinear, QuantizedLinear } from '../linear.js';
import type { BlockSize, WeightOnlyQuantizedLinear } from '../blockwise.js';

/** What an observer slot takes: MinMaxObserver, HistogramObserver, PercentileObserver, EntropyObserver, or your own. */
export interface ObserverLike {
  observe(x: Float32Array, shape?: number[]): unknown;
  calculateQParams(): { scale: number; zeroPoint: number } | { scales: Float32Array; zeroPoints: Int32Array };
}

/**
 * How prepare() observes activations and weights (torch.ao.quantization.QConfig): two factories,
 * each called once per observed module (torch's Observer.with_args(...)).
 * @example
 * new QConfig({ activation: () => new MinMaxObserver(), weight: () => new PerChannelMinMaxObserver({ dtype: 'int8', qscheme: 'per_channel_symmetric' }) });
 */
export declare class QConfig {
  /** @throws {TypeError} when activation or weight is not a function */
  constructor(options: { activation: () => ObserverLike; weight: () => ObserverLike });
  readonly activation: () => ObserverLike;
  readonly weight: () => ObserverLike;
}

/** The backends of torch's get_default_qconfig. */
export type QuantBackend = 'fbgemm' | 'x86' | 'qnnpack' | 'onednn';

/**
 * torch 1.13's get_default_qconfig(backend): fbgemm/x86: HistogramObserver(reduceRange: true) and
 * per-channel symmetric int8 weights; qnnpack: HistogramObserver(reduceRange: false) and per-tensor
 * symmetric int8 weights; onednn: HistogramObserver(reduceRange: false), per-channel weights.
 * @param backend default 'fbgemm'
 * @example const qconfig = getDefaultQConfig('qnnpack');
 */
export function getDefaultQConfig(backend?: QuantBackend): QConfig;

/**
 * The backend's default qconfig with MinMaxObserver activations (same reduceRange).
 * @param backend default 'fbgemm'
 * @example const qconfig = getMinMaxQConfig('qnnpack');
 */
export function getMinMaxQConfig(backend?: QuantBackend): QConfig;

/** Where a static model quantizes its input; identity until convert(). @example new QuantStub() */
export declare class QuantStub extends Module {
  forward<T>(x: T): T;
}

/** Where a static model dequantizes its output; identity until convert(). @example new DeQuantStub() */
export declare class DeQuantStub extends QuantStub {}

/**
 * convert()'s QuantStub: quantizes with PyTorch rounding. State 'scale', 'zero_point'.
 * @example new Quantize(0.02, 128, 'uint8').forward(x)
 */
export declare class Quantize extends Module {
  /**
   * @param scale float32 step (kept as its float32 value)
   * @param zeroPoint an integer in dtype's range
   * @throws {TypeError | RangeError} for a scale that is not finite and > 0, a zero point outside the dtype, an unknown dtype
   */
  constructor(scale: number, zeroPoint: number, dtype: 'int8' | 'uint8');
  scale: number;
  zeroPoint: number;
  dtype: 'int8' | 'uint8';
  forward(x: Float32Array): QuantizedActivation;
}

/** convert()'s DeQuantStub: (q − zeroPoint) · scale. @example new DeQuantize().forward(act) */
export declare class DeQuantize extends Module {
  forward(x: QuantizedActivation): Float32Array;
}

/**
 * convert()'s Linear / LinearReLU: int8 in, int8 out (torch.ao.nn.quantized.Linear). State 'weight' (Int8Array),
 * 'weight_scale', 'bias_int32', 'bias', 'scale', 'zero_point', 'input_scale', 'input_zero_point'.
 * @example const y = converted.modules[1].forward(act, 1);
 */
export declare class QuantizedLinearModule extends Module {
  /**
   * @param layer a QuantizedLinear, not disposed (the module owns it from now on)
   * @param bias the float bias the layer was built from, or null: quantized with inputScale * weightScales[j]
   *   it must give layer.biasInt32 (what loadModel() checks too)
   * @throws {TypeError} for a layer that is not a QuantizedLinear, a bias that is not a Float32Array
   * @throws {RangeError} for a bias of another length, not finite, or that the layer was not built from
   */
  constructor(layer: QuantizedLinear, bias: Float32Array | null);
  readonly layer: QuantizedLinear;
  readonly bias: Float32Array | null;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** @throws {TypeError} for a float input (the model lacks a QuantStub) */
  forward(x: QuantizedActivation, batch?: number): QuantizedActivation;
}

/**
 * quantizeDynamic()'s Linear / LinearReLU: float in, float out, int8 weights. State 'weight', 'weight_scale', 'bias'.
 * @example const y = dq.forward(x, 1);
 */
export declare class DynamicQuantizedLinearModule extends Module {
  /**
   * @param layer a DynamicQuantizedLinear, not disposed (the module owns it from now on)
   * @param relu whether a ReLU follows
   * @throws {TypeError} for a layer that is not a DynamicQuantizedLinear, or relu not a boolean
   */
  constructor(layer: DynamicQuantizedLinear, relu: boolean);
  readonly layer: DynamicQuantizedLinear;
  readonly relu: boolean;
  readonly inFeatures: number;
  readonly outFeatures: number;
  forward(x: Float32Array, batch?: number): Float32Array;
}

/**
 * A weight-only qconfig (getWeightOnlyQConfig): 4- or 8-bit block weights, float activations. Frozen.
 */
export declare class WeightOnlyQConfig {
  /** @throws {RangeError} for bits other than 4 or 8, a blockSize other than 16-256 (powers of two), accuracyLevel outside 0-4 */
  constructor(options?: { bits?: 4 | 8; blockSize?: BlockSize; symmetric?: boolean; accuracyLevel?: 0 | 1 | 2 | 3 | 4 });
  readonly bits: 4 | 8;
  readonly blockSize: BlockSize;
  readonly symmetric: boolean;
  readonly accuracyLevel: 0 | 1 | 2 | 3 | 4;
}

/**
 * A weight-only qconfig for quantizeDynamic (torchao's int4_weight_only(group_size)): each Linear it covers
 * gets block-quantized weights (onnxruntime's MatMulNBits quantizer) and keeps float activations.
 * @param options bits default 4, blockSize default 32, symmetric default false, accuracyLevel default 4
 * @example const int4 = quantizeDynamic(model, { qconfig: getWeightOnlyQConfig({ bits: 4, blockSize: 32 }) });
 */
export function getWeightOnlyQConfig(options?: { bits?: 4 | 8; blockSize?: BlockSize; symmetric?: boolean; accuracyLevel?: 0 | 1 | 2 | 3 | 4 }): WeightOnlyQConfig;

/**
 * quantizeDynamic()'s Linear / LinearReLU under a weight-only qconfig: float in, float out, block weights.
 * State 'weight' (uint8 [out, blocks, blockSize * bits / 8]), 'scales' ([out, blocks]), 'zero_points' (absent
 * when symmetric), 'bias'.
 * @example const y = int4.forward(x, 1);
 */
export declare class WeightOnlyQuantizedLinearModule extends Module {
  /**
   * @param layer a WeightOnlyQuantizedLinear, not disposed (the module owns it from now on)
   * @param relu whether a ReLU follows (default false)
   * @throws {TypeError} for a layer that is not a WeightOnlyQuantizedLinear, or relu not a boolean
   */
  constructor(layer: WeightOnlyQuantizedLinear, relu?: boolean);
  readonly layer: WeightOnlyQuantizedLinear;
  readonly relu: boolean;
  readonly inFeatures: number;
  readonly outFeatures: number;
  forward(x: Float32Array, batch?: number): Float32Array;
}

/**
 * Fuses [Linear, ReLU] pairs into LinearReLU (torch's fuse_modules); the ReLU's place becomes an Identity.
 * @param modulesToFuse e.g. [['1', '2'], ['3', '4']]
 * @param options inplace: default false
 * @throws {TypeError} for a pair that is not Linear then ReLU, or a model that is not a Sequential
 * @example const fused = fuseModules(model, [['1', '2'], ['3', '4']]);
 */
export function fuseModules(model: Module, modulesToFuse: string[][], options?: { inplace?: boolean }): Sequential;

/**
 * Attaches activation observers (torch's prepare) to every QuantStub, Linear and LinearReLU with a qconfig.
 * @param options qconfig: for modules without their own; inplace: default false
 * @throws {TypeError} for a model that is not a Sequential (eager mode swaps children)
 * @throws {RangeError} when a quantized Linear would get float input (no QuantStub) or the output would stay quantized (no DeQuantStub)
 * @example const prepared = prepare(fused.eval(), { qconfig: getDefaultQConfig('qnnpack') });
 */
export function prepare(model: Module, options?: { qconfig?: QConfig | null; inplace?: boolean }): Sequential;

/**
 * Converts a prepared, calibrated model to int8 (torch's convert): Quantize, QuantizedLinearModule, DeQuantize.
 * Weights are clamped to their observer's [quantMin, quantMax] (narrow ranges emulate 2-7 bit weights, as
 * torch's _clamp_weights); activations keep the dtype's range with their observer's scale. Owns wasm memory: dispose() it.
 * Nothing changes until every module is converted (in place, the replaced modules are then disposed); a
 * failure frees the layers built so far.
 * @param options inplace: default false; keepWidened: the QuantizedLinears keep their weights widened to int16
 *   too, for batches of more than 16 rows (PackedMatrix.pack's keepWidened; default false)
 * @throws {RangeError} for weight observers that are not symmetric (zero point ≠ 0)
 * @example const int8 = convert(prepared); const y = int8.forward(x, 1);
 */
export function convert(model: Module, options?: { inplace?: boolean; keepWidened?: boolean }): Sequential;

/**
 * Dynamic quantization (torch's quantize_dynamic): each Linear becomes a DynamicQuantizedLinearModule,
 * but one whose own qconfig is null (torch's qconfig = None). Unlike PyTorch, a bare Linear is quantized too. Owns wasm memory: dispose() it. As convert(), a failure
 * changes nothing and frees the layers built so far; in place, the replaced modules are disposed.
 * When a Linear's nearest qconfig (its own, else its nearest Sequential's, else options.qconfig; of any kind, as torch
 * propagates them) is a weight-only one, the Linear becomes a WeightOnlyQuantizedLinearModule instead.
 * @param options dtype: 'int8' (default); perChannel: default false (torch's default_dynamic_qconfig); qconfig: a
 *   weight-only qconfig for every Linear; inplace: default false; keepWidened: the int8 layers keep their weights
 *   widened to int16 too, for batches of more than 16 rows (PackedMatrix.pack's keepWidened; default false)
 * @throws {TypeError} for a qconfig that is not a weight-only one
 * @example const dq = quantizeDynamic(model, { perChannel: true });
 * @example const int4 = quantizeDynamic(model, { qconfig: getWeightOnlyQConfig({ bits: 4 }) });
 */
export function quantizeDynamic(model: Module, options?: { dtype?: 'int8'; perChannel?: boolean; qconfig?: WeightOnlyQConfig | null; inplace?: boolean;
  keepWidened?: boolean }): Module;

/**
 * The observer prepare() attached to a module's output, or null.
 * @throws {TypeError} for a module that is not a Module
 * @example activationObserver(prepared.modules[1])?.calculateQParams()
 */
export function activationObserver(module: Module): ObserverLike | null;

/**
 * Writes a model (float, static or dynamic int8) as one safetensors file: its stateDict() under
 * PyTorch's names (a converted Linear '1': '1.weight' I8 [out, in], '1.weight_scale' F32 [out],
 * '1.bias' F32 [out] when it has one, '1.bias_int32' I32 [out], '1.scale' F32 [1] and '1.zero_point'
 * I32 [1] of its output, '1.input_scale' F64 [1] and '1.input_zero_point' I32 [1]; a Quantize '0':
 * '0.scale', '0.zero_point'), and its module tree as JSON in __metadata__ under 'qdq-wasm.modules'.
 * @param options `metadata`: more __metadata__ strings
 * @throws {TypeError} for a module it cannot describe, or a model prepared for QAT (convert it first)
 * @throws {RangeError} for Sequentials nested more than 64 deep (what loadModel() reads)
 * @example fs.writeFileSync('mlp-int8.safetensors', saveModel(int8));
 */
export function saveModel(model: Module, options?: { metadata?: Record<string, string> }): Uint8Array;

/**
 * Reads saveModel()'s file back (in eval mode): outputs bit-identical to the saved model's. Every tensor
 * is checked as loadStateDict() checks them: missing, extra, misshapen or mistyped tensors, scales that are
 * not finite and > 0, zero points outside the dtype, and a bias_int32 its float bias does not give are
 * errors naming the tensor or module. The module tree is checked as untrusted input: sizes must be integers
 * in [1, 2^31 - 1] whose weight fits in the file, flags booleans, Sequentials nested at most 64 deep; a
 * failed check frees whatever was built. Converted models own wasm memory: dispose() them.
 * @param options keepWidened: the int8 layers keep their weights widened to int16 too (PackedMatrix.pack's
 *   keepWidened; default false; not stored in the file)
 * @throws {RangeError} for a file without saveModel()'s metadata, or any failed check (naming the module and key)
 * @example const int8 = loadModel(fs.readFileSync('mlp-int8.safetensors'));
 */
export function loadModel(bytes: Uint8Array | ArrayBuffer | ArrayBufferView, options?: { keepWidened?: boolean }): Module;

export type { StateTensor };

/**
 * torch 1.13's FusedMovingAvgObsFakeQuantize: while the observer is enabled each forward() updates a
 * moving-average min/max observer and recomputes qparams as the fused op does (torch's C++
 * ChooseQuantizationParams: symmetric over 127/128 steps); while fake-quant is enabled it returns
 * quantize-then-dequantize (PyTorch rounding) and keeps the straight-through mask for backward().
 * @example
 * const fq = new FakeQuantize({ dtype: 'int8', qscheme: 'per_channel_symmetric', quantMin: -128, quantMax: 127 });
 * const { output, mask } = fq.forward(weight, [outFeatures, inFeatures]);
 */
export declare class FakeQuantize {
  /**
   * @param options the observer's: dtype (default 'uint8'), qscheme, reduceRange, quantMin, quantMax, eps,
   *   averagingConstant (default 0.01), axis (per channel, default 0; the observer and the fake-quantization
   *   run along it, where torch 1.13's fused op takes 0 only). quantMin/quantMax default to torch's 0 and
   *   255 for uint8, a custom range to torch's observer: calculateQParams() gives a symmetric uint8 tensor
   *   zero point 127, the fused forward 128, as torch; int8 defaults to [-128, 127].
   * @throws {RangeError} for an unknown qscheme (or the observer's own checks)
   * @throws {TypeError} for an axis with a per-tensor qscheme
   */
  constructor(options?: {
    dtype?: 'int8' | 'uint8';
    qscheme?: 'per_tensor_affine' | 'per_tensor_symmetric' | 'per_channel_affine' | 'per_channel_symmetric';
    reduceRange?: boolean; quantMin?: number; quantMax?: number; eps?: number; averagingConstant?: number; axis?: number;
  });
  readonly observer: ObserverLike;
  readonly perChannel: boolean;
  readonly dtype: 'int8' | 'uint8';
  readonly quantMin: number;
  readonly quantMax: number;
  observerEnabled: boolean;
  fakeQuantEnabled: boolean;
  /** The qparams of the last fake-quantizing forward() (from the running range, the observer on or off, as torch's fused op), or null. */
  qparams: { scale: number; zeroPoint: number } | { scales: Float32Array; zeroPoints: Int32Array } | null;
  /** The mask of the last fake-quantizing forward(), or null. */
  mask: Uint8Array | null;
  enableObserver(on?: boolean): this;
  disableObserver(): this;
  enableFakeQuant(on?: boolean): this;
  disableFakeQuant(): this;
  /** A copy with the same settings, switches and observer state, trained on independently (a QAT model's clone() copies them so). */
  clone(): this;
  /** @param shape needed per channel */
  forward(x: Float32Array, shape?: number[]): { output: Float32Array; mask: Uint8Array | null };
  /** forward(x, shape).output */
  observe(x: Float32Array, shape?: number[]): Float32Array;
  /** The observer's qparams (what convert() uses, as torch's calculate_qparams: symmetric uint8 zero point 127 with the default range). */
  calculateQParams(): { scale: number; zeroPoint: number } | { scales: Float32Array; zeroPoints: Int32Array };
  /**
   * dy where the last forward() did not clamp, 0 elsewhere (straight-through estimator).
   * @throws {TypeError} for a dy that is not a Float32Array
   * @throws {RangeError} for a dy of another length than the last forward()'s input
   */
  backward(dy: Float32Array): Float32Array;
}

/**
 * torch 1.13's get_default_qat_qconfig(backend) (version 1): FakeQuantize on activations (uint8 [0, 255], reduceRange
 * for fbgemm/x86) and weights (int8 symmetric, per channel except qnnpack).
 * @param backend default 'fbgemm'
 * @example const qconfig = getDefaultQatQConfig('qnnpack');
 */
export function getDefaultQatQConfig(backend?: QuantBackend): QConfig;

/**
 * torch's prepare_qat: FakeQuantize on activations and on every Linear / LinearReLU weight. Train, then eval() and convert().
 * @param options qconfig (a QAT qconfig), inplace: default false
 * @throws {RangeError} for a model in eval mode
 * @throws {TypeError} for a qconfig whose weight is not a FakeQuantize
 * @example const qat = prepareQat(fuseModules(model.train(), [['1', '2']]), { qconfig: getDefaultQatQConfig('qnnpack') });
 */
export function prepareQat(model: Module, options?: { qconfig?: QConfig | null; inplace?: boolean }): Sequential;
