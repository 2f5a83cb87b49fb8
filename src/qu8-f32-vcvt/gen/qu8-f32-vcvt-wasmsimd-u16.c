// Auto-generated file. Do not edit!
//   Template: src/qs8-f32-vcvt/wasmsimd.c.in
//   Generator: scripts/gen-kernels.js
/* qu8 -> f32 dequantize, SIMD128, 16 per iteration (E7). */
#include <string.h>
#include <wasm_simd128.h>

#include "kernel-common.h"

/* (q - zero_point) is formed exactly in int16, then converted: one float
 * rounding, in the multiply, as in E7. */
static inline void qdq_qu8_f32_vcvt_body(size_t n, const uint8_t* restrict input,
                                         float* restrict output, v128_t vzero_point,
                                         v128_t vscale) {
  for (; n >= 16; n -= 16) {
    const v128_t vq = wasm_v128_load(input);
    input += 16;
    const v128_t vlo = wasm_i16x8_sub(wasm_u16x8_extend_low_u8x16(vq), vzero_point);
    const v128_t vhi = wasm_i16x8_sub(wasm_u16x8_extend_high_u8x16(vq), vzero_point);
    const v128_t vf0 = wasm_f32x4_convert_i32x4(wasm_i32x4_extend_low_i16x8(vlo));
    const v128_t vf1 = wasm_f32x4_convert_i32x4(wasm_i32x4_extend_high_i16x8(vlo));
    const v128_t vf2 = wasm_f32x4_convert_i32x4(wasm_i32x4_extend_low_i16x8(vhi));
    const v128_t vf3 = wasm_f32x4_convert_i32x4(wasm_i32x4_extend_high_i16x8(vhi));
    wasm_v128_store(output, wasm_f32x4_mul(vf0, vscale));
    wasm_v128_store(output + 4, wasm_f32x4_mul(vf1, vscale));
    wasm_v128_store(output + 8, wasm_f32x4_mul(vf2, vscale));
    wasm_v128_store(output + 12, wasm_f32x4_mul(vf3, vscale));
    output += 16;
  }
}

void qdq_qu8_f32_vcvt_ukernel__wasmsimd_u16(size_t batch, const uint8_t* restrict input,
                                            float* restrict output,
                                            const struct qdq_q8_f32_cvt_params* params) {
  const v128_t vzero_point = wasm_i16x8_splat(params->zero_point);
  const v128_t vscale = wasm_f32x4_splat(params->scale);
  const size_t n = batch;
  qdq_qu8_f32_vcvt_body(n & ~(size_t) 15, input, output, vzero_point, vscale);
  const size_t tail = n & 15;
  if (tail != 0) {
    uint8_t xtile[16] = {0};
    float ytile[16];
    memcpy(xtile, input + (n - tail), tail);
    qdq_qu8_f32_vcvt_body(16, xtile, ytile, vzero_point, vscale);
    memcpy(output + (n - tail), ytile, tail * sizeof(float));
  }
}
