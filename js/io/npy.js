// NumPy .npy (format versions 1.0, 2.0, 3.0); .npz, a zip of .npy files, is npz.js.
// .npy: the magic "\x93NUMPY", major and minor version bytes, the header
// length (u16 LE in 1.0, u32 LE in 2.0 and 3.0), then a Python dict literal
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with
// spaces and ended by '\n' so the data starts at a multiple of 64 bytes
// (latin-1 in 1.0 and 2.0, UTF-8 in 3.0), then the elements in C order.
// numpy's own rules: numpy/lib/format.py.

import { describe, options as checkOptions } from '../runtime/validate.js';
import {
  asBytes, copyElements, elementBytes, float16ToFloat32, float32ToFloat16, int64ToNumbers, readOptions,
} from './bytes.js';

/** The first bytes of every .npy file (.npz readers tell arrays from other entries by them). */
export const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** descr kind+size -> typed array of its elements */
const KINDS = /** @type {const} */ ({
  f2: Uint16Array, f4: Float32Array, f8: Float64Array, i1: Int8Array, u1: Uint8Array, i2: Int16Array, u2: Uint16Array,
  i4: Int32Array, u4: Uint32Array, i8: BigInt64Array,
});
const DESCRS = "'<f2', '<f4', '<f8', '|i1', '|u1', '<i2', '<u2', '<i4', '<u4', '<i8'";
const SUPPORTED = `${DESCRS} (or '>' for the multi-byte ones)`;

/** A typed array's descr when `dtype` is not given (a Uint16Array may hold float16 bits: it needs one). */
const INFERRED = new Map(/** @type {[Function, string][]} */ ([
  [Float32Array, '<f4'], [Float64Array, '<f8'], [Int8Array, '|i1'], [Uint8Array, '|u1'], [Int16Array, '<i2'], [Int32Array, '<i4'],
  [Uint32Array, '<u4'], [BigInt64Array, '<i8'],
]));

/**
 * Parses the header dict literal strictly: exactly the keys descr,
 * fortran_order and shape, Python literals only (no eval).
 * @param {string} text @param {boolean} python2 a 1.0 or 2.0 header, whose dimensions may end in L
 * @returns {{ descr: string, fortranOrder: boolean, shape: number[] }}
 */
function parseHeader(text, python2) {
  const bad = (why) => new RangeError(`qdq-wasm: .npy header ${why}: ${JSON.stringify(text.slice(0, 120))}`);
  let i = 0;
  const ws = () => { while (i < text.length && ' \t\r\n'.includes(text[i])) i++; };
  const expect = (c) => { ws(); if (text[i] !== c) throw bad(`expected '${c}' at ${i}`); i++; };
  const str = () => {
    ws();
    const q = text[i];
    if (q !== "'" && q !== '"') throw bad(`expected a string at ${i}`);
    const end = text.indexOf(q, i + 1);
    if (end < 0) throw bad('has an unterminated string');
    const s = text.slice(i + 1, end);
    if (s.includes('\\')) throw bad('has an escape in a string');
    i = end + 1;
    return s;
  };
  /** @type {Record<string, unknown>} */
  const out = {};
  expect('{');
  for (;;) {
    ws();
    if (text[i] === '}') { i++; break; }
    const key = str();
    expect(':');
    ws();
    if (Object.hasOwn(out, key)) throw bad(`has the key '${key}' twice`);
    if (key === 'descr') out.descr = str();
    else if (key === 'fortran_order') {
      const m = /^(True|False)/.exec(text.slice(i));
      if (!m) throw bad('has a fortran_order that is not True or False');
      out.fortran_order = m[1] === 'True';
      i += m[1].length;
    } else if (key === 'shape') {
      expect('(');
      const dims = [];
      for (;;) {
        ws();
        if (text[i] === ')') { i++; break; }
        // Python 2 wrote longs as 1L; numpy reads them in format 1.0 and 2.0 headers (_filter_header).
        const m = (python2 ? /^(\d+)L?/ : /^(\d+)/).exec(text.slice(i));
        if (!m) throw bad('has a shape that is not a tuple of integers >= 0');
        dims.push(Number(m[1]));
        i += m[0].length;
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== ')') throw bad('has a malformed shape tuple');
      }
      if (dims.length === 1 && !/,\s*\)$/.test(text.slice(0, i))) throw bad('has a 1-D shape without its trailing comma');
      if (!dims.every(Number.isSafeInteger)) throw bad('has a dimension too large');
      out.shape = dims;
    } else throw bad(`has an unexpected key '${key}'`);
    ws();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw bad(`expected ',' or '}' at ${i}`);
  }
  if (text.slice(i).trim() !== '') throw bad('has text after the dict');
  for (const k of ['descr', 'fortran_order', 'shape']) if (!Object.hasOwn(out, k)) throw bad(`lacks '${k}'`);
  return { descr: /** @type {string} */ (out.descr), fortranOrder: /** @type {boolean} */ (out.fortran_order), shape: /** @type {number[]} */ (out.shape) };
}

/** @param {string} descr @returns {{ kind: keyof typeof KINDS, littleEndian: boolean } | null} */
function parseDescr(descr) {
  const m = /^([<>|])([fiu][1248])$/.exec(descr);
  if (!m || !Object.hasOwn(KINDS, m[2])) return null;
  const kind = /** @type {keyof typeof KINDS} */ (m[2]);
  // numpy writes '|' for one-byte kinds, yet np.dtype('>u1') and '<i1' are the same types.
  if (m[1] === '|' && !kind.endsWith('1')) return null;
  return { kind, littleEndian: m[1] !== '>' };
}

/**
 * Parses a .npy file (format 1.0, 2.0 or 3.0). The data is copied out and
 * decoded for this host, whatever the file's byte order, and comes back in C
 * order (last index fastest) also when the file holds it in Fortran order.
 *
 * @param {Uint8Array | ArrayBuffer | ArrayBufferView} bytes the whole file
 * @param {{ half?: 'float32' | 'raw', int64?: 'bigint' | 'number' }} [options]
 *   `half` (default `'float32'`): `<f2` as exact Float32Array values, or with
 *   `'raw'` as bits in a Uint16Array. `int64` (default `'bigint'`): `<i8` as
 *   BigInt64Array, or with `'number'` as a Float64Array (RangeError past ±(2^53 − 1)).
 * @returns {{ descr: string, shape: number[], data: any, version: [number, number] }}
 * @throws {TypeError} when `bytes` is not bytes
 * @throws {RangeError} for a bad magic or version, a header past the end or not
 *   a dict literal, an unsupported dtype, or a data length that is not the shape's
 * @example
 * const { descr, shape, data } = readNpy(fs.readFileSync('x.npy')); // '<f4', [2, 3], Float32Array(6)
 */
export function readNpy(bytes, options = {}) {
  const b = asBytes('bytes', bytes);
  const { half, int64 } = readOptions(options);
  if (b.length < 10 || MAGIC.some((m, i) => b[i] !== m)) throw new RangeError('qdq-wasm: not a .npy file (no \\x93NUMPY magic)');
  const major = b[6], minor = b[7];
  if (!((major === 1 || major === 2 || major === 3) && minor === 0)) throw new RangeError(`qdq-wasm: .npy format version ${major}.${minor} is not 1.0, 2.0 or 3.0`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const prefix = major === 1 ? 10 : 12;
  if (b.length < prefix) throw new RangeError(`qdq-wasm: .npy file of ${b.length} bytes ends inside its header length`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = prefix + headerLength;
  if (dataStart > b.length) throw new RangeError(`qdq-wasm: .npy header length ${headerLength} runs past the end of the ${b.length}-byte file`);
  let text;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(b.subarray(prefix, dataStart));
  } catch {
    throw new RangeError('qdq-wasm: .npy 3.0 header is not valid UTF-8');
  }
  const { descr, fortranOrder, shape } = parseHeader(text, major < 3);
  const parsed = parseDescr(descr);
  if (!parsed) throw new RangeError(`qdq-wasm: .npy dtype ${JSON.stringify(descr)} is not supported; supported: ${SUPPORTED}`);
  const Type = KINDS[parsed.kind];
  let count = 1;
  for (const d of shape) count *= d;
  const expected = count * Type.BYTES_PER_ELEMENT;
  if (!Number.isSafeInteger(expected) || expected !== b.length - dataStart) {
    throw new RangeError(`qdq-wasm: .npy shape (${shape.join(', ')}) of ${descr} needs ${expected} data bytes, the file has ${b.length - dataStart}`);
  }
  /** @type {any} */
  let data = copyElements(b, dataStart, b.length, Type, { littleEndian: parsed.littleEndian });
  // np.save writes an F-contiguous array (x.T of a C-ordered x, say) in Fortran order; it is the same array.
  if (fortranOrder && shape.length > 1) data = fortranToC(data, shape);
  if (parsed.kind === 'f2' && half === 'float32') data = float16ToFloat32(data);
  else if (parsed.kind === 'i8' && int64 === 'number') data = int64ToNumbers(data, '.npy data');
  return { descr, shape, data, version: [major, minor] };
}

/**
 * The elements of a Fortran-order (first index fastest) array in C order (last index fastest).
 * @param {any} src a typed array @param {number[]} shape @returns {any} a new typed array of src's kind
 */
function fortranToC(src, shape) {
  const rank = shape.length;
  const strides = new Array(rank);
  for (let d = rank - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  const dst = new src.constructor(src.length);
  const idx = new Array(rank).fill(0);
  // Walk the source in its own order, carrying the C offset of the current index along.
  for (let f = 0, c = 0; f < src.length; f++) {
    dst[c] = src[f];
    for (let d = 0; d < rank; d++) {
      c += strides[d];
      if (++idx[d] < shape[d]) break;
      c -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
  return dst;
}

/** A shape for an error message: its values when it is a short array. @param {unknown} shape */
function describeShape(shape) {
  return Array.isArray(shape) && shape.length <= 8 ? `[${shape.map(describe).join(', ')}]` : describe(shape);
}

/**
 * Writes a .npy file as numpy 1.24 does (`np.save`): same header text and
 * padding, so the bytes are identical; little-endian data, C order.
 *
 * @param {ArrayBufferView} data Float32Array, Float64Array, Int8Array, Uint8Array,
 *   Int32Array, BigInt64Array; or for `<f2` a Float32Array (rounded to nearest
 *   even) or a Uint16Array of bits
 * @param {{ shape?: number[], dtype?: string, version?: 1 | 2 | 3 }} [options]
 *   `shape` (default `[data.length]`); `dtype`, a descr such as `'<f2'` (default
 *   from the typed array); `version` (default 1, or 2 when the header needs more
 *   than 65535 bytes, as numpy does)
 * @returns {Uint8Array} the file
 * @throws {TypeError} for data that is not a supported typed array, a shape that is not an array of
 *   numbers, a dtype that is not a string
 * @throws {RangeError} for a shape that does not match the data or an unsupported dtype
 * @example
 * fs.writeFileSync('w.npy', writeNpy(new Float32Array(6), { shape: [2, 3] }));
 */
export function writeNpy(data, options = {}) {
  checkOptions('writeNpy options', options, ['shape', 'dtype', 'version']);
  if (!ArrayBuffer.isView(data) || data instanceof DataView) throw new TypeError(`qdq-wasm: data must be a typed array, got ${describe(data)}`);
  const descr = options.dtype ?? INFERRED.get(data.constructor);
  if (descr === undefined) throw new TypeError(`qdq-wasm: writeNpy needs options.dtype for ${describe(data)}`);
  const dtypeError = `qdq-wasm: writeNpy dtype must be one of ${DESCRS}, got ${describe(descr)}`;
  if (typeof descr !== 'string') throw new TypeError(dtypeError);
  const parsed = parseDescr(descr);
  if (!parsed || !parsed.littleEndian) throw new RangeError(dtypeError);
  /** @type {ArrayBufferView} */
  let raw = data;
  if (parsed.kind === 'f2' && data instanceof Float32Array) raw = float32ToFloat16(data);
  else if (!(data instanceof KINDS[parsed.kind])) {
    throw new TypeError(`qdq-wasm: writeNpy data for ${descr} must be a ${KINDS[parsed.kind].name}${parsed.kind === 'f2' ? ' (bits) or Float32Array' : ''}, got ${describe(data)}`);
  }
  const shape = options.shape ?? [/** @type {any} */ (data).length];
  // Not an array, or not numbers: the wrong kind (TypeError); negative or fractional: a bad value.
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number')) {
    throw new TypeError(`qdq-wasm: shape must be an array of integers >= 0, got ${describeShape(shape)}`);
  }
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new RangeError(`qdq-wasm: shape must be an array of integers >= 0, got ${describeShape(shape)}`);
  }
  const count = shape.reduce((p, d) => p * d, 1);
  if (count * KINDS[parsed.kind].BYTES_PER_ELEMENT !== raw.byteLength) {
    throw new RangeError(`qdq-wasm: shape [${shape}] has ${count} elements, data has ${raw.byteLength / KINDS[parsed.kind].BYTES_PER_ELEMENT}`);
  }
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  // numpy >= 1.23 leaves room for the first dimension to grow to 21 digits.
  if (shape.length > 0) header += ' '.repeat(Math.max(0, 21 - String(shape[0]).length));
  const lengthFor = (/** @type {number} */ prefix) => header.length + 1 + 64 - ((prefix + header.length + 1) % 64);
  const version = options.version ?? (lengthFor(10) > 65535 ? 2 : 1);
  if (version !== 1 && version !== 2 && version !== 3) {
    throw new (typeof version === 'number' ? RangeError : TypeError)(`qdq-wasm: version must be 1, 2 or 3, got ${describe(version)}`);
  }
  const prefix = version === 1 ? 10 : 12;
  const headerLength = lengthFor(prefix); // numpy pads 1..64 spaces, never 0
  if (version === 1 && headerLength > 65535) throw new RangeError(`qdq-wasm: a .npy 1.0 header holds 65535 bytes, this one needs ${headerLength}: use version 2`);
  const out = new Uint8Array(prefix + headerLength + raw.byteLength);
  out.set(MAGIC, 0);
  out[6] = version;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerLength, true);
  else view.setUint32(8, headerLength, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i); // ASCII
  out.fill(0x20, prefix + header.length, prefix + headerLength - 1);
  out[prefix + headerLength - 1] = 0x0a;
  out.set(elementBytes(raw), prefix + headerLength);
  return out;
}
