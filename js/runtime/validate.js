// Argument checks shared by every API module. Each throws a TypeError (wrong
// kind of value) or RangeError (right kind, bad value) that names the
// argument and the value, before anything touches wasm memory.

/** @param {unknown} v */
export function describe(v) {
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${/** @type {any} */ (v).length})`;
  if (Array.isArray(v)) return `Array(${v.length})`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || typeof v === 'undefined') return String(v);
  if (typeof v === 'function') return 'a function';
  return Object.prototype.toString.call(v).slice(8, -1);
}

/**
 * @template T
 * @param {string} name
 * @param {unknown} v
 * @param {new (...args: any[]) => T} Type
 * @returns {T}
 */
export function typedArray(name, v, Type) {
  if (!(v instanceof Type)) {
    throw new TypeError(`qdq-wasm: ${name} must be a ${Type.name}, got ${describe(v)}`);
  }
  return v;
}

/** @param {string} name @param {unknown} v @param {object} [fallback] @returns {Record<string, any>} */
export function options(name, v, fallback) {
  if (v === undefined && fallback !== undefined) return fallback;
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) {
    throw new TypeError(`qdq-wasm: ${name} must be an options object, got ${describe(v)}`);
  }
  return /** @type {Record<string, any>} */ (v);
}

/**
 * A scale as float32: finite and > 0 after rounding to float32, as ONNX
 * and PyTorch's kernels use it.
 * @param {string} name @param {unknown} v @returns {number}
 */
export function scale(name, v) {
  if (typeof v !== 'number') throw new TypeError(`qdq-wasm: ${name} must be a number, got ${describe(v)}`);
  const f = Math.fround(v);
  if (!(f > 0) || !Number.isFinite(f)) {
    throw new RangeError(`qdq-wasm: ${name} must be finite and > 0 (as a float32), got ${v}`);
  }
  return f;
}

/** @param {string} name @param {unknown} v @param {number} lo @param {number} hi @returns {number} */
export function integer(name, v, lo, hi) {
  if (typeof v !== 'number') throw new TypeError(`qdq-wasm: ${name} must be a number, got ${describe(v)}`);
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new RangeError(`qdq-wasm: ${name} must be an integer in [${lo}, ${hi}], got ${v}`);
  }
  return v;
}

/**
 * @template {string} T
 * @param {string} name @param {unknown} v @param {readonly T[]} allowed @returns {T}
 */
export function oneOf(name, v, allowed) {
  if (typeof v !== 'string') {
    throw new TypeError(`qdq-wasm: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(v)}`);
  }
  if (!allowed.includes(/** @type {T} */ (v))) {
    throw new RangeError(`qdq-wasm: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(v)}`);
  }
  return /** @type {T} */ (v);
}

/** @param {string} name @param {unknown} v @returns {boolean} */
export function boolean(name, v) {
  if (typeof v !== 'boolean') throw new TypeError(`qdq-wasm: ${name} must be a boolean, got ${describe(v)}`);
  return v;
}

/**
 * An optional output array: of the given type and exactly n long.
 * @template T
 * @param {string} name @param {unknown} v @param {new (n: number) => T} Type @param {number} n @returns {T}
 */
export function outArray(name, v, Type, n) {
  if (v === undefined) return new Type(n);
  const a = typedArray(name, v, Type);
  if (/** @type {any} */ (a).length !== n) {
    throw new RangeError(`qdq-wasm: ${name} must have length ${n}, got ${/** @type {any} */ (a).length}`);
  }
  return a;
}
