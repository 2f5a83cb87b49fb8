// A whole model in one safetensors file, float or converted: every state tensor under PyTorch's
// state_dict names ('1.weight', '1.scale', …), and the module tree (types and sizes, no values) as
// JSON in the header's __metadata__, so loadModel() rebuilds the model without its code.
//   saveModel -> stateDict() + writeSafetensors (js/io/safetensors.js)
//   loadModel -> readSafetensors, a skeleton from the tree, loadStateDict() (all checks there)

import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import { describe, oneOf, options } from '../runtime/validate.js';
import { DynamicQuantizedLinear } from '../layers/dynamic-linear.js';
import { QuantizedLinear } from '../layers/quantized-linear.js';
import { Linear, LinearReLU, ReLU } from '../nn/linear.js';
import { Flatten, Identity, Module, Sequential } from '../nn/module.js';
import { DynamicQuantizedLinearModule, QuantizedLinearModule } from './quantized-modules.js';
import { DeQuantize, DeQuantStub, Quantize, QuantStub } from './stubs.js';

/** The __metadata__ key holding the module tree. */
export const MODULES_KEY = 'qdq-wasm.modules';

/**
 * The tree of m: its type and what the constructor needs, never a tensor's values.
 * @param {Module} m @param {string} name @returns {Record<string, any>}
 */
function spec(m, name) {
  if (m instanceof Sequential) return { type: 'Sequential', modules: m.modules.map((c, i) => spec(c, name ? `${name}.${i}` : String(i))) };
  if (m instanceof Linear) {
    if (m.weightFakeQuant) {
      throw new TypeError(`qdq-wasm: module '${name}' is prepared for QAT (it fake-quantizes its weight): eval() and convert() it before saveModel()`);
    }
    return { type: m instanceof LinearReLU ? 'LinearReLU' : 'Linear', inFeatures: m.inFeatures, outFeatures: m.outFeatures, bias: m.bias !== null };
  }
  if (m instanceof QuantizedLinearModule) {
    const l = m.layer;
    return { type: 'QuantizedLinear', inFeatures: l.inFeatures, outFeatures: l.outFeatures, dtype: l.dtype, relu: l.relu, bias: m.bias !== null };
  }
  if (m instanceof DynamicQuantizedLinearModule) {
    const l = m.layer;
    return { type: 'DynamicQuantizedLinear', inFeatures: l.inFeatures, outFeatures: l.outFeatures, relu: m.relu,
      compat: l.compat, reduceRange: l.reduceRange, bias: l.bias !== null };
  }
  if (m instanceof Quantize) return { type: 'Quantize', dtype: m.dtype };
  // Subclasses before their bases: DeQuantStub extends QuantStub extends Identity, Flatten extends Identity.
  for (const [type, C] of /** @type {const} */ ([['DeQuantStub', DeQuantStub], ['QuantStub', QuantStub], ['Flatten', Flatten],
    ['Identity', Identity], ['ReLU', ReLU], ['DeQuantize', DeQuantize]])) {
    if (m.constructor === C) return { type };
  }
  throw new TypeError(`qdq-wasm: saveModel() cannot describe module '${name}', a ${m.constructor.name}`);
}

/**
 * Writes a model (float, static or dynamic int8) as one safetensors file: its stateDict() (int8
 * weights as I8, scales F32, zero points I32, float bias F32, int32 bias I32, input scales F64) and
 * its module tree in __metadata__ ('qdq-wasm.modules'). loadModel() reads it back into a model whose
 * outputs are bit-identical.
 * @param {Module} model
 * @param {{ metadata?: Record<string, string> }} [opts] more __metadata__ strings (not 'qdq-wasm.modules')
 * @returns {Uint8Array}
 * @example
 * fs.writeFileSync('mlp-int8.safetensors', saveModel(convert(prepared)));
 */
export function saveModel(model, opts) {
  const o = options('options', opts, ['metadata'], {});
  if (!(model instanceof Module)) throw new TypeError(`qdq-wasm: model must be a Module, got ${describe(model)}`);
  const extra = o.metadata ?? {};
  if (extra === null || typeof extra !== 'object') throw new TypeError(`qdq-wasm: metadata must be an object of strings, got ${describe(extra)}`);
  if (Object.hasOwn(extra, MODULES_KEY)) throw new RangeError(`qdq-wasm: metadata key '${MODULES_KEY}' is saveModel()'s own`);
  const metadata = { ...extra, [MODULES_KEY]: JSON.stringify(spec(model, '')) };
  return writeSafetensors(model.stateDict(), { metadata });
}

/** @param {Record<string, any>} s @param {string} key @param {string} name @returns {any} */
function field(s, key, name) {
  if (!(key in s)) throw new RangeError(`qdq-wasm: the module tree gives module '${name}' (${s.type}) no '${key}'`);
  return s[key];
}

/**
 * A module of the tree with placeholder values, which loadStateDict() then replaces (and checks).
 * @param {unknown} s @param {string} name @returns {Module}
 */
function build(s, name) {
  if (s === null || typeof s !== 'object' || Array.isArray(s)) throw new RangeError(`qdq-wasm: the module tree's '${name || '(root)'}' is ${describe(s)}, not a module`);
  const t = /** @type {Record<string, any>} */ (s);
  const f = (/** @type {string} */ k) => field(t, k, name || '(root)');
  switch (t.type) {
    case 'Sequential': {
      const mods = f('modules');
      if (!Array.isArray(mods)) throw new RangeError(`qdq-wasm: the module tree's Sequential '${name || '(root)'}' has no module list`);
      return new Sequential(...mods.map((c, i) => build(c, name ? `${name}.${i}` : String(i))));
    }
    case 'Linear': case 'LinearReLU':
      return new (t.type === 'Linear' ? Linear : LinearReLU)(f('inFeatures'), f('outFeatures'), { bias: f('bias') === true });
    case 'QuantizedLinear': {
      const n = f('outFeatures'), bias = f('bias') === true;
      const layer = QuantizedLinear.fromQuantized({
        weight: new Int8Array(f('inFeatures') * n), weightScales: new Float32Array(n).fill(1), bias: null,
        inFeatures: f('inFeatures'), outFeatures: n, inputScale: 1, outputScale: 1, dtype: f('dtype'), relu: f('relu'),
      });
      return new QuantizedLinearModule(layer, bias ? new Float32Array(n) : null);
    }
    case 'DynamicQuantizedLinear': {
      const n = f('outFeatures');
      const layer = DynamicQuantizedLinear.fromQuantized({
        weight: new Int8Array(f('inFeatures') * n), weightScales: new Float32Array(n).fill(1),
        bias: f('bias') === true ? new Float32Array(n) : null, inFeatures: f('inFeatures'), outFeatures: n,
        compat: f('compat'), reduceRange: f('reduceRange'),
      });
      return new DynamicQuantizedLinearModule(layer, f('relu') === true);
    }
    case 'Quantize': return new Quantize(1, 0, oneOf('dtype', f('dtype'), /** @type {const} */ (['int8', 'uint8'])));
    case 'DeQuantize': return new DeQuantize();
    case 'QuantStub': return new QuantStub();
    case 'DeQuantStub': return new DeQuantStub();
    case 'ReLU': return new ReLU();
    case 'Identity': return new Identity();
    case 'Flatten': return new Flatten();
    default: throw new RangeError(`qdq-wasm: the module tree's '${name || '(root)'}' has unknown type ${describe(t.type)}`);
  }
}

/**
 * Reads a file written by saveModel(): the model, in eval mode, with every tensor checked as
 * loadStateDict() checks them (a missing, extra, misshapen or mistyped tensor, a scale that is not
 * finite and > 0, a zero point outside its dtype, or a bias_int32 that its float bias does not
 * give is an error naming the tensor or module). Converted models own wasm memory: dispose() them.
 * To load a PyTorch-style state dict into a model you already built, use model.loadStateDict().
 * @param {Uint8Array | ArrayBuffer | ArrayBufferView} bytes
 * @returns {Module}
 * @example
 * const int8 = loadModel(fs.readFileSync('mlp-int8.safetensors'));
 * const logits = int8.forward(images, 100);
 */
export function loadModel(bytes) {
  const { tensors, metadata } = readSafetensors(bytes);
  const json = metadata?.[MODULES_KEY];
  if (json === undefined) {
    throw new RangeError(`qdq-wasm: this safetensors file has no '${MODULES_KEY}' metadata (it was not written by saveModel()): ` +
      'build the model and call model.loadStateDict(readSafetensors(bytes).tensors)');
  }
  let tree;
  try {
    tree = JSON.parse(json);
  } catch {
    throw new RangeError(`qdq-wasm: the '${MODULES_KEY}' metadata is not JSON`);
  }
  const model = build(tree, '');
  try {
    return model.loadStateDict(tensors).eval();
  } catch (e) {
    model.dispose();
    throw e;
  }
}
