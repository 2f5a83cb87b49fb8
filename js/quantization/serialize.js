// A whole model in one safetensors file, float or converted: every state tensor under PyTorch's
// state_dict names ('1.weight', '1.scale', …), and the module tree (types and sizes, no values) as
// JSON in the header's __metadata__, so loadModel() rebuilds the model without its code.
//   saveModel -> stateDict() + writeSafetensors (js/io/safetensors.js)
//   loadModel -> readSafetensors, a skeleton from the tree, loadStateDict() (all checks there)

import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import { boolean, describe, oneOf, options } from '../runtime/validate.js';
import { DynamicQuantizedLinear } from '../layers/dynamic-linear.js';
import { QuantizedLinear } from '../layers/quantized-linear.js';
import { Linear, LinearReLU, ReLU } from '../nn/linear.js';
import { Flatten, Identity, Module, Sequential } from '../nn/module.js';
import { DynamicQuantizedLinearModule, KEEP_WIDENED_ON_LOAD, QuantizedLinearModule } from './quantized-modules.js';
import { WeightOnlyQuantizedLinearModule } from './weight-only.js';
import { WeightOnlyQuantizedLinear } from '../layers/weight-only-linear.js';
import { blockShape, ortSizes } from '../ops/blockwise.js';
import { DeQuantize, DeQuantStub, Quantize, QuantStub } from './stubs.js';

/** The __metadata__ key holding the module tree. */
export const MODULES_KEY = 'qdq-wasm.modules';

/**
 * How deeply Sequentials may nest in a saved model's tree: loadModel() builds the tree recursively,
 * and a hostile file could nest it deep enough to overflow the stack. Real models nest a few levels.
 */
export const MAX_MODULE_DEPTH = 64;

/** Bytes of every tensor of a file: no weight of its tree can have more values. @param {Map<string, { data: ArrayBufferView }>} tensors */
function tensorBytes(tensors) {
  let n = 0;
  for (const t of tensors.values()) n += t.data.byteLength;
  return n;
}

/**
 * The tree of m: its type and what the constructor needs, never a tensor's values.
 * @param {Module} m @param {string} name @param {number} [depth] Sequentials above m
 * @returns {Record<string, any>}
 */
function spec(m, name, depth = 0) {
  if (m instanceof Sequential) {
    if (depth >= MAX_MODULE_DEPTH) {
      throw new RangeError(`qdq-wasm: saveModel() writes Sequentials nested at most ${MAX_MODULE_DEPTH} deep (loadModel()'s limit); '${name}' is deeper`);
    }
    return { type: 'Sequential', modules: m.modules.map((c, i) => spec(c, name ? `${name}.${i}` : String(i), depth + 1)) };
  }
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
  if (m instanceof WeightOnlyQuantizedLinearModule) {
    const l = m.layer;
    return { type: 'WeightOnlyQuantizedLinear', inFeatures: l.inFeatures, outFeatures: l.outFeatures, bits: l.bits,
      blockSize: l.blockSize, accuracyLevel: l.accuracyLevel, zeroPoints: l.weight.zeroPoints !== null, relu: m.relu, bias: l.bias !== null };
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
 * Writes a model (float, static or dynamic int8, or weight-only) as one safetensors file: its stateDict()
 * (int8 weights as I8, block weights and their zero points U8, scales F32, zero points I32, float bias F32,
 * int32 bias I32, input scales F64) and
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

/** The path of a module in errors. @param {string} name */
const where = (name) => `'${name || '(root)'}'`;

/** @param {Record<string, any>} s @param {string} key @param {string} name @returns {any} */
function field(s, key, name) {
  if (!Object.hasOwn(s, key)) throw new RangeError(`qdq-wasm: the module tree gives module ${where(name)} (${s.type}) no '${key}'`);
  return s[key];
}

/**
 * A size of the tree: an integer in [1, 2^31 - 1]. The file is not trusted: any other value is a
 * RangeError naming the module and the key.
 * @param {Record<string, any>} s @param {string} key @param {string} name @returns {number}
 */
function size(s, key, name) {
  const v = field(s, key, name);
  if (!Number.isInteger(v) || v < 1 || v > 2 ** 31 - 1) {
    throw new RangeError(`qdq-wasm: the module tree gives module ${where(name)} (${s.type}) ${key} ${describe(v)}; ` +
      'it must be an integer in [1, 2147483647]');
  }
  return v;
}

/** @param {Record<string, any>} s @param {string} key @param {string} name @returns {boolean} */
function flag(s, key, name) {
  const v = field(s, key, name);
  if (typeof v !== 'boolean') throw new RangeError(`qdq-wasm: the module tree gives module ${where(name)} (${s.type}) ${key} ${describe(v)}; it must be true or false`);
  return v;
}

/**
 * inFeatures and outFeatures of a Linear of the tree, whose weight the file must hold: a weight
 * larger than the whole file is refused before anything is allocated for it.
 * @param {Record<string, any>} s @param {string} name @param {number} fileBytes
 */
function features(s, name, fileBytes) {
  const inFeatures = size(s, 'inFeatures', name), outFeatures = size(s, 'outFeatures', name);
  if (inFeatures * outFeatures > fileBytes) {
    throw new RangeError(`qdq-wasm: the module tree gives module ${where(name)} (${s.type}) a [${outFeatures}, ${inFeatures}] ` +
      `weight, more values than the whole file has bytes (${fileBytes})`);
  }
  return { inFeatures, outFeatures };
}

/**
 * An int8 Linear placeholder whose loaded layer keeps its weights widened when keepWidened
 * (quantized-modules.js KEEP_WIDENED_ON_LOAD; the placeholder itself is packed without).
 * @template {QuantizedLinearModule | DynamicQuantizedLinearModule} M @param {M} mod @param {boolean} keepWidened @returns {M}
 */
function onLoad(mod, keepWidened) {
  if (keepWidened) /** @type {any} */ (mod)[KEEP_WIDENED_ON_LOAD] = true;
  return mod;
}

/**
 * A module of the tree with placeholder values, which loadStateDict() then replaces (and checks).
 * A module that cannot be built frees the ones built before it.
 * @param {unknown} s @param {string} name @param {number} depth Sequentials above it
 * @param {number} fileBytes the file's size, which bounds every weight
 * @param {boolean} keepWidened the int8 layers' keepWidened (loadModel's option)
 * @returns {Module}
 */
function build(s, name, depth, fileBytes, keepWidened) {
  if (s === null || typeof s !== 'object' || Array.isArray(s)) throw new RangeError(`qdq-wasm: the module tree's ${where(name)} is ${describe(s)}, not a module`);
  const t = /** @type {Record<string, any>} */ (s);
  switch (t.type) {
    case 'Sequential': {
      const mods = field(t, 'modules', name);
      if (!Array.isArray(mods)) throw new RangeError(`qdq-wasm: the module tree's Sequential ${where(name)} has no module list`);
      if (depth >= MAX_MODULE_DEPTH) {
        throw new RangeError(`qdq-wasm: the module tree nests Sequentials more than ${MAX_MODULE_DEPTH} deep (at ${where(name)})`);
      }
      /** @type {Module[]} */
      const built = [];
      try {
        mods.forEach((c, i) => built.push(build(c, name ? `${name}.${i}` : String(i), depth + 1, fileBytes, keepWidened)));
      } catch (e) {
        for (const m of built) m.dispose();
        throw e;
      }
      return new Sequential(...built);
    }
    case 'Linear': case 'LinearReLU': {
      const { inFeatures, outFeatures } = features(t, name, fileBytes);
      return new (t.type === 'Linear' ? Linear : LinearReLU)(inFeatures, outFeatures, { bias: flag(t, 'bias', name) });
    }
    case 'QuantizedLinear': {
      const { inFeatures, outFeatures: n } = features(t, name, fileBytes);
      const bias = flag(t, 'bias', name);
      const layer = inTree(name, t.type, () => QuantizedLinear.fromQuantized({
        weight: new Int8Array(inFeatures * n), weightScales: new Float32Array(n).fill(1), bias: null,
        inFeatures, outFeatures: n, inputScale: 1, outputScale: 1, dtype: field(t, 'dtype', name), relu: flag(t, 'relu', name),
      }));
      return onLoad(new QuantizedLinearModule(layer, bias ? new Float32Array(n) : null), keepWidened);
    }
    case 'DynamicQuantizedLinear': {
      const { inFeatures, outFeatures: n } = features(t, name, fileBytes);
      const relu = flag(t, 'relu', name);
      const layer = inTree(name, t.type, () => DynamicQuantizedLinear.fromQuantized({
        weight: new Int8Array(inFeatures * n), weightScales: new Float32Array(n).fill(1),
        bias: flag(t, 'bias', name) ? new Float32Array(n) : null, inFeatures, outFeatures: n,
        compat: field(t, 'compat', name), reduceRange: flag(t, 'reduceRange', name),
      }));
      return onLoad(new DynamicQuantizedLinearModule(layer, relu), keepWidened);
    }
    case 'WeightOnlyQuantizedLinear': {
      const k = size(t, 'inFeatures', name), n = size(t, 'outFeatures', name);
      const bits = field(t, 'bits', name), blockSize = field(t, 'blockSize', name);
      // Packed weights take bits / 8 bytes a value: the file must hold them (checked before allocating).
      const sizes = inTree(name, t.type, () => {
        blockShape({ n, k, bits, blockSize });
        return ortSizes(n, k, bits, blockSize);
      });
      if (sizes.data > fileBytes) {
        throw new RangeError(`qdq-wasm: the module tree gives module ${where(name)} (${t.type}) ${sizes.data} bytes of packed ` +
          `weights ([${n}, ${k}] at ${bits} bits), more than the whole file has (${fileBytes})`);
      }
      const layer = inTree(name, t.type, () => WeightOnlyQuantizedLinear.fromQuantized({
        weight: { data: new Uint8Array(sizes.data), scales: new Float32Array(sizes.scales).fill(1),
          zeroPoints: flag(t, 'zeroPoints', name) ? new Uint8Array(sizes.zeroPoints) : null },
        bias: flag(t, 'bias', name) ? new Float32Array(n) : null, inFeatures: k, outFeatures: n, bits, blockSize,
        accuracyLevel: field(t, 'accuracyLevel', name),
      }));
      try {
        return new WeightOnlyQuantizedLinearModule(layer, flag(t, 'relu', name));
      } catch (e) {
        layer.dispose();
        throw e;
      }
    }
    case 'Quantize': return new Quantize(1, 0, inTree(name, t.type, () => oneOf('dtype', field(t, 'dtype', name), /** @type {const} */ (['int8', 'uint8']))));
    case 'DeQuantize': return new DeQuantize();
    case 'QuantStub': return new QuantStub();
    case 'DeQuantStub': return new DeQuantStub();
    case 'ReLU': return new ReLU();
    case 'Identity': return new Identity();
    case 'Flatten': return new Flatten();
    default: throw new RangeError(`qdq-wasm: the module tree's ${where(name)} has unknown type ${describe(t.type)}`);
  }
}

/**
 * Runs a step of build() whose checks are the layers' own (dtype, compat, k at most GEMM_MAX_K):
 * their errors become RangeErrors naming the module, as the tree is the file's content.
 * @template T @param {string} name @param {string} type @param {() => T} f @returns {T}
 */
function inTree(name, type, f) {
  try {
    return f();
  } catch (e) {
    const msg = e instanceof Error ? e.message : '';
    if ((e instanceof TypeError || e instanceof RangeError) && msg.startsWith('qdq-wasm: ')) {
      throw new RangeError(`qdq-wasm: the module tree's ${where(name)} (${type}): ${msg.slice(10)}`);
    }
    throw e;
  }
}

/**
 * Reads a file written by saveModel(): the model, in eval mode, with every tensor checked as
 * loadStateDict() checks them (a missing, extra, misshapen or mistyped tensor, a scale that is not
 * finite and > 0, a zero point outside its dtype, or a bias_int32 that its float bias does not
 * give is an error naming the tensor or module). Converted models own wasm memory: dispose() them.
 * To load a PyTorch-style state dict into a model you already built, use model.loadStateDict().
 * @param {Uint8Array | ArrayBuffer | ArrayBufferView} bytes
 * @param {{ keepWidened?: boolean }} [opts] keepWidened: the int8 layers keep their weights widened to
 *   int16 too (PackedMatrix.pack's keepWidened; default false). It is not stored in the file.
 * @returns {Module}
 * @example
 * const int8 = loadModel(fs.readFileSync('mlp-int8.safetensors'));
 * const logits = int8.forward(images, 100);
 */
export function loadModel(bytes, opts) {
  const o = options('options', opts, ['keepWidened'], {});
  const keepWidened = boolean('keepWidened', o.keepWidened ?? false);
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
  const model = build(tree, '', 0, tensorBytes(tensors), keepWidened);
  try {
    return model.loadStateDict(tensors).eval();
  } catch (e) {
    model.dispose();
    throw e;
  }
}
