// Training pieces: softmax cross-entropy (torch.nn.CrossEntropyLoss, mean over the batch)
// and SGD with momentum and weight decay (torch.optim.SGD), float32 at every step as torch.
//   SGD.step -> qdq_sgd_step (src/operators/train.c), momentum buffers kept in wasm memory

import { SGD_FIRST_STEP } from '../runtime/abi.js';
import { call, inout, input, owned, WasmBuffer } from '../runtime/binding.js';
import { getRuntime } from '../runtime/loader.js';
import { describe, finite, integer, options } from '../runtime/validate.js';

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
  if (!(logits instanceof Float32Array) || logits.length % c !== 0) {
    throw new TypeError(`qdq-wasm: logits must be a Float32Array of batch * ${c} values, got ${describe(logits)}`);
  }
  const m = logits.length / c;
  if (targets?.length !== m) throw new RangeError(`qdq-wasm: targets must have ${m} values, got ${describe(targets)}`);
  const grad = new Float32Array(logits.length);
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
 * (T3 of src/qdq.h, qdq_sgd_step). The momentum buffers live in wasm memory between steps (freed
 * with the optimizer by the garbage collector).
 * @example
 * const opt = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
 * model.zeroGrad(); model.backward(crossEntropyLoss(model.forward(x, 64), y, 10).grad, 64); opt.step();
 */
export class SGD {
  /** @type {Map<object, WasmBuffer>} */
  #buffers = new Map();

  /**
   * @param {import('./module.js').Parameter[]} params model.parameters()
   * @param {{ lr: number, momentum?: number, weightDecay?: number }} opts momentum, weightDecay: default 0
   */
  constructor(params, opts) {
    const o = options('options', opts, ['lr', 'momentum', 'weightDecay']);
    if (!Array.isArray(params)) throw new TypeError(`qdq-wasm: params must be model.parameters(), got ${describe(params)}`);
    this.params = params;
    this.lr = finite('lr', o.lr);
    this.momentum = finite('momentum', o.momentum ?? 0);
    this.weightDecay = finite('weightDecay', o.weightDecay ?? 0);
  }

  /** Updates every parameter that has a gradient, in place. */
  step() {
    const rt = getRuntime();
    // float32 as the C parameters take them; momentum 0 keeps no buffer, as torch.
    const lr = f(this.lr), mom = f(this.momentum), wd = f(this.weightDecay);
    for (const p of this.params) {
      const g = p.grad;
      if (!g) continue;
      const v = p.value;
      if (g.length !== v.length) throw new RangeError(`qdq-wasm: ${p.name}.grad has ${g.length} values; the parameter has ${v.length}`);
      let buf = this.#buffers.get(p);
      const first = !buf;
      if (mom !== 0 && !buf) this.#buffers.set(p, (buf = new WasmBuffer(rt, `momentum buffer of ${p.name}`, 4 * Math.max(v.length, 1))));
      if (v.length) {
        const specs = [inout('p', v), input('g', g)];
        if (mom !== 0) specs.push(owned('buf', /** @type {WasmBuffer} */ (buf)));
        call(rt, specs, (q, c) => c.qdq_sgd_step(v.length, q.p, q.g, mom !== 0 ? q.buf : 0, lr, mom, wd, first ? SGD_FIRST_STEP : 0));
      }
      p.owner.markChanged();
    }
  }
}
