// Argument checks shared by every API module. Each throws a TypeError (wrong
// kind of value) or RangeError (right kind, bad value) whose message starts
// with "qdq-wasm: " and names the argument and the value, before anything
// touches wasm memory. Values are never coerced: '1', null and true are not
// numbers, whether they come as a scalar or as an array element. The one use
// of null: an OPTIONAL option set to null is "not given" (its default), as
// None is for a PyTorch keyword argument; callers test those with `?? default`
// or `== null`, and a required option (scale, shape, m...) set to null is a
// TypeError like any value of the wrong kind. An options object is never null.
//
// Typed arrays are read through the intrinsic %TypedArray%.prototype getters
// (lengthOf, byteLengthOf, ...), never through properties a caller can shadow:
// an own `length`, a subclass getter or a Proxy must not size a wasm region
// differently from the bytes that are copied into it.

/** @param {unknown} v a short description of a value for an error message */
export function describe(v) {
  if (v === null) return 'null';
  const kind = typedArrayKind(v);
  if (kind !== undefined) return `${kind}(${lengthOf(/** @type {ArrayBufferView} */ (v))})`;
  if (Array.isArray(v)) return `Array(${v.length})`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n (a BigInt)`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'undefined') return String(v);
  if (typeof v === 'function') return 'a function';
  return Object.prototype.toString.call(v).slice(8, -1);
}

// The getters of %TypedArray%.prototype read a typed array's internal slots,
// from any realm, whatever own properties, subclass getters or prototype it
// has; called on anything that is not a typed array (a Proxy of one
// included), they throw or, for @@toStringTag, return undefined.
const TYPED_ARRAY_PROTOTYPE = Object.getPrototypeOf(Int8Array.prototype);
/** @param {string | symbol} key @returns {(this: unknown) => any} */
const intrinsic = (key) => /** @type {any} */ (Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTOTYPE, key)).get;
const toStringTag = /** @type {(this: unknown) => string | undefined} */ (intrinsic(Symbol.toStringTag));
const LENGTH = intrinsic('length');
const BYTE_LENGTH = intrinsic('byteLength');
const BYTE_OFFSET = intrinsic('byteOffset');
const BUFFER = intrinsic('buffer');
/** Object.prototype.__lookupGetter__: the getter a property resolves to, without calling it. */
const lookupGetter = /** @type {(this: unknown, key: string) => Function | undefined} */ (
  /** @type {any} */ (Object.prototype).__lookupGetter__);

/** Elements of a typed array (its internal [[ArrayLength]]; 0 when detached). @param {ArrayBufferView} v @returns {number} */
export const lengthOf = (v) => LENGTH.call(v);
/** Bytes of a typed array (0 when detached). @param {ArrayBufferView} v @returns {number} */
export const byteLengthOf = (v) => BYTE_LENGTH.call(v);
/** Where a typed array starts in its buffer. @param {ArrayBufferView} v @returns {number} */
export const byteOffsetOf = (v) => BYTE_OFFSET.call(v);
/** A typed array's buffer. @param {ArrayBufferView} v @returns {ArrayBufferLike} */
export const bufferOf = (v) => BUFFER.call(v);
/**
 * A new Uint8Array over exactly the bytes of typed array v (or of bytes
 * [begin, end) of them), built from the intrinsic getters: the binding
 * copies through these and nothing else.
 * @param {ArrayBufferView} v @param {number} [begin] @param {number} [end]
 * @returns {Uint8Array}
 */
export function bytesOf(v, begin = 0, end = byteLengthOf(v)) {
  return new Uint8Array(bufferOf(v), byteOffsetOf(v) + begin, end - begin);
}

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
  if (byteLengthOf(v) !== 0) return false;
  const buffer = /** @type {ArrayBuffer} */ (bufferOf(v));
  if ('detached' in buffer) return /** @type {any} */ (buffer).detached === true;
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * v as a typed array of one of the given kinds, from any realm, not detached,
 * whose length, byteLength, byteOffset and buffer read as the typed array
 * really is: an own property, a subclass getter or a Proxy that says
 * otherwise is a TypeError naming the argument (the binding copies the real
 * elements, so a shadowed length would size the wasm region wrongly).
 * @template T
 * @param {string} name
 * @param {unknown} v
 * @param {...{ name: string, prototype: T }} Types
 * @returns {T}
 */
export function typedArray(name, v, ...Types) {
  const kind = typedArrayKind(v);
  if (kind === undefined || !kindIn(kind, Types)) {
    const want = Types.map((T) => T.name).join(' or ');
    const a = `a${want.startsWith('Int') ? 'n' : ''} ${want}`;
    if (kind === undefined && Types.some((T) => v instanceof /** @type {any} */ (T))) {
      // A Proxy of a typed array (or an object whose prototype is one) passes
      // instanceof but is not a typed array itself.
      throw new TypeError(`qdq-wasm: ${name} must be ${a} itself, got an object that only inherits from one ` +
        '(a Proxy or an Object.create() of it); pass the typed array');
    }
    throw new TypeError(`qdq-wasm: ${name} must be ${a}, got ${describe(v)}`);
  }
  const t = /** @type {ArrayBufferView & { length: number }} */ (v);
  const byteLength = BYTE_LENGTH.call(t);
  if (byteLength === 0 && isDetached(t)) {
    throw new TypeError(`qdq-wasm: ${name} is a ${kind} whose ArrayBuffer was detached (transferred); pass a live array`);
  }
  // Written out, not looped over the keys: constant getters and property
  // names keep this to a few nanoseconds per argument.
  if (t.length !== LENGTH.call(t)) throw shadowed(name, kind, 'length', t.length, LENGTH.call(t));
  if (t.byteLength !== byteLength) throw shadowed(name, kind, 'byteLength', t.byteLength, byteLength);
  if (t.byteOffset !== BYTE_OFFSET.call(t)) throw shadowed(name, kind, 'byteOffset', t.byteOffset, BYTE_OFFSET.call(t));
  // Reading buffer makes V8 give a small (on-heap) array an ArrayBuffer: when
  // it resolves to the intrinsic getter, there is nothing to compare.
  if (lookupGetter.call(t, 'buffer') !== BUFFER && t.buffer !== BUFFER.call(t)) throw shadowed(name, kind, 'buffer', t.buffer, BUFFER.call(t));
  return /** @type {T} */ (v);
}

/** @param {string} kind @param {readonly { name: string }[]} Types */
function kindIn(kind, Types) {
  for (let i = 0; i < Types.length; i++) if (Types[i].name === kind) return true;
  return false;
}

/**
 * The error for a typed array whose property `key` reads `seen` instead of its real value.
 * @param {string} name @param {string} kind @param {string} key @param {unknown} seen @param {unknown} real
 */
function shadowed(name, kind, key, seen, real) {
  const what = key === 'buffer' ? `is not its buffer (${describe(seen)})` : `reads ${describe(seen)} but is ${real}`;
  return new TypeError(`qdq-wasm: ${name} is a ${kind} whose ${key} property ${what} ` +
    '(an own property, a subclass getter or a Proxy overrides it); pass a plain typed array');
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
  // A valid key that holds the mistyped one whole (threads -> numThreads).
  return best ?? (fold(key).length >= 4 ? keys.find((k) => fold(k).includes(fold(key))) : undefined);
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

/**
 * An integer in [lo, hi] (any safe integer when no bounds are given). A
 * non-number is a TypeError; a number that is not an integer in range (0.5,
 * NaN, Infinity) is a RangeError, the rule for every integer argument.
 * @param {string} name @param {unknown} v @param {number} [lo] @param {number} [hi] @returns {number}
 */
export function integer(name, v, lo, hi) {
  const x = number(name, v);
  if (lo === undefined || hi === undefined) {
    if (!Number.isSafeInteger(x)) throw new RangeError(`qdq-wasm: ${name} must be an integer, got ${x}`);
    return x;
  }
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
 * @template {Float32Array | Float64Array | Int32Array} A
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
  const view = typedArrayKind(v) !== undefined;
  if (view && isDetached(/** @type {ArrayBufferView} */ (v))) {
    throw new TypeError(`qdq-wasm: ${name} is a ${typedArrayKind(a)} whose ArrayBuffer was detached (transferred); pass a live array`);
  }
  // Elements are read one by one and checked: a typed array's real length
  // bounds the loop, whatever its length property says.
  const length = view ? lengthOf(/** @type {ArrayBufferView} */ (v)) : a.length;
  const one = how.broadcast === true && length === 1;
  if (length !== n && !one) {
    throw new RangeError(`qdq-wasm: ${name} must have ${how.what ?? `${how.broadcast ? '1 or n = ' : ''}${n} entries`}, got ${length}`);
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
  const n = lengthOf(v);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(v[i])) throw new RangeError(`qdq-wasm: ${name}[${i}] is ${v[i]}; ${why} must be finite`);
  }
}

/**
 * @template {string} T
 * @param {string} name @param {unknown} v @param {readonly T[]} allowed @returns {T}
 */
export function oneOf(name, v, allowed) {
  if (typeof v === 'string' && allowed.includes(/** @type {T} */ (v))) return /** @type {T} */ (v);
  const message = `qdq-wasm: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(v)}`;
  throw typeof v !== 'string' ? new TypeError(message) : new RangeError(message);
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
  if (v == null) return new Type(n);
  const a = typedArray(name, v, Type);
  const length = lengthOf(/** @type {ArrayBufferView} */ (a));
  if (length !== n) throw new RangeError(`qdq-wasm: ${name} must have length ${n}, got ${length}`);
  return a;
}
