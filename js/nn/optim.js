// Training pieces: softmax cross-entropy (torch.nn.CrossEntropyLoss, mean over the batch)
// and SGD with momentum and weight decay (torch.optim.SGD), float32 at every step as torch.
//   SGD.step -> qdq_sgd_step (src/operators/train.c), momentum buffers kept in wasm memory

import { SGD_FIRST_STEP } from '../runtime/abi.js';
import { call, inout, input, owned, WasmBuffer } from '../runtime/binding.js';
import { getRuntime } from '../runtime/loader.js';
import { describe, finite, integer, lengthOf, options, typedArray, typedArrayKind } from '../runtime/validate.js';

const f = Math.fround;

/**
 * Mean softmax cross-entropy of logits [batch, classes] against integer targets, and its
 * gradient (softmax − onehot) / batch. Softmax is taken after subtracting each row's max; the
 * row sums are in float64 (torch's log_softmax sums in float32 with another order: losses agree to
 * float32 rounding, see tests/unit/train.test.js).
 * @param {Float32Array} logits row-major [batch, classes]
 * @param {ArrayLike<number>} targets [batch] class indices
 * @param {number} classes
 * @returns {{ loss: number, grad: Float32Array }}
 */
export function crossEntropyLoss(logits, targets, classes) {
  const c = integer('classes', classes, 1, 2 ** 31 - 1);
  typedArray('logits', logits, Float32Array);
  // Lengths from the internal slots (validate.js): a shadowed length must not size grad or the loop.
  const n = lengthOf(logits);
  if (n % c !== 0) {
    throw new RangeError(`qdq-wasm: logits must have batch * classes values, and ${n} is not a multiple of classes (${c})`);
  }
  const m = n / c;
  const typed = typedArrayKind(targets) !== undefined;
  if (!typed && !Array.isArray(targets)) {
    throw new TypeError(`qdq-wasm: targets must be an array of class indices, got ${describe(targets)}`);
  }
  const nt = typed ? lengthOf(/** @type {any} */ (targets)) : targets.length;
  if (nt !== m) throw new RangeError(`qdq-wasm: targets must have batch = ${m} values (one per row of logits), got ${nt}`);
  const grad = new Float32Array(n);
  let loss = 0;
  for (let i = 0; i < m; i++) {
    const t = integer(`targets[${i}]`, targets[i], 0, c - 1);
    let max = -Infinity;
    for (let j = 0; j < c; j++) max = Math.max(max, logits[i * c + j]);
    let sum = 0;
    for (let j = 0; j < c; j++) sum += Math.exp(logits[i * c + j] - max);
    loss += Math.log(sum) - (logits[i * c + t] - max);
    for (let j = 0; j < c; j++) grad[i * c + j] = (Math.exp(logits[i * c + j] - max) / sum - (j === t ? 1 : 0)) / m;
  }
  return { loss: f(loss / m), grad };
}

/**
 * Stochastic gradient descent as torch.optim.SGD (dampening 0, not Nesterov): g = grad + weightDecay·p;
 * buf = g on the first step, else momentum·buf + g; p −= lr·buf; each operation rounded to float32
 * (T3 of src/qdq.h, qdq_sgd_step). With momentum, the buffers live in wasm memory between steps:
 * dispose() the optimizer when done (the garbage collector frees forgotten ones, as a safety net).
 * @example
 * const opt = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
 * model.zeroGrad(); model.backward(crossEntropyLoss(model.forward(x, 64), y, 10).grad, 64); opt.step();
 * opt.dispose();
 */
export class SGD {
  /** @type {Map<object, WasmBuffer>} */
  #buffers = new Map();
  #disposed = false;

  /**
   * @param {import('./module.js').Parameter[]} params model.parameters()
   * @param {{ lr: number, momentum?: number, weightDecay?: number }} opts momentum, weightDecay: default 0;
   *   each finite and >= 0, as torch checks them
   */
  constructor(params, opts) {
    const o = options('options', opts, ['lr', 'momentum', 'weightDecay']);
    if (!Array.isArray(params)) throw new TypeError(`qdq-wasm: params must be model.parameters(), got ${describe(params)}`);
    params.forEach(checkParameter);
    this.params = params;
    this.lr = nonNegative('lr', o.lr, 'learning rate');
    this.momentum = nonNegative('momentum', o.momentum ?? 0, 'momentum value');
    this.weightDecay = nonNegative('weightDecay', o.weightDecay ?? 0, 'weight decay');
  }

  /** Whether dispose() has been called. */
  get disposed() {
    return this.#disposed;
  }

  /**
   * Updates every parameter that has a gradient, in place. Every gradient is checked first
   * (a Float32Array of the parameter's length, or null): when one is wrong, no parameter changes.
   */
  step() {
    if (this.#disposed) throw new Error('qdq-wasm: this SGD was disposed; create a new one');
    const rt = getRuntime();
    // The parameters may have been swapped since the constructor (params is the caller's array).
    if (!Array.isArray(this.params)) throw new TypeError(`qdq-wasm: params must be model.parameters(), got ${describe(this.params)}`);
    const work = [];
    for (let i = 0; i < this.params.length; i++) {
      const p = checkParameter(this.params[i], i);
      const v = typedArray(`params[${i}].value`, p.value, Float32Array);
      if (p.grad === null || p.grad === undefined) continue;
      const what = `${typeof p.name === 'string' ? p.name : 'parameter'}.grad (params[${i}])`;
      const g = typedArray(what, p.grad, Float32Array);
      // The internal slots, not .length: qdq_sgd_step reads and writes n floats of both.
      const n = lengthOf(v);
      if (lengthOf(g) !== n) throw new RangeError(`qdq-wasm: ${what} has ${lengthOf(g)} values; the parameter has ${n}`);
      work.push({ p, v, g, n });
    }
    // float32 as the C parameters take them; momentum 0 keeps no buffer, as torch.
    const lr = f(this.lr), mom = f(this.momentum), wd = f(this.weightDecay);
    for (const { p, v, g, n } of work) {
      let buf = this.#buffers.get(p);
      const first = !buf;
      if (mom !== 0 && !buf) this.#buffers.set(p, (buf = new WasmBuffer(rt, `momentum buffer of ${p.name}`, 4 * Math.max(n, 1))));
      if (n) {
        const specs = [inout('p', v), input('g', g)];
        if (mom !== 0) specs.push(owned('buf', /** @type {WasmBuffer} */ (buf)));
        call(rt, specs, (q, c) => c.qdq_sgd_step(n, q.p, q.g, mom !== 0 ? q.buf : 0, lr, mom, wd, first ? SGD_FIRST_STEP : 0));
      }
      p.owner.markChanged();
    }
  }

  /** Frees the momentum buffers. Idempotent; step() throws afterwards. */
  dispose() {
    for (const b of this.#buffers.values()) b.dispose();
    this.#buffers.clear();
    this.#disposed = true;
  }

  [Symbol.dispose]() {
    this.dispose();
  }
}

/**
 * A finite number >= 0 (torch.optim.SGD raises "Invalid learning rate: -1" and the like).
 * @param {string} name @param {unknown} v @param {string} what @returns {number}
 */
function nonNegative(name, v, what) {
  const x = finite(name, v);
  if (x < 0) throw new RangeError(`qdq-wasm: ${name} must be >= 0, got ${x} (torch.optim.SGD: "Invalid ${what}: ${x}")`);
  return x;
}

/**
 * One entry of params: what model.parameters() gives, { name, value, grad, owner }.
 * @param {unknown} p @param {number} i @returns {import('./module.js').Parameter}
 */
function checkParameter(p, i) {
  const q = /** @type {any} */ (p);
  if (q === null || typeof q !== 'object' || typeof q.owner?.markChanged !== 'function' || !('value' in q)) {
    throw new TypeError(`qdq-wasm: params[${i}] must be a parameter of model.parameters() ({ name, value, grad, owner }), got ${describe(p)}`);
  }
  return q;
}
