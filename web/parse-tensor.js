// Reading a tensor a user brings: typed numbers, JSON (flat or nested
// arrays), or a NumPy .npy file. Everything becomes a 2-D float32 view:
// the first dimension is rows, the rest are flattened into columns.

/** Largest tensor the page accepts: the editor and URL stay usable. */
export const MAX_ELEMENTS = 128 * 128;

/**
 * @param {number[]} flat @param {number[]} shape
 * @returns {import('./presets.js').Tensor2D}
 */
function toTensor(flat, shape) {
  if (flat.length === 0) throw new Error('no numbers found');
  if (flat.length > MAX_ELEMENTS) throw new Error(`${flat.length} values: the page takes at most ${MAX_ELEMENTS}`);
  if (!flat.every(Number.isFinite)) throw new Error('every value must be a finite number (no NaN or infinity)');
  const rows = shape.length >= 2 ? shape[0] : 1;
  return { values: Float32Array.from(flat), rows, cols: flat.length / rows };
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
    return toTensor(flat.map(Number), shape);
  }
  const lines = t.split(/\n+/).map((l) => l.trim()).filter((l) => l !== '');
  const rows = lines.map((l) => l.split(/[\s,;]+/).filter((s) => s !== '').map(Number));
  const flat = rows.flat();
  if (flat.some(Number.isNaN)) throw new Error('could not read every entry as a number');
  const rect = rows.every((r) => r.length === rows[0].length);
  if (!rect) throw new Error('every line needs the same count of numbers');
  return toTensor(flat, rows.length > 1 ? [rows.length, rows[0].length] : [flat.length]);
}

const NPY_TYPES = {
  f4: Float32Array, f8: Float64Array, i1: Int8Array, u1: Uint8Array, i2: Int16Array, u2: Uint16Array,
  i4: Int32Array, u4: Uint32Array,
};

/**
 * A NumPy .npy file (format 1.0-3.0, little-endian, C order).
 * @param {ArrayBuffer} buf
 * @returns {import('./presets.js').Tensor2D}
 */
export function parseNpy(buf) {
  const b = new Uint8Array(buf);
  const magic = String.fromCharCode(...b.subarray(0, 6));
  if (magic !== '\x93NUMPY') throw new Error('not a .npy file (bad magic)');
  const major = b[6];
  const dv = new DataView(buf);
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(b.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([<>|=])(\w\d)'/.exec(header);
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeMatch = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !shapeMatch) throw new Error('could not read the .npy header');
  if (descr[1] === '>') throw new Error('big-endian .npy files are not supported');
  if (fortran) throw new Error('Fortran-order .npy files are not supported; save with np.ascontiguousarray');
  const Type = NPY_TYPES[/** @type {keyof typeof NPY_TYPES} */ (descr[2])];
  if (!Type) throw new Error(`.npy dtype ${descr[2]} is not supported (use float32, float64 or an integer type)`);
  const shape = shapeMatch[1].split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const count = shape.reduce((a, c) => a * c, 1);
  const offset = start + headerLen;
  // Copy first: the data offset need not be aligned for the typed array.
  const data = new Type(buf.slice(offset, offset + count * Type.BYTES_PER_ELEMENT));
  return toTensor(Array.from(data, Number), shape);
}
