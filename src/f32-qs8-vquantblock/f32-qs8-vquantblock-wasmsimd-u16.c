/*
 * B5 sixteen elements at a time. Every step is the scalar kernel's IEEE
 * operation lane by lane (max of |a|, one division, one reciprocal, a
 * product, truncation, an exact difference, a compare), so the bytes are
 * the reference's. A last partial block is copied into a zero-padded block
 * first: zeros change neither the block's max|a| nor its sum, and quantize
 * to the zero padding the reference writes. A block with 0 < max|a| < 2^-64
 * (rare: 1 / s overflows from 127 * 2^-128 down) is copied scaled by 2^64,
 * exactly, and quantized with the reciprocal of its scaled s, as the
 * reference does: the common path keeps its instructions.
 */
#include <string.h>
#include <wasm_simd128.h>

#include "kernel-common.h"

/* Quantizes 16 values with reciprocal vr, stores 16 int8 (and, with q16, the
 * 16 int16 pair-permuted), and returns the 4 partial sums. */
static inline v128_t quantize_16(const float* a, v128_t vr, int8_t* q, int16_t* q16) {
  const v128_t vsign = wasm_i32x4_const_splat(INT32_MIN);
  const v128_t vone = wasm_f32x4_const_splat(1.0f);
  const v128_t vhalf = wasm_f32x4_const_splat(0.5f);
  const v128_t vlo = wasm_f32x4_const_splat(-128.0f);
  const v128_t vhi = wasm_f32x4_const_splat(127.0f);
  /* 1.5 * 2^23: adding it to an integer-valued float of magnitude < 2^22 puts
   * the integer in the low mantissa bits, exactly; subtracting its bit
   * pattern as int32 leaves the integer (2 operations, where V8 expands
   * i32x4.trunc_sat_f32x4_s into a sequence that guards NaN and overflow). */
  const v128_t vmagic = wasm_f32x4_const_splat(12582912.0f);
  v128_t vi[4];
  for (int j = 0; j < 4; j++) {
    const v128_t vx = wasm_f32x4_mul(wasm_v128_load(a + 4 * j), vr);
    const v128_t vt = wasm_f32x4_trunc(vx);
    /* Half away from zero: one more step in x's direction when |x - t| >= 0.5. */
    const v128_t vup = wasm_f32x4_ge(wasm_f32x4_abs(wasm_f32x4_sub(vx, vt)), vhalf);
    const v128_t vstep = wasm_v128_or(wasm_v128_and(vx, vsign), vone);
    v128_t v = wasm_f32x4_add(vt, wasm_v128_and(vup, vstep));
    v = wasm_f32x4_pmax(v, vlo);
    v = wasm_f32x4_pmin(v, vhi);
    vi[j] = wasm_i32x4_sub(wasm_f32x4_add(v, vmagic), vmagic);
  }
  const v128_t v01 = wasm_i16x8_narrow_i32x4(vi[0], vi[1]);
  const v128_t v23 = wasm_i16x8_narrow_i32x4(vi[2], vi[3]);
  wasm_v128_store(q, wasm_i8x16_narrow_i16x8(v01, v23));
  if (q16 != NULL) {
    wasm_v128_store(q16, wasm_i16x8_shuffle(v01, v01, 0, 2, 1, 3, 4, 6, 5, 7));
    wasm_v128_store(q16 + 8, wasm_i16x8_shuffle(v23, v23, 0, 2, 1, 3, 4, 6, 5, 7));
  }
  return wasm_i32x4_add(wasm_i32x4_add(vi[0], vi[1]), wasm_i32x4_add(vi[2], vi[3]));
}

void qdq_f32_qs8_vquantblock_ukernel__wasmsimd_u16(size_t k, size_t block_size, const float* restrict a,
                                                   int8_t* restrict q, int16_t* restrict q16,
                                                   float* restrict scales, int32_t* restrict sums) {
  assert(block_size != 0 && block_size % 16 == 0 && block_size <= 256);
  assert(k == 0 || (a != NULL && q != NULL && scales != NULL && sums != NULL));
  float tail[256];
  for (size_t l0 = 0; l0 < k; l0 += block_size) {
    const float* x = a + l0;
    if (k - l0 < block_size) {
      memcpy(tail, x, (k - l0) * sizeof(float));
      memset(tail + (k - l0), 0, (block_size - (k - l0)) * sizeof(float));
      x = tail;
    }
    v128_t vmax = wasm_f32x4_const_splat(0.0f);
    for (size_t l = 0; l < block_size; l += 4) vmax = wasm_f32x4_pmax(vmax, wasm_f32x4_abs(wasm_v128_load(x + l)));
    vmax = wasm_f32x4_pmax(vmax, wasm_i32x4_shuffle(vmax, vmax, 2, 3, 0, 1));
    vmax = wasm_f32x4_pmax(vmax, wasm_i32x4_shuffle(vmax, vmax, 1, 0, 3, 2));
    const float amax = wasm_f32x4_extract_lane(vmax, 0);
    const float s = amax / 127.0f;
    float r = s != 0.0f ? 1.0f / s : 0.0f;
    if (s != 0.0f && amax < 0x1p-64f) {
      const v128_t vscale = wasm_f32x4_const_splat(0x1p64f);
      for (size_t l = 0; l < block_size; l += 4) {
        wasm_v128_store(tail + l, wasm_f32x4_mul(wasm_v128_load(x + l), vscale));
      }
      x = tail;
      r = 1.0f / (amax * 0x1p64f / 127.0f);
    }
    const v128_t vr = wasm_f32x4_splat(r);
    v128_t vsum = wasm_i32x4_const_splat(0);
    for (size_t l = 0; l < block_size; l += 16) {
      vsum = wasm_i32x4_add(vsum, quantize_16(x + l, vr, q + l0 + l, q16 != NULL ? q16 + l0 + l : NULL));
    }
    vsum = wasm_i32x4_add(vsum, wasm_i32x4_shuffle(vsum, vsum, 2, 3, 0, 1));
    vsum = wasm_i32x4_add(vsum, wasm_i32x4_shuffle(vsum, vsum, 1, 0, 3, 2));
    const size_t b = l0 / block_size;
    scales[b] = s;
    sums[b] = wasm_i32x4_extract_lane(vsum, 0);
  }
}
