// Auto-generated file. Do not edit!
//   Template: src/f32-qs8-vcvt/wasmsimd.c.in
//   Generator: scripts/gen-kernels.js
/* f32 -> qs8 quantize, SIMD128, 16 per iteration (E5, E6). */
#include <string.h>
#include <wasm_simd128.h>

#include "kernel-common.h"
#include "wasmsimd-common.h"

/* Exactness: trunc_sat(nearest(v)) is exact for |v| < 2^31 and saturates
 * beyond; the i16 narrow saturates at +-32767, which stays outside [qmin, qmax]
 * after adding any zero point in [-128, 255]; NaN becomes 0, so zero_point (E6). */
static inline v128_t qdq_f32x16_qs8(v128_t v0, v128_t v1, v128_t v2, v128_t v3,
                                    v128_t vzero_point, v128_t vqmin, v128_t vqmax) {
  const v128_t vi0 = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(v0));
  const v128_t vi1 = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(v1));
  const v128_t vi2 = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(v2));
  const v128_t vi3 = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(v3));
  const v128_t vh01 = wasm_i16x8_add_sat(wasm_i16x8_narrow_i32x4(vi0, vi1), vzero_point);
  const v128_t vh23 = wasm_i16x8_add_sat(wasm_i16x8_narrow_i32x4(vi2, vi3), vzero_point);
  const v128_t vq = wasm_i8x16_narrow_i16x8(vh01, vh23);
  return wasm_i8x16_min(wasm_i8x16_max(vq, vqmin), vqmax);
}

static inline void qdq_f32_qs8_vcvt_body(size_t n, const float* restrict input,
                                         int8_t* restrict output, v128_t vscale, int divide,
                                         v128_t vzero_point, v128_t vqmin, v128_t vqmax) {
  for (; n >= 16; n -= 16) {
    v128_t v[4];
    qdq_wasmsimd_load_scale_x16(input, vscale, divide, v);
    input += 16;
    wasm_v128_store(output, qdq_f32x16_qs8(v[0], v[1], v[2], v[3], vzero_point, vqmin, vqmax));
    output += 16;
  }
}

void qdq_f32_qs8_vcvt_ukernel__wasmsimd_u16(size_t batch, const float* restrict input,
                                            int8_t* restrict output,
                                            const struct qdq_f32_q8_cvt_params* params) {
  assert(batch % sizeof(float) == 0);
  const int divide = params->divide;
  const v128_t vscale = wasm_f32x4_splat(divide ? params->scale : params->inv_scale);
  const v128_t vzero_point = wasm_i16x8_splat(params->zero_point);
  const v128_t vqmin = wasm_i8x16_splat((int8_t) (int8_t) params->qmin);
  const v128_t vqmax = wasm_i8x16_splat((int8_t) (int8_t) params->qmax);
  size_t n = batch / sizeof(float);
  /* Two copies of the loop so the divide/multiply test leaves the hot path. */
  if (divide) {
    qdq_f32_qs8_vcvt_body(n & ~(size_t) 15, input, output, vscale, 1, vzero_point, vqmin, vqmax);
  } else {
    qdq_f32_qs8_vcvt_body(n & ~(size_t) 15, input, output, vscale, 0, vzero_point, vqmin, vqmax);
  }
  const size_t tail = n & 15;
  if (tail != 0) {
    /* Rare tail: through a zeroed stack tile, so nothing reads or writes
     * past the caller's buffers. */
    float xtile[16] = {0};
    int8_t ytile[16];
    memcpy(xtile, input + (n - tail), tail * sizeof(float));
    qdq_f32_qs8_vcvt_body(16, xtile, ytile, vscale, divide, vzero_point, vqmin, vqmax);
    memcpy(output + (n - tail), ytile, tail);
  }
}
