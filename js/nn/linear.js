// Float modules with weights: Linear, ReLU and the fused LinearReLU.
//   forward -> qdq_f32_gemm_pack + qdq_f32_gemm (js/layers/linear.js), packed
//              once per weight version

import { Linear as PackedLinear } from '../layers/linear.js';
import { INTERNAL } from '../layers/internal.js';
import { allFinite, boolean, describe, integer, lengthOf, options, typedArray, typedArrayKind } from '../runtime/validate.js';
import { dim } from '../ops/gemm-args.js';
import { linearBackward, reluBackward } from './grad.js';
import { copyObserver, copyPrepared, live, Module } from './module.js';

/**
 * y = x Wᵀ + b, as torch.nn.Linear: weight [outFeatures, inFeatures], bias [outFeatures].
 * Weights start at zero (load them with loadStateDict); assigning weight or bias repacks on the
 * next forward, editing them in place needs markChanged().
 * @example
 * const fc = new Linear(784, 256);
 * fc.loadStateDict({ weight: { shape: [256, 784], data: w }, bias: { shape: [256], data: b } });
 * const y = fc.eval().forward(x, 1); // Float32Array [1 * 256]
 */
export class Linear extends Module {
  /** @type {Float32Array} */
  #weight;
  /** @type {Float32Array | null} */
  #bias;
  /** @type {PackedLinear | null} */
  #packed = null;
  /** The input of the last training-mode forward(), for backward(). @type {Float32Array | null} */
  #input = null;
  /** @type {import('./module.js').Parameter[]} */
  #params;
  /** The fake-quantized weight of the last forward(), when weightFakeQuant is set. @type {Float32Array | null} */
  #usedWeight = null;
  /**
   * Fake-quantizes the weight in every forward() (what prepareQat sets, as torch's qat.Linear).
   * @type {{ forward(x: Float32Array, shape: number[]): { output: Float32Array }, backward(dy: Float32Array): Float32Array } | null}
   */
  weightFakeQuant = null;

  /**
   * @param {number} inFeatures
   * @param {number} outFeatures
   * @param {{ bias?: boolean }} [opts] bias: a boolean, default true (torch's bias=True; null: the default)
   */
  constructor(inFeatures, outFeatures, opts) {
    const o = options('options', opts, ['bias'], {});
    const withBias = boolean('bias', o.bias ?? true);
    super();
    /** Input features. */
    this.inFeatures = dim('inFeatures', inFeatures);
    /** Output features. */
    this.outFeatures = dim('outFeatures', outFeatures);
    this.#weight = new Float32Array(this.inFeatures * this.outFeatures);
    this.#bias = withBias ? new Float32Array(this.outFeatures) : null;
    const self = this;
    this.#params = [{ name: 'weight', get value() { return self.#weight; }, grad: null, owner: this }];
    if (this.#bias) this.#params.push({ name: 'bias', get value() { return /** @type {Float32Array} */ (self.#bias); }, grad: null, owner: this });
  }

  /** weight and bias, with their gradients. @returns {import('./module.js').Parameter[]} */
  parameters() {
    return this.#params;
  }

  /**
   * dL/dx of the last training-mode forward(); adds dL/dW = dYᵀ·X and dL/db = Σ dY into the
   * parameters' grad (the products in C, js/nn/grad.js).
   * @param {Float32Array} dy [batch, outFeatures] @param {number} batch
   * @param {boolean} [inputGrad] compute dL/dx (default true; a Sequential passes false to its first Linear)
   * @returns {Float32Array | null} [batch, inFeatures], or null without inputGrad
   */
  backward(dy, batch, inputGrad = true) {
    live(this);
    const x = this.#input;
    if (!x) throw new Error(`qdq-wasm: ${this.constructor.name}.backward needs a forward() in training mode first`);
    typedArray('dy', dy, Float32Array);
    const m = integer('batch', batch, 0, 2 ** 31 - 1);
    boolean('inputGrad', inputGrad);
    if (lengthOf(dy) !== m * this.outFeatures || lengthOf(x) !== m * this.inFeatures) {
      throw new RangeError(`qdq-wasm: ${this.constructor.name}.backward needs dy of batch * ${this.outFeatures} floats for the ` +
        `last forward's ${lengthOf(x) / this.inFeatures} rows, got ${describe(dy)} with batch ${m}`);
    }
    const fq = this.weightFakeQuant;
    const g = linearBackward(x, fq ? /** @type {Float32Array} */ (this.#usedWeight) : this.#weight, dy, batch, this.inFeatures, this.outFeatures, inputGrad);
    const dw = fq ? fq.backward(g.dw) : g.dw;
    const [pw, pb] = this.#params;
    pw.grad = pw.grad ? addInto(pw.grad, dw) : dw;
    if (pb) pb.grad = pb.grad ? addInto(pb.grad, g.db) : g.db;
    return g.dx;
  }

  /** Row-major [outFeatures, inFeatures]. */
  get weight() {
    return this.#weight;
  }

  set weight(w) {
    const v = typedArray('weight', w, Float32Array);
    if (lengthOf(v) !== lengthOf(this.#weight)) {
      throw new RangeError(`qdq-wasm: weight has ${lengthOf(v)} values; [${this.outFeatures}, ${this.inFeatures}] needs ${lengthOf(this.#weight)}`);
    }
    allFinite('weight', v, 'weights');
    this.#weight = v;
    this.markChanged();
  }

  /** [outFeatures], or null without bias. */
  get bias() {
    return this.#bias;
  }

  set bias(b) {
    if (this.#bias === null) throw new TypeError('qdq-wasm: this Linear was made with bias: false');
    const v = typedArray('bias', b, Float32Array);
    if (lengthOf(v) !== this.outFeatures) throw new RangeError(`qdq-wasm: bias has ${lengthOf(v)} values; needs ${this.outFeatures}`);
    allFinite('bias', v, 'biases');
    this.#bias = v;
    this.markChanged();
  }

  /**
   * Call after editing weight or bias in place (an optimizer step does): the next forward() repacks
   * them without checking them again (assignment and loadStateDict check finiteness; a training step
   * that overflows gives non-finite outputs, as in torch).
   */
  markChanged() {
    this.#packed?.dispose();
    this.#packed = null;
  }

  ownState() {
    /** @type {Record<string, import('./module.js').StateTensor>} */
    const s = { weight: { shape: [this.outFeatures, this.inFeatures], data: this.#weight } };
    if (this.#bias) s.bias = { shape: [this.outFeatures], data: this.#bias };
    return s;
  }

  /** @param {Record<string, import('./module.js').StateTensor>} t */
  stageOwnState(t) {
    allFinite('weight', t.weight.data, 'weights');
    if (t.bias) allFinite('bias', t.bias.data, 'biases');
    return { commit: () => this.loadOwnState(t), abort: () => {} };
  }

  /** @param {Record<string, import('./module.js').StateTensor>} t */
  loadOwnState(t) {
    allFinite('weight', t.weight.data, 'weights');
    if (t.bias) allFinite('bias', t.bias.data, 'biases');
    this.#weight = Float32Array.from(/** @type {Float32Array} */ (t.weight.data));
    if (t.bias) this.#bias = Float32Array.from(/** @type {Float32Array} */ (t.bias.data));
    this.markChanged();
  }

  /**
   * @param {Float32Array} x row-major [batch, inFeatures]
   * @param {number} [batch]
   * @returns {Float32Array} [batch, outFeatures]
   */
  forward(x, batch) {
    live(this);
    if (!(x instanceof Float32Array)) throw floatInputError(this, x);
    if (this.weightFakeQuant) {
      const w = this.weightFakeQuant.forward(this.#weight, [this.outFeatures, this.inFeatures]).output;
      this.#usedWeight = w;
      this.#input = this.training ? x : null;
      const layer = new PackedLinear(INTERNAL, w, this.#bias, this.inFeatures, this.outFeatures);
      try {
        return layer.forward(x, batch);
      } finally {
        layer.dispose();
      }
    }
    // The weights were checked where they came in (constructor zeros, assignment, loadStateDict).
    this.#packed ??= new PackedLinear(INTERNAL, this.#weight, this.#bias, this.inFeatures, this.outFeatures);
    this.#input = this.training ? x : null;
    return this.#packed.forward(x, batch);
  }

  /** Frees the packed weights; forward(), backward() and clone() throw afterwards (Module.dispose). */
  dispose() {
    this.markChanged();
    this.#input = null;
    super.dispose();
  }

  /** @returns {this} */
  clone() {
    live(this);
    const c = new (/** @type {any} */ (this.constructor))(this.inFeatures, this.outFeatures, { bias: this.#bias !== null });
    c.loadOwnState(this.ownState());
    c.training = this.training;
    c.qconfig = this.qconfig;
    // A prepared Linear's observer and a QAT Linear's weight fake-quantize go with it, state and all.
    copyPrepared(this, c);
    if (this.weightFakeQuant) c.weightFakeQuant = copyObserver(this.weightFakeQuant, `this ${this.constructor.name}'s weight fake-quantize`);
    return c;
  }
}

/** acc += g elementwise (float32), as torch accumulates into .grad. @param {Float32Array} acc @param {Float32Array} g */
function addInto(acc, g) {
  for (let i = 0; i < acc.length; i++) acc[i] += g[i];
  return acc;
}

/**
 * A float module got a quantized activation: the model has a QuantStub without a DeQuantStub before it.
 * @param {Module} m @param {unknown} x @returns {TypeError}
 */
export function floatInputError(m, x) {
  return new TypeError(`qdq-wasm: ${m.constructor.name}.forward: x must be a Float32Array, got ${describe(x)}` +
    ((/** @type {any} */ (x))?.scale !== undefined ? '; a quantized activation reaches a float module: put a DeQuantStub before it' : ''));
}

/**
 * max(x, 0), as torch.nn.ReLU; on a quantized activation (after convert), max(q, zeroPoint) with the
 * same scale and zero point, as torch's quantized relu.
 */
export class ReLU extends Module {
  /** The output of the last training-mode float forward(): > 0 exactly where the input was. @type {Float32Array | null} */
  #out = null;

  /** @param {Float32Array} dy @returns {Float32Array} dy where the input was > 0, else 0 (qdq_relu_backward) */
  backward(dy) {
    live(this);
    const y = this.#out;
    if (!y) throw new Error('qdq-wasm: ReLU.backward needs a forward() in training mode first');
    return reluBackward(y, dy, 'ReLU');
  }

  /**
   * @param {Float32Array | import('../quantization/activation.js').QuantizedActivation} x
   * @returns {Float32Array | import('../quantization/activation.js').QuantizedActivation}
   */
  forward(x) {
    live(this);
    if (x instanceof Float32Array) {
      // A plain loop: TypedArray.prototype.map with a closure was a tenth of a training step.
      const n = lengthOf(x);
      const y = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v < 0 ? 0 : v; // -0 and NaN stay as they are, as torch 1.13's relu leaves them
      }
      this.#out = this.training ? y : null;
      return y;
    }
    if (x !== null && typeof x === 'object' && !ArrayBuffer.isView(x) && 'zeroPoint' in x) {
      const data = typedArray('x.data', x.data, Int8Array, Uint8Array);
      const u8 = typedArrayKind(data) === 'Uint8Array';
      const zp = integer('x.zeroPoint', x.zeroPoint, u8 ? 0 : -128, u8 ? 255 : 127);
      return { ...x, data: /** @type {any} */ (data).map((/** @type {number} */ q) => (q < zp ? zp : q)) };
    }
    throw new TypeError(`qdq-wasm: ReLU.forward: x must be a Float32Array or a quantized activation { data, scale, zeroPoint, dtype }, got ${describe(x)}`);
  }

  clone() {
    live(this);
    return /** @type {this} */ (new ReLU().train(this.training));
  }
}

/**
 * Linear then ReLU in one module, as torch.ao.nn.intrinsic.LinearReLU (what fuseModules makes):
 * state names are the Linear's ('weight', 'bias'; torch's are '0.weight', '0.bias' inside the fused
 * module, and the same 'weight'/'bias' once converted).
 */
export class LinearReLU extends Linear {
  /** @type {Float32Array | null} */
  #out = null;

  /**
   * The qconfig its Linear had when fuseModules() fused it, which torch keeps on LinearReLU[0] while the
   * fused module itself inherits its parent's: convert() quantizes the weights with it, prepareQat()
   * takes it for activation and weight (as torch's QAT swap does), prepare()'s observer ignores it.
   * @type {any}
   */
  linearQConfig = undefined;

  /** @returns {this} */
  clone() {
    const c = super.clone();
    c.linearQConfig = this.linearQConfig;
    return c;
  }

  /**
   * @param {Float32Array} x @param {number} [batch]
   * @returns {Float32Array}
   */
  forward(x, batch) {
    const y = super.forward(x, batch);
    for (let i = 0; i < y.length; i++) if (y[i] < 0) y[i] = 0; // -0 and NaN stay, as nn.ReLU leaves them
    this.#out = this.training ? y : null;
    return y;
  }

  /** @param {Float32Array} dy @param {number} batch @param {boolean} [inputGrad] @returns {Float32Array | null} */
  backward(dy, batch, inputGrad = true) {
    live(this);
    const y = this.#out;
    if (!y) throw new Error('qdq-wasm: LinearReLU.backward needs a forward() in training mode first');
    return super.backward(reluBackward(y, dy, 'LinearReLU'), batch, inputGrad);
  }
}
