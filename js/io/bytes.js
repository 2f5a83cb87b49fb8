// Byte-level helpers shared by the safetensors and .npy readers and writers:
// argument checks, little-endian element copies on any host, and the float16
// and bfloat16 conversions. Pure JavaScript: file formats need no wasm.

import { describe, oneOf, options as checkOptions } from '../runtime/validate.js';

/** True on little-endian hosts (every engine in practice; big-endian is handled, not assumed). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * A file's bytes as a Uint8Array view (no copy): Uint8Array (Node's Buffer
 * included), ArrayBuffer, or any other ArrayBufferView.
 * @param {string} name @param {unknown} v @returns {Uint8Array}
 */
export function asBytes(name, v) {
  // A plain Uint8Array view even for a Node Buffer, whose slice() shares memory.
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  throw new TypeError(`qdq-wasm: ${name} must be a Uint8Array, ArrayBuffer or ArrayBufferView, got ${describe(v)}`);
}

/** @param {Uint8Array} bytes @param {number} size element size in bytes: reverses each element in place */
export function swapBytes(bytes, size) {
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

/**
 * Copies `bytes[begin, end)` (elements stored in the given byte order) into
 * a new typed array of `Type`, decoded for this host.
 * @template {{ new (buffer: ArrayBuffer): any, BYTES_PER_ELEMENT: number }} T
 * @param {Uint8Array} bytes @param {number} begin @param {number} end @param {T} Type
 * @param {{ littleEndian?: boolean, hostLittleEndian?: boolean }} [order]
 * @returns {InstanceType<T>}
 */
export function copyElements(bytes, begin, end, Type, { littleEndian = true, hostLittleEndian = HOST_LITTLE_ENDIAN } = {}) {
  const copy = Uint8Array.prototype.slice.call(bytes, begin, end); // own, aligned buffer (even for a Buffer)
  if (Type.BYTES_PER_ELEMENT > 1 && littleEndian !== hostLittleEndian) swapBytes(copy, Type.BYTES_PER_ELEMENT);
  return new Type(copy.buffer);
}

/**
 * The bytes of a typed array in the given byte order (a copy).
 * @param {ArrayBufferView} data @param {{ littleEndian?: boolean, hostLittleEndian?: boolean }} [order]
 * @returns {Uint8Array}
 */
export function elementBytes(data, { littleEndian = true, hostLittleEndian = HOST_LITTLE_ENDIAN } = {}) {
  const copy = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  const size = /** @type {any} */ (data).BYTES_PER_ELEMENT ?? 1;
  if (size > 1 && littleEndian !== hostLittleEndian) swapBytes(copy, size);
  return copy;
}

/** IEEE binary16 bits -> the exact float32 value (NaN payloads kept, as numpy does). @param {Uint16Array} h @returns {Float32Array} */
export function float16ToFloat32(h) {
  const out = new Float32Array(h.length);
  const bits = new Uint32Array(out.buffer); // written as bits: a NaN read into a double could lose its payload
  for (let i = 0; i < h.length; i++) {
    const v = h[i];
    const sign = (v & 0x8000) << 16;
    const exp = (v >> 10) & 0x1f;
    const mant = v & 0x3ff;
    if (exp === 0x1f) bits[i] = sign | 0x7f800000 | mant << 13;
    else if (exp !== 0) bits[i] = sign | (exp + 112) << 23 | mant << 13;
    else if (mant === 0) bits[i] = sign;
    else out[i] = (sign ? -mant : mant) * 2 ** -24; // subnormal: exact in float32
  }
  return out;
}

/**
 * float32 values -> IEEE binary16 bits, rounded to nearest even (numpy's
 * `astype(float16)`, torch's `.half()`); overflow gives ±Inf; a NaN keeps
 * the top of its payload, never becoming Inf (numpy's rule). Integer bit
 * arithmetic throughout, as float32ToBfloat16 below: the rounding carries
 * from the mantissa into the exponent by itself.
 * @param {Float32Array} x @returns {Uint16Array}
 */
export function float32ToFloat16(x) {
  const out = new Uint16Array(x.length);
  const xb = new Uint32Array(x.buffer, x.byteOffset, x.length);
  for (let i = 0; i < x.length; i++) {
    const bits = xb[i];
    const sign = (bits >>> 16) & 0x8000;
    const exp = (bits >>> 23) & 0xff;
    const mant = bits & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant === 0 ? 0 : (mant >>> 13) || 1);
      continue;
    }
    const e = exp - 112; // binary16's biased exponent
    if (e <= 0) {
      // A binary16 subnormal: the 24-bit significand shifted right by 14 - e,
      // rounded to nearest even (a carry into 0x400 is the smallest normal).
      const shift = 14 - e;
      if (exp === 0 || shift > 24) {
        out[i] = sign;
        continue;
      }
      const sig = mant | 0x800000;
      const half = 1 << (shift - 1);
      const rest = sig & ((half << 1) - 1);
      let q = sig >>> shift;
      if (rest > half || (rest === half && (q & 1) === 1)) q += 1;
      out[i] = sign | q;
      continue;
    }
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
      continue;
    }
    const v = (e << 23) | mant;
    const r = (v + 0xfff + ((v >>> 13) & 1)) >>> 13;
    out[i] = sign | (r >= 0x7c00 ? 0x7c00 : r);
  }
  return out;
}

/** bfloat16 bits -> float32 (exact: bfloat16 is float32's top half). @param {Uint16Array} h @returns {Float32Array} */
export function bfloat16ToFloat32(h) {
  const bits = new Uint32Array(h.length);
  for (let i = 0; i < h.length; i++) bits[i] = h[i] << 16;
  return new Float32Array(bits.buffer);
}

/**
 * float32 -> bfloat16 bits, rounded to nearest even as torch's
 * `.to(torch.bfloat16)` does for finite values and infinities; a NaN becomes
 * a quiet NaN of the same sign (torch 1.13 gives 0xffff for every NaN).
 * @param {Float32Array} x @returns {Uint16Array}
 */
export function float32ToBfloat16(x) {
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const b = bits[i];
    if ((b & 0x7fffffff) > 0x7f800000) out[i] = (b >>> 16) | 0x40;
    else out[i] = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
  }
  return out;
}

/**
 * int64 values as numbers, refusing any outside ±(2^53 − 1) (which a
 * double cannot hold exactly). @param {BigInt64Array} v @param {string} what @returns {Float64Array}
 */
export function int64ToNumbers(v, what) {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const n = Number(v[i]);
    if (!Number.isSafeInteger(n)) {
      throw new RangeError(`qdq-wasm: ${what}[${i}] = ${v[i]} is not a safe integer; read it with int64: 'bigint'`);
    }
    out[i] = n;
  }
  return out;
}

/**
 * The options every reader takes, checked like every other option object.
 * @param {unknown} options @param {string} [name] how errors name them
 * @returns {{ half: 'float32' | 'raw', int64: 'bigint' | 'number' }}
 */
export function readOptions(options, name = 'options') {
  const o = checkOptions(name, options, ['half', 'int64'], {});
  return {
    half: oneOf('half', o.half ?? 'float32', /** @type {const} */ (['float32', 'raw'])),
    int64: oneOf('int64', o.int64 ?? 'bigint', /** @type {const} */ (['bigint', 'number'])),
  };
}
