// Reading a tensor a user brings: typed numbers, JSON (flat or nested
// arrays), or a NumPy .npy file. Everything becomes a 2-D float32 view:
// the first dimension is rows, the rest are flattened into columns.

import { readNpy } from '../js/io/index.js';

/** Largest tensor the page accepts: the editor and URL stay usable. */
export const MAX_ELEMENTS = 128 * 128;

/**
 * The 2-D float32 tensor of flat values (row-major) with a shape: the first dimension is rows.
 * Refuses what the page cannot quantize, naming the value.
 * @param {ArrayLike<number>} flat @param {number[]} shape
 * @returns {import('./presets.js').Tensor2D}
 */
function toTensor(flat, shape) {
  if (flat.length === 0) throw new Error('no numbers found');
  if (flat.length > MAX_ELEMENTS) throw new Error(`${flat.length} values: the page takes at most ${MAX_ELEMENTS}`);
  let lo = 0, hi = 0;
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (!Number.isFinite(v)) throw new Error(`value ${i + 1} is ${v}: every value must be a finite number`);
    // Float32Array.from would turn it into ±Infinity without a word.
    if (!Number.isFinite(Math.fround(v))) throw new Error(`value ${i + 1} is ${v}: beyond float32's range (±3.4e38)`);
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  // Observers compute max − min in float32 (with 0 included); past float32's range the scale is infinite.
  if (!Number.isFinite(Math.fround(Math.fround(hi) - Math.fround(lo)))) {
    throw new Error(`the values span ${lo} to ${hi}, wider than float32 can hold (3.4e38): no finite scale covers them`);
  }
  const rows = shape.length >= 2 ? shape[0] : 1;
  const cols = flat.length / rows;
  if (!Number.isInteger(cols)) throw new Error(`${flat.length} values do not fill ${rows} rows`);
  return { values: Float32Array.from(flat), rows, cols };
}

/**
 * Numbers typed or pasted as text: JSON arrays, or numbers separated by
 * spaces, commas or semicolons, one row per line.
 * @param {string} text
 * @returns {import('./presets.js').Tensor2D}
 */
export function parseText(text) {
  const t = text.trim();
  if (t.startsWith('[')) {
    const data = JSON.parse(t);
    const shape = [];
    for (let d = data; Array.isArray(d); d = d[0]) shape.push(d.length);
    const flat = data.flat(Infinity);
    if (flat.length !== shape.reduce((a, b) => a * b, 1)) throw new Error('nested arrays must be rectangular');
    // Number(true) is 1 and Number(null) is 0: only JSON numbers are values.
    const bad = flat.findIndex((/** @type {unknown} */ v) => typeof v !== 'number');
    if (bad >= 0) throw new Error(`JSON entry ${bad + 1} is ${JSON.stringify(flat[bad])}, not a number`);
    return toTensor(flat, shape);
  }
  const lines = t.split(/\n+/).map((l) => l.trim()).filter((l) => l !== '');
  const words = lines.map((l) => l.split(/[\s,;]+/).filter((s) => s !== ''));
  const rows = words.map((w) => w.map(Number));
  const flat = rows.flat();
  const bad = flat.findIndex(Number.isNaN);
  if (bad >= 0) throw new Error(`entry ${bad + 1} ("${words.flat()[bad]}") is not a number`);
  const rect = rows.every((r) => r.length === rows[0].length);
  if (!rect) throw new Error('every line needs the same count of numbers');
  return toTensor(flat, rows.length > 1 ? [rows.length, rows[0].length] : [flat.length]);
}

/**
 * A NumPy .npy file, read by the library's own reader (js/io/npy.js: format 1.0-3.0, either byte order,
 * C or Fortran order, float16/32/64, 8-, 16- and 32-bit integers, and int64 while its values are exact in a double).
 * @param {ArrayBuffer} buf
 * @returns {import('./presets.js').Tensor2D}
 */
export function parseNpy(buf) {
  let npy;
  try {
    npy = readNpy(new Uint8Array(buf), { int64: 'number' });
  } catch (e) {
    throw new Error(/** @type {Error} */ (e).message.replace(/^qdq-wasm: /, ''));
  }
  if (npy.data.length === 0) throw new Error(`the array is empty (shape (${npy.shape.join(', ')}))`);
  return toTensor(npy.data, npy.shape);
}
