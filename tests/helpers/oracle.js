// An independent JS statement of E5-E9, using Math.fround to get exactly the
// float32 arithmetic that the C code does. Tests compare the library's
// layout logic (shapes, axes, chunking) against it.

const f = Math.fround;

/** Round half to even. */
export function roundHalfEven(v) {
  if (!Number.isFinite(v)) return v;
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : r;
}

/** v of E5a (divide) or E5b (multiply by the float32 reciprocal). */
export function scaled(x, scale, compat) {
  const s = f(scale);
  return compat === 'pytorch' ? f(f(x) * f(1 / s)) : f(f(x) / s);
}

/** E5/E6: one element. */
export function quantizeValue(x, scale, zeroPoint, qmin, qmax, compat) {
  const v = scaled(x, scale, compat);
  if (Number.isNaN(v)) return zeroPoint;
  return Math.min(qmax, Math.max(qmin, roundHalfEven(v) + zeroPoint));
}

/** E7. */
export function dequantizeValue(q, scale, zeroPoint) {
  return f((q - zeroPoint) * f(scale));
}

/** Channel of flat index i in a tensor of `shape` along `axis`. */
export function channelOf(i, shape, axis) {
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return Math.floor(i / inner) % shape[axis];
}

/** Deterministic pseudo-random numbers (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Float32Array of n values uniform in [-scale, scale), with ties and specials mixed in when asked. */
export function randomFloats(n, random, scale = 1) {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = (random() * 2 - 1) * scale;
  return x;
}
