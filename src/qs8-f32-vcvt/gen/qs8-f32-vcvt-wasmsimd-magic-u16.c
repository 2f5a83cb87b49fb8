// Auto-generated file. Do not edit!
//   Template: src/qs8-f32-vcvt/wasmsimd-magic.c.in
//   Generator: scripts/gen-kernels.js
/* qs8 -> f32 dequantize, SIMD128 with magic-number conversion, 16 per iteration (E7). */
#include <string.h>
#include <wasm_simd128.h>

#include "kernel-common.h"

/*
 * Dequantize (E7) with a magic-number int -> float conversion.
 *
 * Why not wasm_f32x4_convert_i32x4: LLVM 14 folds extend + convert into a
 * sitofp from i16 lanes, which its wasm backend scalarizes (extract_lane,
 * f32.convert_i32_s, replace_lane: 32 of each per 16 elements), so the plain
 * kernel (template wasmsimd.c.in) runs at scalar speed. Integer add and
 * float subtract are not folded, so this stays SIMD.
 *
 * Exactness: q is in [-128, 127] and zero_point in [-128, 255], so k = q - zero_point
 * is in [-383, 383]. Adding k to the bits of 0x1.8p23 (12582912.0f, whose ulp
 * is 1) gives the float 12582912 + k exactly, and subtracting 12582912.0f
 * gives k exactly (Sterbenz), +0.0 for k = 0, as (float) k. The multiply
 * by scale is then the one rounding of E7, bit for bit.
 */
static inline void qdq_qs8_f32_vcvt_magic_body(size_t n, const int8_t* restrict input,
                                               float* restrict output, v128_t vbias,
                                               v128_t vmagic, v128_t vscale) {
  for (; n >= 16; n -= 16) {
    const v128_t vq = wasm_v128_load(input);
    input += 16;
    const v128_t vlo = wasm_i16x8_extend_low_i8x16(vq);
    const v128_t vhi = wasm_i16x8_extend_high_i8x16(vq);
    const v128_t vf0 = wasm_f32x4_sub(wasm_i32x4_add(wasm_i32x4_extend_low_i16x8(vlo), vbias), vmagic);
    const v128_t vf1 = wasm_f32x4_sub(wasm_i32x4_add(wasm_i32x4_extend_high_i16x8(vlo), vbias), vmagic);
    const v128_t vf2 = wasm_f32x4_sub(wasm_i32x4_add(wasm_i32x4_extend_low_i16x8(vhi), vbias), vmagic);
    const v128_t vf3 = wasm_f32x4_sub(wasm_i32x4_add(wasm_i32x4_extend_high_i16x8(vhi), vbias), vmagic);
    wasm_v128_store(output, wasm_f32x4_mul(vf0, vscale));
    wasm_v128_store(output + 4, wasm_f32x4_mul(vf1, vscale));
    wasm_v128_store(output + 8, wasm_f32x4_mul(vf2, vscale));
    wasm_v128_store(output + 12, wasm_f32x4_mul(vf3, vscale));
    output += 16;
  }
}

void qdq_qs8_f32_vcvt_ukernel__wasmsimd_magic_u16(size_t batch, const int8_t* restrict input,
                                                  float* restrict output,
                                                  const struct qdq_q8_f32_cvt_params* params) {
  /* bits(12582912.0f) - zero_point: adding q gives bits(12582912 + q - zero_point). */
  const v128_t vbias = wasm_i32x4_splat(0x4B400000 - (int32_t) params->zero_point);
  const v128_t vmagic = wasm_f32x4_splat(12582912.0f);
  const v128_t vscale = wasm_f32x4_splat(params->scale);
  const size_t n = batch;
  qdq_qs8_f32_vcvt_magic_body(n & ~(size_t) 15, input, output, vbias, vmagic, vscale);
  const size_t tail = n & 15;
  if (tail != 0) {
    /* Rare tail: through a zeroed stack tile, so nothing reads or writes
     * past the caller's buffers. */
    int8_t xtile[16] = {0};
    float ytile[16];
    memcpy(xtile, input + (n - tail), tail);
    qdq_qs8_f32_vcvt_magic_body(16, xtile, ytile, vbias, vmagic, vscale);
    memcpy(output + (n - tail), ytile, tail * sizeof(float));
  }
}
