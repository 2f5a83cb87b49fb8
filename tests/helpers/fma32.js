// fl(a + b * c) in float32 with one rounding, as an FMA gives it: the tests'
// reference for the C's qdq_fma_f32 (src/fma-f32.h), computed another way
// (TwoSum and a tie check instead of round to odd).

const f = Math.fround;
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** The float32 after v (a float32) toward +Infinity or -Infinity. @param {number} v @param {number} dir +1 or -1 */
function nextFloat32(v, dir) {
  if (v === 0) return dir > 0 ? 2 ** -149 : -(2 ** -149);
  F32[0] = v;
  U32[0] += (v > 0) === (dir > 0) ? 1 : -1;
  return F32[0];
}

/**
 * fl(a + b * c) with one rounding to float32, as an FMA computes it, for float32 a, b, c.
 * b * c is exact in double (24 + 24 bits); a + b * c is s + e exactly (TwoSum), and s, the
 * double nearest the exact sum, rounds to the right float32 unless it is a float32 midpoint, where
 * e breaks the tie.
 * @param {number} b @param {number} c @param {number} a @returns {number}
 */
export function fma32(b, c, a) {
  const p = b * c;
  const s = a + p;
  if (!Number.isFinite(s)) return f(s);
  const bb = s - a;
  const e = (a - (s - bb)) + (p - bb);
  const r = f(s);
  if (e === 0 || r === s || !Number.isFinite(r)) return r;
  const other = nextFloat32(r, s > r ? 1 : -1);
  if (Number.isFinite(other) && s - r === other - s) return e > 0 === other > r ? other : r;
  return r;
}

