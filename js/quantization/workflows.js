// Eager-mode workflows of torch.ao.quantization: fuseModules, prepare,
// prepareQat, convert, quantizeDynamic (and activationObserver). Models are
// Sequentials (nested allowed; quantizeDynamic also takes a bare Linear); every
// float parameter is quantized in C (quantizePerChannel, QuantizedLinear,
// DynamicQuantizedLinear, WeightOnlyQuantizedLinear), never here.

import { DynamicQuantizedLinear } from '../layers/dynamic-linear.js';
import { QuantizedLinear } from '../layers/quantized-linear.js';
import { quantizePerChannel } from '../ops/quantize.js';
import { foreign } from '../runtime/binding.js';
import { boolean, describe, oneOf, options } from '../runtime/validate.js';
import { Linear, LinearReLU, ReLU } from '../nn/linear.js';
import { Identity, Module, OBSERVED_TWICE, OBSERVERS, Sequential } from '../nn/module.js';
import { QConfig } from './qconfig.js';
import { DynamicQuantizedLinearModule, QuantizedLinearModule } from './quantized-modules.js';
import { WeightOnlyQConfig, WeightOnlyQuantizedLinearModule } from './weight-only.js';
import { WeightOnlyQuantizedLinear } from '../layers/weight-only-linear.js';
import { DeQuantStub, DeQuantize, Quantize, QuantStub } from './stubs.js';

/** Why prepare() and prepareQat() refuse a weight-only qconfig. */
const WEIGHT_ONLY_NOT_HERE = 'a weight-only qconfig (getWeightOnlyQConfig) observes no activations, so there is nothing to ' +
  'prepare or calibrate: quantizeDynamic(model, { qconfig }) applies it';

/**
 * A module's own qconfig, checked: undefined (inherit), null (keep float), a QConfig or a weight-only
 * qconfig. Anything else is a mistake (a plain { bits: 4 }) that quantizeDynamic() would pass over,
 * quantizing the Linear as int8, and prepare() would fail on inside ('activation is not a function').
 * @param {Module} mod @returns {QConfig | WeightOnlyQConfig | null | undefined}
 */
function ownQConfig(mod) {
  const qc = mod.qconfig;
  if (qc === undefined || qc === null || qc instanceof QConfig || qc instanceof WeightOnlyQConfig) return qc;
  throw new TypeError(`qdq-wasm: a ${mod.constructor.name}'s qconfig must be a QConfig (getDefaultQConfig()), a weight-only qconfig ` +
    `(getWeightOnlyQConfig()), null (keep it float) or undefined (its parent's), got ${describe(qc)}`);
}

/** @param {unknown} m @param {string} fn @returns {Sequential} */
function sequential(m, fn) {
  if (m instanceof Sequential) return m;
  if (m instanceof Module) {
    throw new TypeError(`qdq-wasm: ${fn}() needs a Sequential, got a ${m.constructor.name}: eager-mode quantization ` +
      'replaces the children of a model, so wrap the layer as new Sequential(new QuantStub(), layer, new DeQuantStub()) ' +
      '(PyTorch returns a bare module unchanged, or converts it and then fails on float input)');
  }
  throw new TypeError(`qdq-wasm: ${fn}() needs a Sequential, got ${describe(m)}`);
}

/**
 * The Sequential holding a dotted path ('3' or '1.0') and the index in it.
 * @param {Sequential} root @param {string} path @returns {[Sequential, number]}
 */
function locate(root, path) {
  if (typeof path !== 'string') throw new TypeError(`qdq-wasm: module names must be strings like '1', got ${describe(path)}`);
  const parts = path.split('.');
  let parent = root;
  for (let i = 0; i < parts.length; i++) {
    const idx = Number(parts[i]);
    if (!Number.isInteger(idx) || idx < 0 || idx >= parent.modules.length || String(idx) !== parts[i]) {
      throw new RangeError(`qdq-wasm: no module '${path}' in this model`);
    }
    if (i === parts.length - 1) return [parent, idx];
    const next = parent.modules[idx];
    if (!(next instanceof Sequential)) throw new RangeError(`qdq-wasm: no module '${path}' in this model`);
    parent = next;
  }
  throw new RangeError(`qdq-wasm: no module '${path}' in this model`);
}

/**
 * Fuses each [Linear, ReLU] pair into a LinearReLU (torch.ao.quantization.fuse_modules); the ReLU's
 * place becomes an Identity, so indices and state names keep their places. As in torch, the
 * LinearReLU inherits its parent's qconfig and a Linear's own one stays with the Linear (linearQConfig):
 * prepare() observes with the inherited one, convert() quantizes the weights with the Linear's own,
 * prepareQat() takes the Linear's own for both. A Linear's qconfig null keeps the pair float.
 * @param {Module} model a Sequential
 * @param {string[][]} modulesToFuse e.g. [['1', '2'], ['3', '4']]
 * @param {{ inplace?: boolean }} [opts] inplace: default false (a copy is fused)
 * @returns {Sequential}
 * @example
 * const fused = fuseModules(model, [['1', '2'], ['3', '4']]);
 */
export function fuseModules(model, modulesToFuse, opts) {
  const o = options('options', opts, ['inplace'], {});
  const root = sequential(model, 'fuseModules');
  const inplace = boolean('inplace', o.inplace ?? false);
  if (!Array.isArray(modulesToFuse)) throw new TypeError(`qdq-wasm: modulesToFuse must be an array of name lists, got ${describe(modulesToFuse)}`);
  const m = inplace ? root : root.clone();
  try {
    fuseInto(m, modulesToFuse);
  } catch (e) {
    if (!inplace) m.dispose(); // the copy, which may hold converted layers' wasm memory
    throw e;
  }
  return m;
}

/** @param {Sequential} m @param {unknown[]} modulesToFuse */
function fuseInto(m, modulesToFuse) {
  for (const group of modulesToFuse) {
    if (!Array.isArray(group) || group.length !== 2) {
      throw new RangeError(`qdq-wasm: each fusion must be [linearName, reluName] (only Linear + ReLU fuses), got ${describe(group)}`);
    }
    const [[pa, ia], [pb, ib]] = group.map((name) => locate(m, name));
    const a = pa.modules[ia], b = pb.modules[ib];
    if (!(a instanceof Linear) || a instanceof LinearReLU || !(b instanceof ReLU)) {
      throw new TypeError(`qdq-wasm: cannot fuse ${a.constructor.name} '${group[0]}' with ${b.constructor.name} '${group[1]}': ` +
        'only a Linear followed by a ReLU fuses');
    }
    ownQConfig(a); // a plain { bits: 4 } is refused here, before it hides on the fused module
    const fused = new LinearReLU(a.inFeatures, a.outFeatures, { bias: a.bias !== null });
    fused.loadOwnState(a.ownState());
    fused.training = a.training;
    // torch's fused module has no qconfig (it inherits) and keeps the Linear's on its [0]; None there
    // fails torch's convert, so null stays on the fused module: it keeps the pair float.
    if (a.qconfig === null) fused.qconfig = null;
    else fused.linearQConfig = a.qconfig;
    a.dispose();
    pa.modules[ia] = fused;
    pb.modules[ib] = new Identity().train(b.training);
  }
}


/**
 * The observer prepare() attached to a module (its output's), or null.
 * @param {Module} m @returns {import('./qconfig.js').ObserverLike | null}
 */
export function activationObserver(m) {
  if (!(m instanceof Module)) throw new TypeError(`qdq-wasm: module must be a Module, got ${foreign(m)}`);
  return OBSERVERS.get(m) ?? null;
}

/** @param {Module} m */
const observed = (m) => (m instanceof QuantStub && !(m instanceof DeQuantStub)) || m instanceof Linear;

/**
 * Attaches observers for static quantization (torch.ao.quantization.prepare): the output of every
 * QuantStub, Linear and LinearReLU whose qconfig (its own, else its parent's, else opts.qconfig; null
 * on a module keeps it and its children float, as torch's qconfig = None) is set gets qconfig.activation(); a LinearReLU's observer sees each batch twice, as torch 1.13's fused
 * module does (nn/module.js OBSERVED_TWICE). Run forward() on calibration data, then convert(). The model must
 * quantize its input (a QuantStub before the first Linear) and dequantize its output (a DeQuantStub
 * after the last), or prepare() says so now instead of the converted model failing later.
 * @param {Module} model a Sequential
 * @param {{ qconfig?: QConfig | null, inplace?: boolean }} [opts]
 * @returns {Sequential} the prepared copy (or model itself with inplace)
 * @example
 * const prepared = prepare(fused.eval(), { qconfig: getDefaultQConfig('qnnpack') });
 * for (const batch of calibration) prepared.forward(batch, 100);
 * const int8 = convert(prepared);
 */
export function prepare(model, opts) {
  const o = options('options', opts, ['qconfig', 'inplace'], {});
  const root = sequential(model, 'prepare');
  // null is not given, as every optional option (README): each module's own qconfig applies.
  if (o.qconfig != null && !(o.qconfig instanceof QConfig)) {
    if (o.qconfig instanceof WeightOnlyQConfig) throw new TypeError(`qdq-wasm: ${WEIGHT_ONLY_NOT_HERE}`);
    throw new TypeError(`qdq-wasm: qconfig must be a QConfig (getDefaultQConfig('qnnpack') or new QConfig(...)), got ${describe(o.qconfig)}`);
  }
  const inplace = boolean('inplace', o.inplace ?? false);
  const m = inplace ? root : root.clone();
  /** @param {Module} mod @param {QConfig | null} inherited */
  const attach = (mod, inherited) => {
    // undefined inherits; null opts out, as torch's qconfig = None (propagate_qconfig_).
    const own = ownQConfig(mod);
    const qc = own === undefined ? inherited : own;
    if (qc instanceof WeightOnlyQConfig) throw new TypeError(`qdq-wasm: module ${mod.constructor.name} has a weight-only qconfig: ${WEIGHT_ONLY_NOT_HERE}`);
    // A fused Linear's own weight-only qconfig would otherwise be passed over (convert and prepareQat take
    // only a QConfig from linearQConfig): refused as on the Linear before fusion.
    if (mod instanceof LinearReLU && mod.linearQConfig instanceof WeightOnlyQConfig) {
      throw new TypeError(`qdq-wasm: module LinearReLU's Linear had a weight-only qconfig before fusion: ${WEIGHT_ONLY_NOT_HERE}`);
    }
    if (qc && observed(mod)) {
      OBSERVERS.set(mod, qc.activation());
      if (mod instanceof LinearReLU) OBSERVED_TWICE.add(mod);
    }
    if (qc) mod.qconfig = qc;
    for (const [, c] of mod.namedChildren()) attach(c, qc);
  };
  try {
    attach(m, o.qconfig ?? null);
    checkStubs(m);
  } catch (e) {
    if (!inplace) m.dispose();
    throw e;
  }
  return m;
}

/**
 * Prepares a model for quantization-aware training (torch.ao.quantization.prepare_qat): as prepare(),
 * but with the qconfig's FakeQuantize modules (getDefaultQatQConfig) on activations and on every
 * Linear / LinearReLU weight. Train it (forward, backward, an optimizer), then eval() and convert().
 * @param {Module} model a Sequential in training mode
 * @param {{ qconfig?: QConfig | null, inplace?: boolean }} [opts]
 * @returns {Sequential}
 * @example
 * const qat = prepareQat(fuseModules(model, [['1', '2'], ['3', '4']]).train(), { qconfig: getDefaultQatQConfig('qnnpack') });
 */
export function prepareQat(model, opts) {
  const root = sequential(model, 'prepareQat');
  if (!root.training) throw new RangeError('qdq-wasm: prepareQat needs a model in training mode: call model.train() first (as torch asserts)');
  const m = prepare(root, opts);
  try {
    walkLinears(m, (lin) => {
      OBSERVED_TWICE.delete(lin); // torch's QAT LinearReLU is a Linear: its hook alone observes
      // torch's swap builds the QAT LinearReLU from LinearReLU[0].qconfig, the Linear's own from before fusion.
      if (lin instanceof LinearReLU && lin.linearQConfig instanceof QConfig && OBSERVERS.has(lin)) {
        lin.qconfig = lin.linearQConfig;
        OBSERVERS.set(lin, lin.linearQConfig.activation());
      }
      const fq = /** @type {any} */ (lin.qconfig)?.weight();
      if (fq && typeof fq.forward === 'function' && typeof fq.backward === 'function') lin.weightFakeQuant = fq;
      else if (fq) throw new TypeError("qdq-wasm: prepareQat needs a QAT qconfig (getDefaultQatQConfig): its weight must be a FakeQuantize");
    });
  } catch (e) {
    if (m !== root) m.dispose();
    throw e;
  }
  return m;
}

/** @param {Module} m @param {(l: Linear) => void} fn */
function walkLinears(m, fn) {
  if (m instanceof Linear) fn(m);
  for (const [, c] of m.namedChildren()) walkLinears(c, fn);
}

/**
 * Walks the model in order with what flows between modules, float or quantized, and throws where
 * a quantized Linear would get floats or the output would stay quantized.
 * @param {Sequential} m
 */
function checkStubs(m) {
  let quantized = false;
  /** @param {Module} mod @param {string} name */
  const visit = (mod, name) => {
    if (mod instanceof Sequential) {
      mod.modules.forEach((c, i) => visit(c, name ? `${name}.${i}` : String(i)));
    } else if (mod instanceof DeQuantStub) {
      quantized = false;
    } else if (mod instanceof QuantStub) {
      if (mod.qconfig) quantized = true;
    } else if (mod instanceof Linear && mod.qconfig && !quantized) {
      throw new RangeError(`qdq-wasm: ${mod.constructor.name} '${name}' would be quantized but gets float input: put a ` +
        'QuantStub before it (with a qconfig). In PyTorch the converted model fails with "Could not run ' +
        '\'quantized::linear\' with arguments from the \'CPU\' backend"');
    } else if (mod instanceof Linear && !mod.qconfig && quantized) {
      throw new RangeError(`qdq-wasm: float ${mod.constructor.name} '${name}' (no qconfig) would get quantized input: put a DeQuantStub before it`);
    }
  };
  visit(m, '');
  if (quantized) {
    throw new RangeError('qdq-wasm: this model would return quantized values: end it with a DeQuantStub ' +
      '(PyTorch returns a quantized tensor, which float code downstream cannot use)');
  }
}

/**
 * Quantizes a Linear's weights with its qconfig's weight observer: symmetric int8 (zero point 0),
 * PyTorch's rounding, then clamped to the observer's [quantMin, quantMax], as torch's Linear.from_float.
 * @param {Linear} lin @param {QConfig} qc @param {string} name
 * @returns {{ q: Int8Array, scales: Float32Array }}
 */
function quantizeWeight(lin, qc, name) {
  // After QAT the weight's own FakeQuantize decides, fed the final weight once more (torch's
  // qat.Linear.to_float path calls weight_fake_quant(weight) before calculate_qparams).
  const obs = /** @type {any} */ (lin.weightFakeQuant) ?? qc.weight();
  const shape = [lin.outFeatures, lin.inFeatures];
  obs.observe(lin.weight, shape);
  const p = obs.calculateQParams();
  const scales = p.scales ?? new Float32Array(lin.outFeatures).fill(p.scale);
  const zps = p.zeroPoints ?? new Int32Array(lin.outFeatures).fill(p.zeroPoint);
  const bad = Array.from(zps).findIndex((z) => z !== 0);
  if (bad >= 0) {
    throw new RangeError(`qdq-wasm: ${lin.constructor.name} '${name}': its weight observer gave zero point ${zps[bad]} ` +
      `(channel ${bad}); the int8 GEMM takes symmetric weights (zero point 0): use qscheme 'per_tensor_symmetric' or ` +
      "'per_channel_symmetric' with dtype 'int8', as every default qconfig does");
  }
  const q = quantizePerChannel(lin.weight, { shape, axis: 0, scales, zeroPoints: zps, dtype: 'int8', compat: 'pytorch' });
  const data = /** @type {Int8Array} */ (q.data);
  // A narrow observer (quantMin/quantMax, e.g. 4-bit weights) sets the scale, but quantizing to
  // int8 can still round past its bounds (max|w| / scale = 7.5 rounds to 8): torch 1.13 clamps
  // the integers to the observer's range (_clamp_weights), so do we.
  const lo = Math.max(-128, obs.quantMin ?? -128), hi = Math.min(127, obs.quantMax ?? 127);
  if (lo > -128 || hi < 127) for (let i = 0; i < data.length; i++) data[i] = Math.min(hi, Math.max(lo, data[i]));
  return { q: data, scales: q.scales };
}

/**
 * Converts a prepared and calibrated model to int8 (torch.ao.quantization.convert): each observed
 * QuantStub becomes a Quantize, each observed Linear / LinearReLU a QuantizedLinearModule (weights
 * quantized by the qconfig's weight observer, output requantized with its activation observer's
 * scale and zero point, ReLU fused), each DeQuantStub a DeQuantize. The result runs int8 from the
 * QuantStub to the DeQuantStub. Owns wasm memory: dispose() it.
 * @param {Module} model a Sequential returned by prepare() and calibrated
 * @param {{ inplace?: boolean, keepWidened?: boolean }} [opts] keepWidened: the QuantizedLinears keep
 *   their weights widened to int16 too (PackedMatrix.pack's keepWidened; default false)
 * @returns {Sequential}
 */
export function convert(model, opts) {
  const o = options('options', opts, ['inplace', 'keepWidened'], {});
  const root = sequential(model, 'convert');
  const inplace = boolean('inplace', o.inplace ?? false);
  const keepWidened = boolean('keepWidened', o.keepWidened ?? false);
  const build = new Build(inplace);
  /** @type {{ scale: number, zeroPoint: number, dtype: 'int8' | 'uint8' } | null} */
  let act = null;
  /** @param {Sequential} seq @param {string} prefix @returns {Sequential} */
  const conv = (seq, prefix) => {
    const out = seq.modules.map((mod, i) => {
      const name = prefix + i;
      if (mod instanceof Sequential) return conv(mod, `${name}.`);
      const obs = OBSERVERS.get(mod);
      if (mod instanceof DeQuantStub) {
        const was = act;
        act = null;
        return was ? new DeQuantize().train(mod.training) : build.copy(mod);
      }
      if (!obs) {
        // A qconfig without its observer is a module prepare() did not see (its qconfig set afterwards,
        // or a model never prepared). Copied as float, it would run unquantized without a word; torch's
        // convert fails on it (an AssertionError in from_float).
        if (mod.qconfig && observed(mod)) {
          throw new RangeError(`qdq-wasm: ${mod.constructor.name} '${name}' has a qconfig but no observer: convert() takes the ` +
            'model prepare() or prepareQat() returned (or its clone()), calibrated');
        }
        return build.copy(mod);
      }
      const p = obs.calculateQParams();
      const dtype = /** @type {any} */ (obs).dtype ?? 'uint8';
      if (p.scale === undefined) throw new RangeError(`qdq-wasm: the activation observer of '${name}' is per channel; activations take one scale`);
      if (mod instanceof QuantStub) {
        act = { scale: p.scale, zeroPoint: p.zeroPoint, dtype };
        return new Quantize(p.scale, p.zeroPoint, dtype).train(mod.training);
      }
      const lin = /** @type {Linear} */ (mod);
      if (!act) throw new RangeError(`qdq-wasm: '${name}' gets float input; put a QuantStub before it`);
      if (act.dtype !== dtype) throw new RangeError(`qdq-wasm: '${name}' observes ${dtype} outputs but gets ${act.dtype} input`);
      const w = quantizeWeight(lin, weightQConfig(lin), name);
      const layer = QuantizedLinear.fromQuantized({
        weight: w.q, weightScales: w.scales, bias: lin.bias, inFeatures: lin.inFeatures, outFeatures: lin.outFeatures,
        inputScale: act.scale, inputZeroPoint: act.zeroPoint, outputScale: p.scale, outputZeroPoint: p.zeroPoint,
        dtype, relu: lin instanceof LinearReLU, keepWidened,
      });
      act = { scale: layer.outputScale, zeroPoint: layer.outputZeroPoint, dtype };
      return build.made(layer, () => new QuantizedLinearModule(layer, lin.bias ? Float32Array.from(lin.bias) : null).train(lin.training));
    });
    return build.replace(seq, out);
  };
  return build.run(() => conv(root, ''));
}

/**
 * The qconfig whose weight observer quantizes a Linear: a fused Linear's own from before fusion
 * (torch's from_float reads LinearReLU[0].qconfig), else the one prepare() resolved.
 * @param {Linear} lin @returns {QConfig}
 */
function weightQConfig(lin) {
  return lin instanceof LinearReLU && lin.linearQConfig instanceof QConfig ? lin.linearQConfig : /** @type {QConfig} */ (lin.qconfig);
}

/**
 * Dynamic quantization (torch.ao.quantization.quantize_dynamic): every Linear (and LinearReLU) but one
 * whose own qconfig is null (torch's qconfig = None, which its type mapping does not override) becomes
 * a DynamicQuantizedLinearModule with int8 symmetric weights (per tensor, as torch's
 * default_dynamic_qconfig, or per channel) and activations quantized per call. Unlike PyTorch, a bare
 * Linear is quantized too (torch swaps child modules only, so quantize_dynamic(nn.Linear(4, 2))
 * returns the float layer unchanged).
 *
 * Weight-only: when the nearest qconfig of a Linear (its own, else its nearest Sequential's, else
 * opts.qconfig; of any kind, as torch propagates them) is a weight-only one (getWeightOnlyQConfig), the
 * Linear becomes a WeightOnlyQuantizedLinearModule instead: 4- or 8-bit block weights, float
 * activations. Owns wasm memory: dispose() it.
 * @param {Module} model a Sequential or a Linear
 * @param {{ dtype?: 'int8', perChannel?: boolean, qconfig?: WeightOnlyQConfig | null, inplace?: boolean,
 *   keepWidened?: boolean }} [opts]
 *   dtype: the int8 layers' weights (default 'int8', qint8); perChannel: theirs too; keepWidened: they keep
 *   their weights widened to int16 too (PackedMatrix.pack's keepWidened; default false)
 * @returns {Module}
 * @example
 * const dq = quantizeDynamic(model, { perChannel: true });
 * const y = dq.forward(x, 1);
 * const int4 = quantizeDynamic(model, { qconfig: getWeightOnlyQConfig({ bits: 4, blockSize: 32 }) });
 */
export function quantizeDynamic(model, opts) {
  const o = options('options', opts, ['dtype', 'perChannel', 'qconfig', 'inplace', 'keepWidened'], {});
  oneOf('dtype', o.dtype ?? 'int8', /** @type {const} */ (['int8']));
  const perChannel = boolean('perChannel', o.perChannel ?? false);
  if (o.qconfig != null && !(o.qconfig instanceof WeightOnlyQConfig)) {
    throw new TypeError('qdq-wasm: quantizeDynamic\'s qconfig must be a weight-only qconfig (getWeightOnlyQConfig({ bits: 4 })): ' +
      `it observes no activations, so ${o.qconfig instanceof QConfig ? "a QConfig's observers would never run (for static int8, " +
        'prepare(), calibrate and convert())' : `got ${describe(o.qconfig)}`}`);
  }
  const inplace = boolean('inplace', o.inplace ?? false);
  const keepWidened = boolean('keepWidened', o.keepWidened ?? false);
  const build = new Build(inplace);
  /** @param {Module} mod @param {WeightOnlyQConfig | null} inherited @returns {Module} */
  const swap = (mod, inherited) => {
    let own = ownQConfig(mod);
    // A fused Linear's own from before fusion counts as the LinearReLU's (quantize_dynamic here swaps fused modules too).
    if (own === undefined && mod instanceof LinearReLU) own = mod.linearQConfig;
    // The nearest qconfig of any kind wins, as torch's propagate_qconfig_: a module's own QConfig or
    // null ends a weight-only one from above (a Linear with its own QConfig gets int8 weights).
    const weightOnly = own instanceof WeightOnlyQConfig ? own : own === undefined ? inherited : null;
    // qconfig null keeps a Linear float, as torch's quantize_dynamic leaves a module whose qconfig is None.
    if (mod instanceof Linear && own !== null) {
      const relu = mod instanceof LinearReLU;
      if (weightOnly) {
        const { bits, blockSize, symmetric, accuracyLevel } = weightOnly;
        const layer = WeightOnlyQuantizedLinear.fromFloat(mod.weight, mod.bias, {
          inFeatures: mod.inFeatures, outFeatures: mod.outFeatures, bits, blockSize, symmetric, accuracyLevel,
        });
        return build.made(layer, () => new WeightOnlyQuantizedLinearModule(layer, relu).train(mod.training));
      }
      const layer = DynamicQuantizedLinear.fromFloat(mod.weight, mod.bias, {
        inFeatures: mod.inFeatures, outFeatures: mod.outFeatures, perChannel, compat: 'pytorch', keepWidened,
      });
      return build.made(layer, () => new DynamicQuantizedLinearModule(layer, relu).train(mod.training));
    }
    if (mod instanceof Sequential) return build.replace(mod, mod.modules.map((c) => swap(c, weightOnly)));
    if (mod instanceof Module) return build.copy(mod);
    throw new TypeError(`qdq-wasm: model must be a Module, got ${describe(mod)}`);
  };
  return build.run(() => swap(model, o.qconfig ?? null));
}

/**
 * A converted model under construction (convert, quantizeDynamic): nothing is changed until every
 * module is built, and a step that throws frees what was built so far (converted layers own wasm
 * memory), so a failed call leaves the model and the memory as they were.
 */
class Build {
  /** @param {boolean} inplace */
  constructor(inplace) {
    this.inplace = inplace;
    /** New modules and layers, disposed if a later step throws. @type {{ dispose(): void }[]} */
    this.owned = [];
    /** The in-place replacements, applied once everything is built. @type {(() => void)[]} */
    this.commits = [];
  }

  /**
   * A module wrapping a new layer; the layer is freed if wrapping it throws.
   * @template {Module} M @param {{ dispose(): void }} layer @param {() => M} wrap @returns {M}
   */
  made(layer, wrap) {
    this.owned.push(layer);
    const m = wrap();
    this.owned.push(m);
    return m;
  }

  /** A module kept as it is: itself in place, else a copy. @param {Module} m @returns {Module} */
  copy(m) {
    if (this.inplace) return m;
    const c = m.clone();
    this.owned.push(c);
    return c;
  }

  /**
   * seq with its modules replaced by out: in place once the whole model is built (disposing the
   * replaced ones), or as a new Sequential in the same training mode.
   * @param {Sequential} seq @param {Module[]} out @returns {Sequential}
   */
  replace(seq, out) {
    if (this.inplace) {
      this.commits.push(() => {
        seq.modules.forEach((m, i) => { if (out[i] !== m) m.dispose(); });
        seq.modules = out;
      });
      return seq;
    }
    const s = new Sequential(...out);
    s.training = seq.training;
    return s;
  }

  /** @template T @param {() => T} f @returns {T} */
  run(f) {
    let result;
    try {
      result = f();
    } catch (e) {
      for (const m of this.owned) m.dispose();
      throw e;
    }
    for (const c of this.commits) c();
    return result;
  }
}
