// Preset tensors for the editor. Generated presets are seeded, so a URL
// with ?p=normal&seed=3 shows everyone the same numbers.

/** @typedef {{ values: Float32Array, rows: number, cols: number }} Tensor2D */

export const PRESETS = /** @type {const} */ ({
  article: "The article's 2×3 example",
  normal: 'Random normal',
  channels: 'Channels with very different ranges',
  outlier: 'One outlier',
  custom: 'Your own numbers',
});

/** mulberry32: a tiny seeded PRNG; Math.random cannot be replayed from a URL. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples by Box-Muller. @param {() => number} r */
function normal(r) {
  const u = 1 - r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

/**
 * The values of a preset at a shape.
 * @param {keyof typeof PRESETS} name
 * @param {number} rows
 * @param {number} cols
 * @param {number} seed
 * @returns {Tensor2D}
 */
export function presetTensor(name, rows, cols, seed) {
  if (name === 'article') return { values: Float32Array.of(1, 2, 3, 4, 5, 6), rows: 2, cols: 3 };
  const r = rng(seed);
  const v = new Float32Array(rows * cols);
  if (name === 'channels') {
    // Each row (channel along axis 0) gets its own spread, from 0.02 to 5,
    // and its own offset, so one shared scale wastes most codes on the small rows.
    const spreads = [0.02, 5, 0.3, 1.5, 0.05, 3, 0.6, 0.1];
    for (let i = 0; i < rows; i++) {
      const s = spreads[i % spreads.length];
      const offset = (i % 3 - 1) * s;
      for (let j = 0; j < cols; j++) v[i * cols + j] = offset + s * normal(r);
    }
  } else {
    for (let i = 0; i < v.length; i++) v[i] = normal(r);
    // One value far out: a per-tensor range stretched by it leaves few codes for the rest.
    if (name === 'outlier' && v.length > 1) v[Math.floor(v.length / 3)] = 12;
  }
  return { values: v, rows, cols };
}

/**
 * The tensor resized to rows x cols, keeping the overlapping block and
 * filling new cells with 0.
 * @param {Tensor2D} t @param {number} rows @param {number} cols @returns {Tensor2D}
 */
export function resize(t, rows, cols) {
  const v = new Float32Array(rows * cols);
  for (let i = 0; i < Math.min(rows, t.rows); i++) {
    for (let j = 0; j < Math.min(cols, t.cols); j++) v[i * cols + j] = t.values[i * t.cols + j];
  }
  return { values: v, rows, cols };
}
