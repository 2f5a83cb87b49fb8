// Modules as torch.nn's, in camelCase: a Module tree with train()/eval(),
// stateDict()/loadStateDict() under PyTorch's names, and forward(x, batch) on
// row-major Float32Array batches (or a quantized activation after a QuantStub).
// Only float tensors live here; the int8 work is in the layers they convert to.

import { boolean, describe, lengthOf, typedArray, typedArrayKind } from '../runtime/validate.js';

/**
 * A tensor of a state dict: data and its C-order shape. readSafetensors()'s
 * tensors fit (their dtype is ignored; the data's type is checked).
 * @typedef {{ shape: number[], data: ArrayBufferView, dtype?: string }} StateTensor
 */

/**
 * A trainable tensor: its values (updated in place by an optimizer, which then calls
 * owner.markChanged()), its accumulated gradient, and a name for errors.
 * @typedef {{ name: string, value: Float32Array, grad: Float32Array | null, owner: { markChanged(): void } }} Parameter
 */

/**
 * The observer of each module's output, set by prepare() (js/quantization/workflows.js) and fed by
 * the Sequential that runs the module.
 * @type {WeakMap<Module, { observe(x: Float32Array): unknown, backward?(dy: Float32Array): Float32Array }>}
 */
export const OBSERVERS = new WeakMap();

/**
 * Modules whose observer runs twice per forward, the second time on the first's output: a
 * LinearReLU prepared for static quantization. torch's fused nni.LinearReLU is an nn.Sequential,
 * and prepare() adds its observer both as a child, which that Sequential runs, and as a forward
 * hook, which runs it again: each calibration batch is observed twice, which moves a moving-average
 * observer twice (MinMax ends the same; a histogram counts twice). prepare_qat swaps in nniqat.LinearReLU,
 * a Linear, observed once.
 * @type {WeakSet<Module>}
 */
export const OBSERVED_TWICE = new WeakSet();

/** Modules whose dispose() has been called. */
const DISPOSED = new WeakSet();

/**
 * A copy of a prepared module's observer or weight fake-quantize, by its clone() (every observer of
 * this library and FakeQuantize have one, copying the state seen so far).
 * @template T @param {T} v @param {string} what whose observer, for the error
 * @returns {T}
 */
export function copyObserver(v, what) {
  if (v !== null && typeof v === 'object' && typeof (/** @type {any} */ (v)).clone === 'function') return /** @type {any} */ (v).clone();
  const kind = v !== null && typeof v === 'object' && typeof v.constructor === 'function' ? `a ${v.constructor.name}` : describe(v);
  throw new TypeError(`qdq-wasm: ${what}, ${kind}, has no clone() method: clone() of a prepared model ` +
    'copies each observer with its clone() (give your observer class one that copies its state)');
}

/**
 * Gives a module's clone what prepare() attached to the module: a copy of its observer (with the
 * range seen so far) and the mark that it runs twice per forward.
 * @param {Module} from @param {Module} to
 */
export function copyPrepared(from, to) {
  const obs = OBSERVERS.get(from);
  if (obs) OBSERVERS.set(to, copyObserver(obs, `this ${from.constructor.name}'s observer`));
  if (OBSERVED_TWICE.has(from)) OBSERVED_TWICE.add(to);
}

/**
 * Throws when m was disposed: every built-in module's forward(), backward(), clone(), stateDict()
 * and loadStateDict() start with it (a module of your own may call it too).
 * @param {Module} m
 */
export function live(m) {
  if (DISPOSED.has(m)) throw new Error(`qdq-wasm: this ${m.constructor.name} was disposed; create a new one`);
}

/**
 * The base of every module: children, train/eval, state dicts, dispose.
 * @example
 * class Scale extends Module { forward(x) { return x.map((v) => 2 * v); } }
 */
export class Module {
  constructor() {
    /** True in training mode (the default), false after eval(). */
    this.training = true;
    /**
     * The QConfig prepare() and prepareQat() use for this module and its children without their own:
     * undefined (the default) inherits the parent's; null keeps the module and its children float, as
     * torch's `qconfig = None` (quantizeDynamic: a Linear whose own qconfig is null). @type {any}
     */
    this.qconfig = undefined;
  }

  /** The direct children, in order, as [name, module]. @returns {[string, Module][]} */
  namedChildren() {
    return [];
  }

  /**
   * Sets training mode here and in every child (FakeQuantize observes only in training).
   * @param {boolean} [mode] default true
   * @returns {this}
   */
  train(mode = true) {
    if (typeof mode !== 'boolean') throw new TypeError(`qdq-wasm: mode must be a boolean, got ${describe(mode)}`);
    this.training = mode;
    for (const [, c] of this.namedChildren()) c.train(mode);
    return this;
  }

  /** train(false). @returns {this} */
  eval() {
    return this.train(false);
  }

  /**
   * This module's own tensors (not its children's), by local name.
   * @returns {Record<string, StateTensor>}
   */
  ownState() {
    return {};
  }

  /**
   * Replaces this module's own tensors; called with exactly the names of ownState().
   * @param {Record<string, StateTensor>} _tensors checked against ownState()'s shapes
   */
  loadOwnState(_tensors) {}

  /**
   * Checks tensors for loadOwnState() and stages them without changing the module: commit() applies
   * them, abort() frees what staging built. loadStateDict() stages every module before committing
   * any, so a value a module refuses (not only a name or shape) leaves the whole model unchanged.
   * @param {Record<string, StateTensor>} tensors
   * @returns {{ commit(): void, abort(): void }}
   */
  stageOwnState(tensors) {
    return { commit: () => this.loadOwnState(tensors), abort: () => {} };
  }

  /**
   * Every tensor under PyTorch's state_dict names ('1.weight', '1.bias', …): copies.
   * @returns {Record<string, StateTensor>}
   */
  stateDict() {
    /** @type {Record<string, StateTensor>} */
    const out = {};
    walk(this, '', (m, prefix) => {
      live(m);
      for (const [k, t] of Object.entries(m.ownState())) {
        out[prefix + k] = { shape: [...t.shape], data: /** @type {any} */ (t.data).slice() };
      }
    });
    return out;
  }

  /**
   * Loads a state dict (a plain object or a Map, e.g. readSafetensors(bytes).tensors): every
   * name of stateDict() must be present with the same shape and element type, and no other.
   * Nothing is changed when a check fails.
   * @param {Record<string, StateTensor> | Map<string, StateTensor>} state
   * @returns {this}
   */
  loadStateDict(state) {
    const entries = state instanceof Map ? new Map(state)
      : (state !== null && typeof state === 'object' && !ArrayBuffer.isView(state)) ? new Map(Object.entries(state))
        : null;
    if (!entries) throw new TypeError(`qdq-wasm: state must be an object or Map of tensors, got ${describe(state)}`);
    /** @type {[Module, Record<string, StateTensor>, string][]} */
    const plan = [];
    const expected = new Set();
    walk(this, '', (m, prefix) => {
      live(m);
      const own = m.ownState();
      /** @type {Record<string, StateTensor>} */
      const got = {};
      for (const [k, t] of Object.entries(own)) {
        const name = prefix + k;
        expected.add(name);
        const v = entries.get(name);
        if (v === undefined) throw new RangeError(`qdq-wasm: state is missing '${name}' (shape [${t.shape}])`);
        checkTensor(name, v, t);
        got[k] = v;
      }
      if (Object.keys(own).length) plan.push([m, got, prefix]);
    });
    const extra = [...entries.keys()].filter((k) => !expected.has(k));
    if (extra.length) {
      throw new RangeError(`qdq-wasm: state has unexpected ${extra.length === 1 ? 'tensor' : 'tensors'} ` +
        `${extra.map((k) => `'${k}'`).join(', ')} (expected: ${[...expected].map((k) => `'${k}'`).join(', ') || 'none'})`);
    }
    /** @type {{ commit(): void, abort(): void }[]} */
    const staged = [];
    for (const [m, got, prefix] of plan) {
      try {
        staged.push(m.stageOwnState(got));
      } catch (e) {
        for (const s of staged) s.abort();
        // Name the module: the layer's own message names its option ('inputScale'), not the tensor.
        const msg = e instanceof Error ? e.message : '';
        if ((e instanceof TypeError || e instanceof RangeError) && msg.startsWith('qdq-wasm: ')) {
          throw new e.constructor(`qdq-wasm: state of ${m.constructor.name} '${prefix.slice(0, -1) || '(root)'}': ${msg.slice(10)}`);
        }
        throw e;
      }
    }
    for (const s of staged) s.commit();
    return this;
  }

  /**
   * The module's bytes: every state tensor's (what stateDict() holds).
   * @returns {number}
   */
  byteLength() {
    return Object.values(this.stateDict()).reduce((s, t) => s + t.data.byteLength, 0);
  }

  /**
   * @param {any} x row-major [batch, features] Float32Array, or a quantized activation
   * @param {number} [batch] rows of x
   * @returns {any}
   */
  forward(x, batch) {
    void x, batch;
    throw new Error(`qdq-wasm: ${this.constructor.name} has no forward()`);
  }

  /**
   * Back-propagates dL/dy of the last training-mode forward() to dL/dx, adding this module's
   * parameter gradients into their `grad` arrays (as torch accumulates into .grad).
   * @param {Float32Array} dy [batch, outFeatures] @param {number} batch
   * @param {boolean} [inputGrad] whether the caller needs dL/dx (default true); without it a module may return null
   * @returns {Float32Array | null}
   */
  backward(dy, batch, inputGrad = true) {
    void dy, batch, inputGrad;
    throw new Error(`qdq-wasm: ${this.constructor.name} has no backward()`);
  }

  /**
   * The trainable tensors here and in children, each with its gradient (null before backward)
   * and the module to tell when it changes.
   * @returns {Parameter[]}
   */
  parameters() {
    return this.namedChildren().flatMap(([, c]) => c.parameters());
  }

  /** Forgets every parameter's gradient. */
  zeroGrad() {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Frees any wasm memory held here and in children, and ends their use: afterwards forward(),
   * backward(), clone(), stateDict() and loadStateDict() throw an Error, here and in every child
   * (as a disposed layer's forward() does). Idempotent. A subclass that overrides it calls super.dispose().
   */
  dispose() {
    for (const [, c] of this.namedChildren()) c.dispose();
    DISPOSED.add(this);
  }

  /** Whether dispose() has been called. */
  get disposed() {
    return DISPOSED.has(this);
  }

  [Symbol.dispose]() {
    this.dispose();
  }

  /** A deep copy (weights copied). @returns {this} */
  clone() {
    throw new Error(`qdq-wasm: ${this.constructor.name} cannot be copied`);
  }
}

/**
 * Visits m and its descendants with their state-dict prefix ('' for the root, '1.' for child 1).
 * @param {Module} m @param {string} prefix @param {(m: Module, prefix: string) => void} fn
 */
export function walk(m, prefix, fn) {
  fn(m, prefix);
  for (const [k, c] of m.namedChildren()) walk(c, `${prefix}${k}.`, fn);
}

/** @param {string} name @param {any} v @param {StateTensor} want */
function checkTensor(name, v, want) {
  if (v === null || typeof v !== 'object' || !ArrayBuffer.isView(v.data) || !Array.isArray(v.shape)) {
    throw new TypeError(`qdq-wasm: state['${name}'] must be { shape, data } with a typed array, got ${describe(v)}`);
  }
  // Any array of the right kind: a subclass, or one from another realm, as the rest of the API takes them.
  typedArray(`state['${name}'].data`, v.data, /** @type {any} */ (want.data).constructor);
  const same = v.shape.length === want.shape.length && v.shape.every((d, i) => d === want.shape[i]);
  const n = v.shape.reduce((a, b) => a * b, 1);
  if (!same || /** @type {any} */ (v.data).length !== n) {
    throw new RangeError(`qdq-wasm: state['${name}'] has shape [${v.shape}] (${/** @type {any} */ (v.data).length} values); ` +
      `this model needs [${want.shape}]`);
  }
}

/**
 * Modules applied in order, as torch.nn.Sequential; children are named '0', '1', ….
 * @example
 * const model = new Sequential(new QuantStub(), new Linear(784, 256), new ReLU(), new Linear(256, 10), new DeQuantStub());
 */
export class Sequential extends Module {
  /** @param {...Module} modules */
  constructor(...modules) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new TypeError(`qdq-wasm: module ${i} must be a Module, got ${describe(m)}`);
    });
    /** The children, in order. @type {Module[]} */
    this.modules = modules;
  }

  /** @returns {[string, Module][]} */
  namedChildren() {
    return this.modules.map((m, i) => [String(i), m]);
  }

  /**
   * Runs each child on the previous one's output.
   * @param {any} x @param {number} [batch] @returns {any}
   */
  forward(x, batch) {
    live(this);
    const rows = batch ?? inferBatch(x, this.modules);
    let y = x;
    for (const m of this.modules) {
      y = m.forward(y, rows);
      const obs = OBSERVERS.get(m);
      if (!obs) continue;
      for (let k = OBSERVED_TWICE.has(m) ? 2 : 1; k > 0; k--) {
        // An observer returns its input; a FakeQuantize returns the fake-quantized output.
        const post = obs.observe(y);
        if (post instanceof Float32Array) y = post;
      }
    }
    return y;
  }

  /**
   * Back-propagates through the children in reverse order. Without inputGrad (the default for
   * model.backward(grad, batch), as torch computes no gradient for an input that does not require
   * one) it stops after the first child with parameters, which skips that Linear's dX = dY·W,
   * and returns null.
   * @param {Float32Array} dy @param {number} batch
   * @param {boolean} [inputGrad] also compute and return dL/dx of the model's input (default false)
   * @returns {Float32Array | null}
   */
  backward(dy, batch, inputGrad = false) {
    live(this);
    boolean('inputGrad', inputGrad);
    const first = inputGrad ? -1 : this.modules.findIndex((m) => m.parameters().length > 0);
    /** @type {Float32Array | null} */
    let g = dy;
    for (let i = this.modules.length - 1; i >= 0 && g; i--) {
      const post = /** @type {any} */ (OBSERVERS.get(this.modules[i]));
      if (post?.backward) g = post.backward(g);
      g = this.modules[i].backward(/** @type {Float32Array} */ (g), batch, i !== first);
      if (i === first) return null;
    }
    return g;
  }

  /** @returns {this} */
  clone() {
    live(this);
    /** @type {Module[]} */
    const copies = [];
    try {
      for (const m of this.modules) copies.push(m.clone());
    } catch (e) {
      // A child that cannot be copied: free the copies made so far (converted layers own wasm memory).
      for (const c of copies) c.dispose();
      throw e;
    }
    const c = /** @type {this} */ (new Sequential(...copies));
    c.training = this.training;
    c.qconfig = this.qconfig;
    return c;
  }
}

/**
 * The batch of x when the caller gave none: its length over the first Linear's inFeatures.
 * @param {any} x @param {Module[]} modules @returns {number}
 */
function inferBatch(x, modules) {
  const first = modules.find((m) => 'inFeatures' in m);
  // A typed array's length from its internal slot (validate.js), never a property it may shadow.
  /** @param {any} v */
  const lengthOfAny = (v) => (typedArrayKind(v) !== undefined ? lengthOf(v) : v?.length);
  const len = x != null && typedArrayKind(x) === undefined && x.data != null ? lengthOfAny(x.data) : lengthOfAny(x);
  if (!first || typeof len !== 'number') throw new TypeError('qdq-wasm: forward(x, batch) needs batch for this model');
  const k = /** @type {any} */ (first).inFeatures;
  if (len % k !== 0) throw new RangeError(`qdq-wasm: x.length (${len}) is not a multiple of inFeatures (${k})`);
  return len / k;
}

/** The identity, as torch.nn.Identity (what fuseModules leaves where a fused ReLU was). */
export class Identity extends Module {
  /** @param {any} x @returns {any} x */
  forward(x) {
    live(this);
    return x;
  }

  /** @param {Float32Array} dy @returns {Float32Array} dy */
  backward(dy) {
    live(this);
    return dy;
  }

  clone() {
    live(this);
    return /** @type {this} */ (new Identity().train(this.training));
  }
}

/**
 * Flattens each sample: a no-op on row-major [batch, …] data, kept so models read as PyTorch's.
 */
export class Flatten extends Identity {
  clone() {
    live(this);
    return /** @type {this} */ (new Flatten().train(this.training));
  }
}
