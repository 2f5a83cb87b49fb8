// .npz: a zip archive of .npy files (np.savez: stored; np.savez_compressed:
// deflate). The reader takes sizes from the central directory (numpy's
// local headers carry ZIP64 placeholders), checks every offset and length
// against the file before reading, inflates with the platform's
// DecompressionStream('deflate-raw') (so it is async), stops inflating past
// the declared size, and checks each entry's CRC-32. The writer stores
// entries uncompressed with fixed timestamps, so its output is reproducible.

import { describe } from '../runtime/validate.js';
import { asBytes, readOptions } from './bytes.js';
import { MAGIC as NPY_MAGIC, readNpy, writeNpy } from './npy.js';

const EMPTY_NPY = writeNpy(new Uint8Array(0));

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO 3309, as zip and gzip use it). @param {Uint8Array} bytes @returns {number} */
export function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** @param {Uint8Array} compressed @param {number} size the declared uncompressed size @param {string} name */
async function inflateRaw(compressed, size, name) {
  if (typeof DecompressionStream !== 'function') {
    throw new RangeError(`qdq-wasm: .npz entry ${JSON.stringify(name)} is deflate-compressed and this platform has no DecompressionStream`);
  }
  // Deflate expands at most 1032:1 (a 258-byte match per 2 bits), so a larger declared size is a
  // corrupt or hostile archive: refuse it before allocating what it claims.
  if (size > compressed.length * 1032 + 64) {
    throw new RangeError(`qdq-wasm: .npz entry ${JSON.stringify(name)} declares ${size} bytes from ${compressed.length} deflated bytes, more than deflate can give`);
  }
  let out;
  try {
    out = new Uint8Array(size);
  } catch {
    throw new RangeError(`qdq-wasm: .npz entry ${JSON.stringify(name)} of ${size} bytes does not fit in memory`);
  }
  let at = 0;
  const stream = new Blob([compressed]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (at + value.length > size) {
        await reader.cancel();
        throw new RangeError(`qdq-wasm: .npz entry ${JSON.stringify(name)} inflates past its declared ${size} bytes`);
      }
      out.set(value, at);
      at += value.length;
    }
  } catch (e) {
    if (e instanceof RangeError) throw e;
    throw new RangeError(`qdq-wasm: .npz entry ${JSON.stringify(name)} is not valid deflate data (${/** @type {Error} */ (e).message})`);
  }
  if (at !== size) throw new RangeError(`qdq-wasm: .npz entry ${JSON.stringify(name)} inflates to ${at} bytes, its header says ${size}`);
  return out;
}

/**
 * Reads a .npz archive (np.savez or np.savez_compressed): every `.npy` entry
 * through `readNpy`. Entries that are not arrays (a name without `.npy` and no
 * `\x93NUMPY` magic, which `np.load` returns as raw bytes) are skipped. Async because deflated entries go through
 * `DecompressionStream('deflate-raw')` (Node ≥ 20, current browsers); an
 * archive of stored entries needs no platform support.
 *
 * @param {Uint8Array | ArrayBuffer | ArrayBufferView} bytes the whole archive
 * @param {{ half?: 'float32' | 'raw', int64?: 'bigint' | 'number' }} [options] as `readNpy`
 * @returns {Promise<Map<string, { descr: string, shape: number[], data: any, version: [number, number] }>>}
 *   entry name without `.npy` → array, in archive order
 * @throws {TypeError} (as a rejected promise) when `bytes` is not bytes
 * @throws {RangeError} (as a rejected promise) for a malformed archive: no end
 *   record, entries outside the file, encryption, a method other than stored or
 *   deflate, a CRC-32 mismatch, duplicate names, or a malformed .npy inside
 * @example
 * const arrays = await readNpz(fs.readFileSync('weights.npz'));
 * arrays.get('w').data; // Float32Array
 */
export async function readNpz(bytes, options = {}) {
  const b = asBytes('bytes', bytes);
  readOptions(options); // checks the options once, before any entry
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  // The end of central directory record: 22 bytes plus a comment of up to 65535, which ends the
  // file; failing that, the last record whose comment fits (Python's zipfile, and so np.load,
  // reads archives with bytes appended after it).
  let eocd = -1;
  const lowest = Math.max(0, b.length - 22 - 65535);
  for (const exact of [true, false]) {
    for (let i = b.length - 22; eocd < 0 && i >= lowest; i--) {
      if (view.getUint32(i, true) !== 0x06054b50) continue;
      const end = i + 22 + view.getUint16(i + 20, true);
      if (exact ? end === b.length : end <= b.length) eocd = i;
    }
  }
  if (eocd < 0) throw new RangeError('qdq-wasm: not a .npz (zip) file: no end of central directory record');
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff) throw new RangeError('qdq-wasm: ZIP64 .npz archives (over 65535 entries or 4 GB) are not supported');
  if (cdOffset + cdSize > eocd) throw new RangeError(`qdq-wasm: .npz central directory [${cdOffset}, ${cdOffset + cdSize}) runs past its end record at ${eocd}`);
  /** @type {Map<string, any>} */
  const out = new Map();
  /** @type {Set<string>} every entry's key, arrays or not (a name twice is an error either way) */
  const seen = new Set();
  let p = cdOffset;
  const names = new TextDecoder('utf-8', { fatal: true });
  for (let e = 0; e < count; e++) {
    if (p + 46 > cdOffset + cdSize || view.getUint32(p, true) !== 0x02014b50) throw new RangeError(`qdq-wasm: .npz central directory entry ${e} at ${p} is malformed`);
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    let compressedSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    let localOffset = view.getUint32(p + 42, true);
    const next = p + 46 + nameLength + extraLength + commentLength;
    if (next > cdOffset + cdSize) throw new RangeError(`qdq-wasm: .npz central directory entry ${e} runs past the directory`);
    let name;
    try {
      name = names.decode(b.subarray(p + 46, p + 46 + nameLength));
    } catch {
      throw new RangeError(`qdq-wasm: .npz entry ${e} has a name that is not UTF-8`);
    }
    // ZIP64 extra field (id 1): the 64-bit values of the fields set to 0xffffffff, in order.
    for (let x = p + 46 + nameLength; x + 4 <= p + 46 + nameLength + extraLength;) {
      const id = view.getUint16(x, true), len = view.getUint16(x + 2, true);
      if (id === 1) {
        let y = x + 4;
        const take = () => {
          if (y + 8 > x + 4 + len) throw new RangeError(`qdq-wasm: .npz entry ${JSON.stringify(name)} has a short ZIP64 field`);
          const v = Number(view.getBigUint64(y, true));
          y += 8;
          return v;
        };
        if (size === 0xffffffff) size = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localOffset === 0xffffffff) localOffset = take();
      }
      x += 4 + len;
    }
    if (flags & 1) throw new RangeError(`qdq-wasm: .npz entry ${JSON.stringify(name)} is encrypted`);
    if (method !== 0 && method !== 8) throw new RangeError(`qdq-wasm: .npz entry ${JSON.stringify(name)} uses compression method ${method} (only 0, stored, and 8, deflate, are supported)`);
    if (localOffset + 30 > cdOffset || view.getUint32(localOffset, true) !== 0x04034b50) {
      throw new RangeError(`qdq-wasm: .npz entry ${JSON.stringify(name)} has no local header at ${localOffset}`);
    }
    const start = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    if (start + compressedSize > cdOffset) throw new RangeError(`qdq-wasm: .npz entry ${JSON.stringify(name)} data [${start}, ${start + compressedSize}) runs past the archive's entries`);
    if (method === 0 && compressedSize !== size) throw new RangeError(`qdq-wasm: stored .npz entry ${JSON.stringify(name)} has sizes ${compressedSize} and ${size}`);
    const raw = b.subarray(start, start + compressedSize);
    const content = method === 0 ? raw : await inflateRaw(raw, size, name);
    if (crc32(content) !== crc) throw new RangeError(`qdq-wasm: .npz entry ${JSON.stringify(name)} fails its CRC-32 check`);
    const key = name.endsWith('.npy') ? name.slice(0, -4) : name;
    if (seen.has(key)) throw new RangeError(`qdq-wasm: .npz has the entry ${JSON.stringify(name)} twice`);
    seen.add(key);
    p = next;
    // np.load returns an entry without the .npy magic as raw bytes; it holds no array, so an
    // archive with a README or other files beside its arrays reads, without it. A .npy-named entry
    // without the magic is a damaged array and fails in readNpy below.
    if (!name.endsWith('.npy') && !NPY_MAGIC.every((m, i) => content[i] === m)) continue;
    try {
      out.set(key, readNpy(content, options));
    } catch (err) {
      throw new RangeError(`qdq-wasm: .npz entry ${JSON.stringify(name)}: ${/** @type {Error} */ (err).message.replace(/^qdq-wasm: /, '')}`);
    }
  }
  return out;
}

/**
 * The fields a zip entry's local header and its central directory record
 * share, in the same order, from "version needed" to "extra field length".
 * @param {DataView} view @param {number} at
 * @param {{ fileName: Uint8Array, npy: Uint8Array, crc: number, utf8: boolean }} f
 */
function entryFields(view, at, f) {
  view.setUint16(at, 20, true); // version needed: 2.0
  view.setUint16(at + 2, f.utf8 ? 0x800 : 0, true); // bit 11: the name is UTF-8
  view.setUint16(at + 4, 0, true); // stored
  view.setUint16(at + 6, 0, true); // time 00:00:00
  view.setUint16(at + 8, 0x21, true); // 1980-01-01, so the same arrays give the same bytes
  view.setUint32(at + 10, f.crc, true);
  view.setUint32(at + 14, f.npy.length, true); // compressed size
  view.setUint32(at + 18, f.npy.length, true); // uncompressed size
  view.setUint16(at + 22, f.fileName.length, true);
  view.setUint16(at + 24, 0, true); // no extra field
}

/**
 * Writes a .npz archive that `np.load` reads: each array through `writeNpy`,
 * stored (uncompressed) as `<name>.npy` with its CRC-32, timestamps fixed at
 * 1980-01-01 so the same arrays give the same bytes.
 *
 * @param {Map<string, ArrayBufferView | { data: ArrayBufferView, shape?: number[], dtype?: string }> | Record<string, ArrayBufferView | { data: ArrayBufferView, shape?: number[], dtype?: string }>} arrays
 *   name → typed array, or `{ data, shape, dtype }` as `writeNpy` takes them
 * @returns {Uint8Array} the archive
 * @throws {TypeError} for a value that is not a typed array or `{ data }`, or as `writeNpy` (naming the array)
 * @throws {RangeError} as `writeNpy` (naming the array), or when the archive would pass 4 GB or 65535 entries
 * @example
 * fs.writeFileSync('w.npz', writeNpz({ w: { data: weights, shape: [256, 784] }, b: bias }));
 */
export function writeNpz(arrays) {
  if (arrays === null || typeof arrays !== 'object' || ArrayBuffer.isView(arrays) || Array.isArray(arrays)) {
    throw new TypeError(`qdq-wasm: arrays must be a Map or an object of typed arrays, got ${describe(arrays)}`);
  }
  const list = arrays instanceof Map ? [...arrays] : Object.entries(arrays);
  if (list.length > 0xfffe) throw new RangeError(`qdq-wasm: writeNpz writes at most 65534 arrays, got ${list.length}`);
  const encoder = new TextEncoder();
  const files = list.map(([name, v]) => {
    if (typeof name !== 'string' || name === '') throw new TypeError(`qdq-wasm: array names must be non-empty strings, got ${describe(name)}`);
    if (!ArrayBuffer.isView(v) && (v === null || typeof v !== 'object')) {
      throw new TypeError(`qdq-wasm: arrays[${JSON.stringify(name)}] must be a typed array or { data, shape, dtype }, got ${describe(v)}`);
    }
    let npy;
    try {
      npy = ArrayBuffer.isView(v) ? writeNpy(v) : writeNpy(v.data, { shape: v.shape, dtype: v.dtype });
    } catch (e) {
      // writeNpy names data, shape, dtype: say which array's.
      const msg = e instanceof Error ? e.message : '';
      if ((e instanceof TypeError || e instanceof RangeError) && msg.startsWith('qdq-wasm: ')) {
        throw new e.constructor(`qdq-wasm: arrays[${JSON.stringify(name)}]: ${msg.slice(10)}`);
      }
      throw e;
    }
    const fileName = encoder.encode(`${name}.npy`);
    if (fileName.length > 0xffff) throw new RangeError(`qdq-wasm: array name ${JSON.stringify(name.slice(0, 40))}… is too long for zip`);
    return { fileName, npy, crc: crc32(npy), utf8: /[^\x20-\x7e]/.test(name) };
  });
  const localSize = files.reduce((s, f) => s + 30 + f.fileName.length + f.npy.length, 0);
  const cdSize = files.reduce((s, f) => s + 46 + f.fileName.length, 0);
  if (localSize + cdSize + 22 > 0xffffffff) throw new RangeError('qdq-wasm: writeNpz archives are limited to 4 GB (no ZIP64)');
  const out = new Uint8Array(localSize + cdSize + 22);
  const view = new DataView(out.buffer);
  let at = 0;
  const offsets = [];
  for (const f of files) {
    offsets.push(at);
    view.setUint32(at, 0x04034b50, true);
    entryFields(view, at + 4, f);
    out.set(f.fileName, at + 30);
    out.set(f.npy, at + 30 + f.fileName.length);
    at += 30 + f.fileName.length + f.npy.length;
  }
  const cdOffset = at;
  files.forEach((f, i) => {
    view.setUint32(at, 0x02014b50, true);
    view.setUint16(at + 4, 20, true); // made by: 2.0, MS-DOS attributes
    entryFields(view, at + 6, f);
    // comment, disk number, internal and external attributes: 0
    view.setUint32(at + 42, offsets[i], true);
    out.set(f.fileName, at + 46);
    at += 46 + f.fileName.length;
  });
  view.setUint32(at, 0x06054b50, true);
  view.setUint16(at + 8, files.length, true);
  view.setUint16(at + 10, files.length, true);
  view.setUint32(at + 12, at - cdOffset, true);
  view.setUint32(at + 16, cdOffset, true);
  return out;
}
