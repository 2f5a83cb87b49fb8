// safetensors (huggingface/safetensors): an 8-byte little-endian u64 header
// length N, N bytes of UTF-8 JSON {name: {dtype, shape, data_offsets}} with an
// optional "__metadata__" string map, then the data section, which the
// tensors' [begin, end) offsets (relative to it) must cover exactly, in order,
// without gaps or overlaps. Elements are little-endian, C order.
// The reader checks every rule of the Rust implementation's validation
// (safetensors/src/tensor.rs) before it copies a byte out; the writer lays
// files out as the Rust writer does, so its output is byte-identical.

import { describe, options as checkOptions } from '../runtime/validate.js';
import {
  asBytes, bfloat16ToFloat32, copyElements, elementBytes, float16ToFloat32, float32ToBfloat16,
  float32ToFloat16, int64ToNumbers, readOptions,
} from './bytes.js';
import { findDuplicateKey } from './json-keys.js';

/** The Rust reader's limit on N (100 MB): anything longer is refused before it is decoded. */
export const MAX_HEADER_BYTES = 100_000_000;

/** dtype -> [bytes per element, typed array that holds its raw elements, rank in the Rust Dtype enum] */
const DTYPES = /** @type {const} */ ({
  BOOL: [1, Uint8Array, 0],
  U8: [1, Uint8Array, 1],
  I8: [1, Int8Array, 2],
  F8_E5M2: [1, Uint8Array, 3],
  F8_E4M3: [1, Uint8Array, 4],
  I16: [2, Int16Array, 5],
  U16: [2, Uint16Array, 6],
  F16: [2, Uint16Array, 7],
  BF16: [2, Uint16Array, 8],
  I32: [4, Int32Array, 9],
  U32: [4, Uint32Array, 10],
  F32: [4, Float32Array, 11],
  F64: [8, Float64Array, 12],
  I64: [8, BigInt64Array, 13],
  U64: [8, BigUint64Array, 14],
});

/** @param {string} dtype */
const known = (dtype) => Object.hasOwn(DTYPES, dtype);

/**
 * @param {unknown} v @param {string} what
 * @param {typeof TypeError} [WrongKind] the error for a shape that is not an array of numbers: a
 *   RangeError when it comes from a file (a bad header), a TypeError when the caller passed it
 * @returns {number[]}
 */
function checkShape(v, what, WrongKind = RangeError) {
  if (!Array.isArray(v)) throw new WrongKind(`qdq-wasm: ${what} shape must be an array, got ${describe(v)}`);
  for (const d of v) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new (typeof d === 'number' ? RangeError : WrongKind)(`qdq-wasm: ${what} shape must hold integers >= 0, got [${v.map(describe).join(', ')}]`);
    }
  }
  return v;
}

/** Elements x bytes, or -1 past 2^53 (no real file is that big). @param {number[]} shape @param {number} size */
function byteLength(shape, size) {
  let n = size;
  for (const d of shape) {
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER) return -1;
  }
  return n;
}

/**
 * Parses a safetensors file. Tensors are copied out (never views of `bytes`),
 * decoded from little-endian on any host.
 *
 * @param {Uint8Array | ArrayBuffer | ArrayBufferView} bytes the whole file
 * @param {{ half?: 'float32' | 'raw', int64?: 'bigint' | 'number' }} [options]
 *   `half` (default `'float32'`): F16 and BF16 come back as exact Float32Array
 *   values, or with `'raw'` as their bit patterns in a Uint16Array.
 *   `int64` (default `'bigint'`): I64 as BigInt64Array, or with `'number'` as a
 *   Float64Array, a RangeError if a value is beyond ±(2^53 − 1).
 * @returns {{ tensors: Map<string, { dtype: string, shape: number[], data: any }>, metadata: Record<string, string> | null }}
 *   tensors in file order; `metadata` is the `__metadata__` map, or null when the file has none.
 * @throws {TypeError} when `bytes` is not bytes or an option is not a string
 * @throws {RangeError} naming the rule when the file is malformed: too short, header
 *   length past the end or over 100 MB, header not UTF-8 or not a JSON object,
 *   duplicate keys, unknown dtype, bad shape, offsets out of range, overlapping or
 *   leaving gaps, or shape × dtype size ≠ the tensor's byte length
 * @example
 * const { tensors, metadata } = readSafetensors(fs.readFileSync('model.safetensors'));
 * const w = tensors.get('1.weight'); // { dtype: 'F32', shape: [256, 784], data: Float32Array }
 */
export function readSafetensors(bytes, options = {}) {
  const b = asBytes('bytes', bytes);
  const { half, int64 } = readOptions(options, 'readSafetensors options');

  if (b.length < 8) throw new RangeError(`qdq-wasm: a safetensors file is at least 8 bytes, got ${b.length}`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) throw new RangeError(`qdq-wasm: safetensors header length ${n} is over the ${MAX_HEADER_BYTES}-byte limit`);
  const headerEnd = 8 + Number(n);
  if (headerEnd > b.length) {
    throw new RangeError(`qdq-wasm: safetensors header length ${n} runs past the end of the ${b.length}-byte file`);
  }
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b.subarray(8, headerEnd));
  } catch {
    throw new RangeError('qdq-wasm: safetensors header is not valid UTF-8');
  }
  // Starting with '{', valid JSON can only be an object. The reference reader (safetensors'
  // read_metadata) lets JSON whitespace come first, and its tests say readers must.
  if (!/^[ \t\n\r]*\{/.test(text)) {
    throw new RangeError(`qdq-wasm: safetensors header must be a JSON object starting with '{', got ${JSON.stringify(text.slice(0, 20))}`);
  }
  let header;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new RangeError(`qdq-wasm: safetensors header is not valid JSON (${/** @type {Error} */ (e).message})`);
  }
  const dup = findDuplicateKey(text);
  if (dup !== null) throw new RangeError(`qdq-wasm: safetensors header has the key ${JSON.stringify(dup)} twice`);

  /** @type {Record<string, string> | null} */
  let metadata = null;
  /** @type {{ name: string, dtype: string, shape: number[], begin: number, end: number }[]} */
  const entries = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (info === null) continue; // the reference's Option: null is no metadata
      if (typeof info !== 'object' || Array.isArray(info)) {
        throw new RangeError(`qdq-wasm: safetensors __metadata__ must be an object of strings, got ${describe(info)}`);
      }
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== 'string') throw new RangeError(`qdq-wasm: safetensors __metadata__[${JSON.stringify(k)}] must be a string, got ${describe(v)}`);
      }
      // fromEntries defines own properties: a key "__proto__" stays a key, not the prototype.
      metadata = Object.fromEntries(Object.entries(info));
      continue;
    }
    const what = `tensor ${JSON.stringify(name)}`;
    if (info === null || typeof info !== 'object' || Array.isArray(info)) {
      throw new RangeError(`qdq-wasm: safetensors ${what} must be an object {dtype, shape, data_offsets}, got ${describe(info)}`);
    }
    const { dtype, shape, data_offsets: offsets } = info;
    if (typeof dtype !== 'string' || !known(dtype)) throw new RangeError(`qdq-wasm: safetensors ${what} has an unknown dtype ${describe(dtype)}`);
    if (dtype === 'F8_E5M2' || dtype === 'F8_E4M3') throw new RangeError(`qdq-wasm: safetensors ${what} has dtype ${dtype}, which qdq-wasm does not read`);
    checkShape(shape, `safetensors ${what}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw new RangeError(`qdq-wasm: safetensors ${what} data_offsets must be [begin, end] integers >= 0, got ${JSON.stringify(offsets)}`);
    }
    entries.push({ name, dtype, shape, begin: offsets[0], end: offsets[1] });
  }

  // As the Rust reader: in offset order, each tensor starts where the last
  // ended, and the last ends at the end of the file.
  entries.sort((p, q) => p.begin - q.begin || p.end - q.end);
  const dataLength = b.length - headerEnd;
  let at = 0;
  for (const e of entries) {
    const what = `safetensors tensor ${JSON.stringify(e.name)}`;
    if (e.begin !== at) {
      throw new RangeError(`qdq-wasm: ${what} data_offsets [${e.begin}, ${e.end}] ${e.begin < at ? 'overlap the previous tensor' : 'leave a gap after the previous tensor'} (expected begin ${at})`);
    }
    if (e.end < e.begin) throw new RangeError(`qdq-wasm: ${what} data_offsets [${e.begin}, ${e.end}] end before they begin`);
    if (e.end > dataLength) throw new RangeError(`qdq-wasm: ${what} data_offsets [${e.begin}, ${e.end}] run past the ${dataLength}-byte data section`);
    const size = DTYPES[/** @type {keyof typeof DTYPES} */ (e.dtype)][0];
    const expected = byteLength(e.shape, size);
    if (expected !== e.end - e.begin) {
      throw new RangeError(`qdq-wasm: ${what} is ${e.dtype} [${e.shape}], ${expected < 0 ? 'too large' : `${expected} bytes`}, but its data_offsets hold ${e.end - e.begin} bytes`);
    }
    at = e.end;
  }
  if (at !== dataLength) throw new RangeError(`qdq-wasm: safetensors data section is ${dataLength} bytes but the tensors cover ${at}`);

  /** @type {Map<string, { dtype: string, shape: number[], data: any }>} */
  const tensors = new Map();
  for (const e of entries) {
    const Type = DTYPES[/** @type {keyof typeof DTYPES} */ (e.dtype)][1];
    /** @type {any} */
    let data = copyElements(b, headerEnd + e.begin, headerEnd + e.end, Type);
    if (half === 'float32' && e.dtype === 'F16') data = float16ToFloat32(data);
    else if (half === 'float32' && e.dtype === 'BF16') data = bfloat16ToFloat32(data);
    else if (int64 === 'number' && e.dtype === 'I64') data = int64ToNumbers(data, `safetensors tensor ${JSON.stringify(e.name)}`);
    tensors.set(e.name, { dtype: e.dtype, shape: [...e.shape], data });
  }
  return { tensors, metadata };
}

/** The typed array each dtype takes when `dtype` is not given. */
const INFERRED = new Map(/** @type {[Function, string][]} */ ([
  [Float32Array, 'F32'], [Float64Array, 'F64'], [Int8Array, 'I8'], [Uint8Array, 'U8'], [Int16Array, 'I16'],
  [Int32Array, 'I32'], [Uint32Array, 'U32'], [BigInt64Array, 'I64'], [BigUint64Array, 'U64'],
]));

/** Compares strings by UTF-8 bytes (Rust's String order), which is code point order. @param {string} p @param {string} q */
function codePointCompare(p, q) {
  const a = [...p], c = [...q];
  for (let i = 0; i < Math.min(a.length, c.length); i++) {
    const d = /** @type {number} */ (a[i].codePointAt(0)) - /** @type {number} */ (c[i].codePointAt(0));
    if (d !== 0) return d;
  }
  return a.length - c.length;
}

/** @param {string} s */
const wellFormed = (s) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

/**
 * The raw little-endian element bytes of one tensor to write.
 * @param {string} name @param {any} t @returns {{ dtype: string, shape: number[], bytes: Uint8Array }}
 */
function encodeTensor(name, t) {
  const what = `tensors[${JSON.stringify(name)}]`;
  if (t === null || typeof t !== 'object') throw new TypeError(`qdq-wasm: ${what} must be { dtype?, shape, data }, got ${describe(t)}`);
  const { data } = t;
  if (!ArrayBuffer.isView(data) || data instanceof DataView) {
    throw new TypeError(`qdq-wasm: ${what}.data must be a typed array, got ${describe(data)}`);
  }
  const dtype = t.dtype ?? INFERRED.get(data.constructor);
  if (dtype === undefined) throw new TypeError(`qdq-wasm: ${what}.dtype is required for ${describe(data)}`);
  if (typeof dtype !== 'string' || !known(dtype) || dtype.startsWith('F8')) {
    throw new (typeof dtype === 'string' ? RangeError : TypeError)(
      `qdq-wasm: ${what}.dtype must be one of BOOL, U8, I8, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64, got ${describe(dtype)}`);
  }
  const [size, Type] = DTYPES[/** @type {keyof typeof DTYPES} */ (dtype)];
  /** @type {ArrayBufferView} */
  let raw = data;
  if ((dtype === 'F16' || dtype === 'BF16') && data instanceof Float32Array) {
    raw = dtype === 'F16' ? float32ToFloat16(data) : float32ToBfloat16(data);
  } else if (dtype === 'I64' && data instanceof Float64Array) {
    raw = BigInt64Array.from(data, (v, i) => {
      if (!Number.isSafeInteger(v)) throw new RangeError(`qdq-wasm: ${what}.data[${i}] = ${v} is not a safe integer`);
      return BigInt(v);
    });
  } else if (!(data instanceof Type)) {
    throw new TypeError(`qdq-wasm: ${what}.data for dtype ${dtype} must be a ${Type.name}${dtype === 'F16' || dtype === 'BF16' ? ' (bits) or Float32Array' : dtype === 'I64' ? ' or Float64Array' : ''}, got ${describe(data)}`);
  }
  const shape = checkShape(t.shape ?? [/** @type {any} */ (data).length], `${what}`, TypeError);
  const expected = byteLength(shape, size);
  if (expected !== raw.byteLength) {
    throw new RangeError(`qdq-wasm: ${what}.shape [${shape}] of ${dtype} needs ${expected < 0 ? 'too many' : expected} bytes, but data holds ${raw.byteLength}`);
  }
  return { dtype, shape: [...shape], bytes: elementBytes(raw) };
}

/**
 * Writes a safetensors file, laid out as the Rust writer does (so the bytes
 * match `safetensors.torch.save_file` for the same tensors and at most one
 * metadata entry): tensors ordered by dtype (U64, I64, F64, F32, U32, I32,
 * BF16, F16, U16, I16, I8, U8, BOOL) then by name, compact JSON with
 * `__metadata__` first (its keys sorted, where Rust's order is a hash map's),
 * the header padded with spaces to a multiple of 8 bytes, little-endian data.
 *
 * @param {Map<string, { dtype?: string, shape?: number[], data: ArrayBufferView }> | Record<string, { dtype?: string, shape?: number[], data: ArrayBufferView }>} tensors
 *   name → tensor. `dtype` defaults from the typed array (Float32Array → F32,
 *   Int8Array → I8, Uint8Array → U8, Int32Array → I32, BigInt64Array → I64, …;
 *   required for Uint16Array). F16/BF16 take their bits as a Uint16Array or
 *   float32 values (rounded to nearest even); I64 takes a BigInt64Array or a
 *   Float64Array of safe integers. `shape` defaults to `[data.length]`.
 * @param {{ metadata?: Record<string, string> }} [options] `metadata`: written as `__metadata__` (strings only)
 * @returns {Uint8Array} the file
 * @throws {TypeError} for a non-typed-array `data`, a shape that is not an array of numbers, a dtype
 *   that is not a string, or a non-string metadata value
 * @throws {RangeError} for an unknown dtype, a negative or fractional dimension, a shape that does not
 *   match the data, or the name `__metadata__`
 * @example
 * const bytes = writeSafetensors({ '1.weight': { shape: [2, 3], data: new Float32Array(6) } }, { metadata: { format: 'pt' } });
 */
export function writeSafetensors(tensors, options = {}) {
  if (tensors === null || typeof tensors !== 'object' || ArrayBuffer.isView(tensors) || Array.isArray(tensors)) {
    throw new TypeError(`qdq-wasm: tensors must be a Map or an object of { dtype, shape, data }, got ${describe(tensors)}`);
  }
  checkOptions('writeSafetensors options', options, ['metadata']);
  const list = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const encoded = list.map(([name, t]) => {
    if (typeof name !== 'string') throw new TypeError(`qdq-wasm: tensor names must be strings, got ${describe(name)}`);
    if (name === '__metadata__') throw new RangeError('qdq-wasm: "__metadata__" is reserved and cannot name a tensor');
    if (!wellFormed(name)) throw new RangeError(`qdq-wasm: tensor name ${JSON.stringify(name)} has a lone surrogate (not UTF-8)`);
    return { name, ...encodeTensor(name, t) };
  });
  encoded.sort((p, q) => DTYPES[/** @type {keyof typeof DTYPES} */ (q.dtype)][2] - DTYPES[/** @type {keyof typeof DTYPES} */ (p.dtype)][2] || codePointCompare(p.name, q.name));

  // The JSON text is built entry by entry: an object would put integer-like
  // keys ('0', '1', …) first whatever the insertion order.
  const parts = [];
  const { metadata } = options;
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
      throw new TypeError(`qdq-wasm: metadata must be an object of strings, got ${describe(metadata)}`);
    }
    const fields = [];
    for (const k of Object.keys(metadata).sort(codePointCompare)) {
      const v = metadata[k];
      if (typeof v !== 'string') throw new TypeError(`qdq-wasm: metadata[${JSON.stringify(k)}] must be a string, got ${describe(v)}`);
      if (!wellFormed(k) || !wellFormed(v)) throw new RangeError(`qdq-wasm: metadata[${JSON.stringify(k)}] has a lone surrogate (not UTF-8)`);
      fields.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
    }
    parts.push(`"__metadata__":{${fields.join(',')}}`);
  }
  let offset = 0;
  for (const e of encoded) {
    const info = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + e.bytes.length] };
    parts.push(`${JSON.stringify(e.name)}:${JSON.stringify(info)}`);
    offset += e.bytes.length;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const e of encoded) {
    out.set(e.bytes, at);
    at += e.bytes.length;
  }
  return out;
}
