// Types of qdq-wasm's `nn` namespace: torch.nn's modules (js/nn/).

/** A tensor of a state dict: C-order shape and data (readSafetensors()'s tensors fit; dtype is ignored). */
export interface StateTensor {
  shape: number[];
  data: ArrayBufferView;
  dtype?: string;
}

/**
 * A tensor as stateDict() returns it: a copy, in its module's element type (float32 weights and biases,
 * int8 weights, int32 zero points and int32 biases, float64 input scales, and a weight-only module's uint8
 * packed weights and zero points), so that `data.map(…)` and `data.length` type-check where ArrayBufferView
 * has neither.
 */
export interface OwnStateTensor {
  shape: number[];
  data: Float32Array | Float64Array | Int8Array | Int32Array | Uint8Array;
}

/** A state dict: PyTorch's names ('1.weight', '1.bias', …) to tensors; a Map (readSafetensors) or an object. */
export type StateDict = Record<string, StateTensor> | Map<string, StateTensor>;

/** A quantized activation, what flows between Quantize and DeQuantize in a converted model. */
export interface QuantizedActivation {
  data: Int8Array | Uint8Array;
  /** float32 step */
  scale: number;
  zeroPoint: number;
  dtype: 'int8' | 'uint8';
}

/** A trainable tensor: values (updated in place; then call owner.markChanged()), gradient, name. */
export interface Parameter {
  readonly name: string;
  readonly value: Float32Array;
  grad: Float32Array | null;
  readonly owner: { markChanged(): void };
}

/**
 * The base of every module, as torch.nn.Module.
 * @example
 * model.eval(); const sd = model.stateDict(); model.loadStateDict(sd);
 */
export declare class Module {
  /** True in training mode (the default), false after eval(). */
  training: boolean;
  /**
   * The QConfig prepare() and prepareQat() use here and in children without their own: undefined (the
   * default) inherits the parent's; null keeps this module and its children float, as torch's
   * `qconfig = None` (quantizeDynamic: a Linear whose own qconfig is null, as torch's type mapping wins
   * over a parent's None there). A weight-only qconfig (getWeightOnlyQConfig) here is for quantizeDynamic():
   * this Linear, or the Linears below this Sequential, get weight-only layers; prepare() refuses it.
   */
  qconfig: import('../quantization/index.js').QConfig | import('../quantization/index.js').WeightOnlyQConfig | null | undefined;
  /** The direct children, as [name, module]. */
  namedChildren(): [string, Module][];
  /**
   * Sets training mode here and in every child.
   * @param mode default true
   */
  train(mode?: boolean): this;
  /** train(false). */
  eval(): this;
  /** Copies of every tensor, under PyTorch's state_dict names. */
  stateDict(): Record<string, OwnStateTensor>;
  /**
   * Loads every tensor of stateDict() (same names, shapes and element types, no others); changes nothing on error.
   * @throws {RangeError} for a missing, extra or misshapen tensor, naming it
   * @throws {TypeError} for a tensor of another element type
   */
  loadStateDict(state: StateDict): this;
  /** Bytes of the state dict's tensors: the model's size. */
  byteLength(): number;
  /**
   * Runs the module on row-major [batch, features] data.
   * @param x Float32Array, or a QuantizedActivation inside a converted model
   * @param batch rows of x (default: x.length / the first Linear's inFeatures)
   */
  forward(x: Float32Array | QuantizedActivation, batch?: number): any;
  /**
   * Back-propagates dL/dy of the last training-mode forward(); parameter gradients add into their grad.
   * Returns dL/dx when inputGrad is true (the default for single modules), else may return null:
   * a Sequential defaults to false, as torch computes no gradient for an input that does not require
   * one, and so skips its first Linear's dX = dY·W.
   * @param dy [batch, outFeatures]
   * @param batch rows
   * @param inputGrad compute dL/dx of this module's input
   * @throws {Error} before a training-mode forward(), or after dispose()
   * @throws {TypeError} for a dy that is not a Float32Array, a batch that is not a number
   * @throws {RangeError} for a dy or batch that does not fit the last forward()
   */
  backward(dy: Float32Array, batch: number, inputGrad?: boolean): Float32Array | null;
  /** Trainable tensors here and in children, with their gradients. */
  parameters(): Parameter[];
  /** Sets every parameter's grad to null. */
  zeroGrad(): void;
  /** A deep copy. @throws {Error} after dispose() */
  clone(): this;
  /**
   * Frees wasm memory held here and in children (quantized layers, packed weights) and ends their use:
   * afterwards forward(), backward(), clone(), stateDict() and loadStateDict() of every built-in module
   * throw an Error, here and in every child. Idempotent. A subclass that overrides it calls super.dispose().
   */
  dispose(): void;
  /** Whether dispose() has been called. */
  readonly disposed: boolean;
  [Symbol.dispose](): void;
}

/**
 * Modules applied in order; children named '0', '1', ….
 * @example
 * const model = new nn.Sequential(new QuantStub(), new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10), new DeQuantStub());
 */
export declare class Sequential extends Module {
  /** @param modules the children, in order */
  constructor(...modules: Module[]);
  modules: Module[];
  forward(x: Float32Array | QuantizedActivation, batch?: number): any;
}

/** The identity (what fuseModules leaves in a fused ReLU's place). @example new nn.Identity() */
export declare class Identity extends Module {
  forward<T>(x: T): T;
}

/** Flattens each sample: a no-op on row-major data. @example new nn.Flatten() */
export declare class Flatten extends Identity {}

/**
 * y = x Wᵀ + b, as torch.nn.Linear; weights start at zero. Assigning weight or bias repacks; after
 * editing them in place call markChanged().
 * @example
 * const fc = new nn.Linear(784, 256);
 */
export declare class Linear extends Module {
  /**
   * @param inFeatures input features
   * @param outFeatures output features
   * @param options bias: a boolean, default true (null: the default)
   * @throws {TypeError} for options that are not an object, or a bias that is not a boolean
   */
  constructor(inFeatures: number, outFeatures: number, options?: { bias?: boolean });
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** Row-major [outFeatures, inFeatures]. */
  weight: Float32Array;
  /** [outFeatures], or null. */
  bias: Float32Array | null;
  /** Repack the weights on the next forward(). */
  markChanged(): void;
  /** Set by prepareQat: fake-quantizes the weight in every forward(). */
  weightFakeQuant: import('../quantization/index.js').FakeQuantize | null;
  /** @returns Float32Array [batch, outFeatures] */
  forward(x: Float32Array, batch?: number): Float32Array;
}

/** max(x, 0); on a quantized activation max(q, zeroPoint). @example new nn.ReLU() */
export declare class ReLU extends Module {
  forward(x: Float32Array): Float32Array;
  forward(x: QuantizedActivation): QuantizedActivation;
}

/**
 * Linear then ReLU (torch.ao.nn.intrinsic.LinearReLU), what fuseModules makes. Its state names are
 * 'weight' and 'bias' (torch's fused module nests them as '0.weight', '0.bias').
 * @example new nn.LinearReLU(784, 256)
 */
export declare class LinearReLU extends Linear {
  /**
   * The qconfig its Linear had when fuseModules() fused it (torch keeps it on LinearReLU[0]; the fused
   * module inherits its parent's): convert() quantizes the weights with it, prepareQat() takes it for
   * activation and weight, prepare()'s activation observer ignores it. undefined when the Linear had none.
   */
  linearQConfig: import('../quantization/index.js').QConfig | import('../quantization/index.js').WeightOnlyQConfig | undefined;
}

/**
 * Mean softmax cross-entropy (torch.nn.CrossEntropyLoss) and its gradient (softmax − onehot) / batch.
 * @param logits row-major [batch, classes]
 * @param targets [batch] class indices
 * @param classes number of classes
 * @throws {TypeError} for logits that are not a Float32Array, or targets that are not an array
 * @throws {RangeError} for logits that are not whole rows, a target count that is not batch, a target outside [0, classes)
 * @example const { loss, grad } = nn.crossEntropyLoss(model.forward(x, 64), labels, 10);
 */
export function crossEntropyLoss(logits: Float32Array, targets: ArrayLike<number>, classes: number): { loss: number; grad: Float32Array };

/**
 * torch.optim.SGD (dampening 0): g = grad + weightDecay·p, buf = g then momentum·buf + g, p −= lr·buf, in float32.
 * With momentum its buffers live in wasm memory: dispose() it when done.
 * @example
 * const opt = new nn.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
 * model.zeroGrad(); model.backward(nn.crossEntropyLoss(model.forward(x, 64), y, 10).grad, 64); opt.step();
 * opt.dispose();
 */
export declare class SGD {
  /**
   * @param params model.parameters()
   * @param options lr, momentum, weightDecay: finite and >= 0 (as torch checks them); momentum, weightDecay default 0
   * @throws {TypeError} for params that are not parameters, or an option that is not a number
   * @throws {RangeError} for a negative or non-finite option
   */
  constructor(params: Parameter[], options: { lr: number; momentum?: number; weightDecay?: number });
  readonly params: Parameter[];
  lr: number;
  momentum: number;
  weightDecay: number;
  /**
   * Updates every parameter with a gradient, in place; every gradient is checked first, so none changes when one is wrong.
   * @throws {TypeError} for a grad that is not a Float32Array (naming the parameter and its index)
   * @throws {RangeError} for a grad of another length than its parameter
   * @throws {Error} after dispose()
   */
  step(): void;
  /** Whether dispose() has been called. */
  readonly disposed: boolean;
  /** Frees the momentum buffers. Idempotent; step() throws afterwards. */
  dispose(): void;
  [Symbol.dispose](): void;
}
