/* fl(a * b + c) with one rounding to float, as an FMA gives it (torch's CPU
 * kernels fuse x + alpha * y), bit-exact in every build: wasm has no float
 * FMA that is deterministic, and libm's fmaf differs between libcs in
 * subnormal halfway cases. a * b is exact in double (24 + 24 bits); s = a * b
 * + c rounded to double, and its error e exactly (TwoSum); an inexact s is
 * moved to whichever of its two double neighbours of the exact sum is odd
 * (round to odd), and rounding that to float gives the correctly rounded
 * result, as double has 53 >= 24 + 2 bits. A non-finite s is returned
 * rounded as it is. Internal, not part of the public API. */
#ifndef QDQ_FMA_F32_H
#define QDQ_FMA_F32_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float qdq_fma_f32(float a, float b, float c) {
  const double p = (double) a * (double) b, cd = (double) c;
  double s = p + cd;
  const double bb = s - p;
  const double e = (p - (s - bb)) + (cd - bb);
  uint64_t bits;
  memcpy(&bits, &s, sizeof bits);
  /* s is never 0 here: a nonzero exact sum of floats is far above double's underflow. */
  if (e != 0.0 && isfinite(s) && (bits & 1) == 0) {
    bits += (e > 0.0) == (s > 0.0) ? 1 : (uint64_t) -1;
    memcpy(&s, &bits, sizeof s);
  }
  return (float) s;
}

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

/* Round to odd of a * b + c for two doubles that come from floats. */
static inline v128_t qdq_fma_f64x2_round_to_odd(v128_t a, v128_t b, v128_t c) {
  const v128_t p = wasm_f64x2_mul(a, b);
  const v128_t s = wasm_f64x2_add(p, c);
  const v128_t bb = wasm_f64x2_sub(s, p);
  const v128_t e = wasm_f64x2_add(wasm_f64x2_sub(p, wasm_f64x2_sub(s, bb)), wasm_f64x2_sub(c, bb));
  const v128_t inexact = wasm_f64x2_ne(e, wasm_f64x2_splat(0.0));
  const v128_t finite = wasm_f64x2_lt(wasm_f64x2_abs(s), wasm_f64x2_splat(INFINITY));
  const v128_t even = wasm_i64x2_eq(wasm_v128_and(s, wasm_i64x2_splat(1)), wasm_i64x2_splat(0));
  /* +1 (away from zero) when e has s's sign, else -1: all ones | 1 is -1, 0 | 1 is 1. */
  const v128_t step = wasm_v128_or(wasm_i64x2_shr(wasm_v128_xor(e, s), 63), wasm_i64x2_splat(1));
  return wasm_i64x2_add(s, wasm_v128_and(step, wasm_v128_and(wasm_v128_and(inexact, finite), even)));
}

/* qdq_fma_f32 on four lanes, bit for bit. */
static inline v128_t qdq_fma_f32x4(v128_t a, v128_t b, v128_t c) {
  const v128_t lo = qdq_fma_f64x2_round_to_odd(wasm_f64x2_promote_low_f32x4(a), wasm_f64x2_promote_low_f32x4(b),
                                                wasm_f64x2_promote_low_f32x4(c));
  const v128_t ah = wasm_i32x4_shuffle(a, a, 2, 3, 2, 3), bh = wasm_i32x4_shuffle(b, b, 2, 3, 2, 3);
  const v128_t ch = wasm_i32x4_shuffle(c, c, 2, 3, 2, 3);
  const v128_t hi = qdq_fma_f64x2_round_to_odd(wasm_f64x2_promote_low_f32x4(ah), wasm_f64x2_promote_low_f32x4(bh),
                                                wasm_f64x2_promote_low_f32x4(ch));
  return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo), wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5);
}
#endif

#endif
