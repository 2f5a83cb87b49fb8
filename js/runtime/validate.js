// Argument checks shared by every API module. Each throws a TypeError (wrong
// kind of value) or RangeError (right kind, bad value) whose message starts
// with "qdq-wasm: " and names the argument and the value, before anything
// touches wasm memory. Values are never coerced: '1', null and true are not
// numbers, whether they come as a scalar or as an array element.

/** @param {unknown} v a short description of a value for an error message */
export function describe(v) {
  if (v === null) return 'null';
  const kind = typedArrayKind(v);
  if (kind !== undefined) return `${kind}(${/** @type {any} */ (v).length})`;
  if (Array.isArray(v)) return `Array(${v.length})`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n (a BigInt)`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'undefined') return String(v);
  if (typeof v === 'function') return 'a function';
  return Object.prototype.toString.call(v).slice(8, -1);
}

// %TypedArray%.prototype[@@toStringTag] reads the internal slot, so it names
// the kind of a typed array from any realm (a vm context, an iframe) and
// returns undefined for everything else, however it is dressed up.
const toStringTag = /** @type {(this: unknown) => string | undefined} */ (
  Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int8Array.prototype), Symbol.toStringTag)?.get);

/**
 * The typed array kind of v ('Float32Array', ...), or undefined when v is not a typed array.
 * @param {unknown} v
 * @returns {string | undefined}
 */
export function typedArrayKind(v) {
  return toStringTag.call(v);
}

/**
 * Whether a typed array's buffer has been detached (transferred, or a wasm
 * memory that grew). Node 20 has no ArrayBuffer.prototype.detached: a view
 * of a detached buffer cannot be constructed, which is what we test.
 * @param {ArrayBufferView} v
 */
function isDetached(v) {
  const buffer = /** @type {ArrayBuffer} */ (v.buffer);
  if ('detached' in buffer) return /** @type {any} */ (buffer).detached === true;
  if (v.byteLength !== 0) return false;
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * v as a typed array of one of the given kinds, from any realm, not detached.
 * @template T
 * @param {string} name
 * @param {unknown} v
 * @param {...{ name: string, prototype: T }} Types
 * @returns {T}
 */
export function typedArray(name, v, ...Types) {
  const kind = typedArrayKind(v);
  if (kind === undefined || !Types.some((T) => T.name === kind)) {
    const want = Types.map((T) => T.name).join(' or ');
    throw new TypeError(`qdq-wasm: ${name} must be a${want.startsWith('Int') ? 'n' : ''} ${want}, got ${describe(v)}`);
  }
  if (isDetached(/** @type {ArrayBufferView} */ (v))) {
    throw new TypeError(`qdq-wasm: ${name} is a ${kind} whose ArrayBuffer was detached (transferred); pass a live array`);
  }
  return /** @type {T} */ (v);
}

/**
 * An options object with only the given keys. A misspelled or snake_case key
 * (what a PyTorch user types) is a TypeError that suggests the nearest valid
 * one, instead of being ignored.
 * @param {string} name
 * @param {unknown} v
 * @param {readonly string[]} keys the valid keys
 * @param {object} [fallback] returned when v is undefined (the options are optional)
 * @returns {Record<string, any>}
 */
export function options(name, v, keys, fallback) {
  if (v === undefined && fallback !== undefined) return fallback;
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) {
    throw new TypeError(`qdq-wasm: ${name} must be an options object, got ${describe(v)}`);
  }
  for (const key of Object.keys(v)) {
    // A key set to undefined changes nothing, whatever its name (spread
    // option objects often carry some).
    if (!keys.includes(key) && /** @type {any} */ (v)[key] !== undefined) {
      const near = nearest(key, keys);
      throw new TypeError(`qdq-wasm: unknown option '${key}' in ${name}${near ? `; did you mean '${near}'?` : ''}` +
        ` (valid: ${keys.join(', ')})`);
    }
  }
  return /** @type {Record<string, any>} */ (v);
}

/**
 * The valid key closest to a mistyped one: the same letters ignoring case,
 * '_' and '-' (zero_point -> zeroPoint), else within an edit distance of 2.
 * @param {string} key @param {readonly string[]} keys @returns {string | undefined}
 */
function nearest(key, keys) {
  const fold = (/** @type {string} */ s) => s.toLowerCase().replace(/[_-]/g, '');
  const same = keys.find((k) => fold(k) === fold(key));
  if (same) return same;
  let best, bestDistance = 3;
  for (const k of keys) {
    const d = editDistance(fold(k), fold(key));
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

/** Levenshtein distance. @param {string} a @param {string} b */
function editDistance(a, b) {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

/** @param {string} name @param {unknown} v @returns {number} v, when it is a number */
function number(name, v) {
  if (typeof v !== 'number') throw new TypeError(`qdq-wasm: ${name} must be a number, got ${describe(v)}`);
  return v;
}

/**
 * A scale as float32: finite and > 0 after rounding to float32, as ONNX
 * and PyTorch's kernels use it.
 * @param {string} name @param {unknown} v @returns {number}
 */
export function scale(name, v) {
  const f = Math.fround(number(name, v));
  if (!(f > 0) || !Number.isFinite(f)) {
    throw new RangeError(`qdq-wasm: ${name} must be finite and > 0 (as a float32), got ${v}`);
  }
  return f;
}

/** @param {string} name @param {unknown} v @param {number} lo @param {number} hi @returns {number} */
export function integer(name, v, lo, hi) {
  const x = number(name, v);
  if (!Number.isInteger(x) || x < lo || x > hi) {
    throw new RangeError(`qdq-wasm: ${name} must be an integer in [${lo}, ${hi}], got ${x}`);
  }
  return x;
}

/** A finite number. @param {string} name @param {unknown} v @returns {number} */
export function finite(name, v) {
  const x = number(name, v);
  if (!Number.isFinite(x)) throw new RangeError(`qdq-wasm: ${name} must be finite, got ${x}`);
  return x;
}

/**
 * A list of numbers (typed array or plain array), of length n (or 1, broadcast,
 * when broadcast is set), each checked by check(name[i], value) exactly as a
 * scalar would be.
 * @template {Float32Array | Int32Array} A
 * @param {string} name @param {unknown} v @param {number} n
 * @param {new (n: number) => A} Type
 * @param {(name: string, v: unknown) => number} check
 * @param {{ broadcast?: boolean, what?: string }} [how] what: how to describe n ("one per channel (3)")
 * @returns {A}
 */
export function numberList(name, v, n, Type, check, how = {}) {
  if (typedArrayKind(v) === undefined && !Array.isArray(v)) {
    throw new TypeError(`qdq-wasm: ${name} must be an array of numbers, got ${describe(v)}`);
  }
  const a = /** @type {ArrayLike<unknown>} */ (v);
  if (ArrayBuffer.isView(a) && isDetached(a)) {
    throw new TypeError(`qdq-wasm: ${name} is a ${typedArrayKind(a)} whose ArrayBuffer was detached (transferred); pass a live array`);
  }
  const one = how.broadcast === true && a.length === 1;
  if (a.length !== n && !one) {
    throw new RangeError(`qdq-wasm: ${name} must have ${how.what ?? `${how.broadcast ? '1 or n = ' : ''}${n} entries`}, got ${a.length}`);
  }
  const out = new Type(n);
  for (let i = 0; i < n; i++) {
    const j = one ? 0 : i;
    out[i] = check(`${name}[${j}]`, a[j]);
  }
  return out;
}

/**
 * A float32 tensor whose every element is finite (weights, biases): the first
 * NaN or infinity is a RangeError naming its index.
 * @param {string} name @param {Float32Array} v @param {string} [why] what the values are for
 */
export function allFinite(name, v, why = 'values') {
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) throw new RangeError(`qdq-wasm: ${name}[${i}] is ${v[i]}; ${why} must be finite`);
  }
}

/**
 * @template {string} T
 * @param {string} name @param {unknown} v @param {readonly T[]} allowed @returns {T}
 */
export function oneOf(name, v, allowed) {
  const list = allowed.map((a) => `'${a}'`).join(', ');
  if (typeof v !== 'string') throw new TypeError(`qdq-wasm: ${name} must be one of ${list}, got ${describe(v)}`);
  if (!allowed.includes(/** @type {T} */ (v))) throw new RangeError(`qdq-wasm: ${name} must be one of ${list}, got ${describe(v)}`);
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
 * @param {string} name @param {unknown} v @param {{ name: string, prototype: T } & (new (n: number) => T)} Type @param {number} n
 * @returns {T}
 */
export function outArray(name, v, Type, n) {
  if (v === undefined) return new Type(n);
  const a = typedArray(name, v, Type);
  if (/** @type {any} */ (a).length !== n) {
    throw new RangeError(`qdq-wasm: ${name} must have length ${n}, got ${/** @type {any} */ (a).length}`);
  }
  return a;
}
