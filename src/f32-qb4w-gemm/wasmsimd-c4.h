/*
 * Template of the SIMD128 blockwise float GEMM kernels (B7) for 4-bit
 * (src/f32-qb4w-gemm/) and 8-bit (src/f32-qb8w-gemm/) weights: each file
 * defines QDQ_MR, QDQ_BITS and QDQ_NAME. A chunk's 4 columns x 4 k values
 * are transposed to k-major by one byte shuffle, widened, reduced by the
 * zero point in int16, converted (exactly) to float and scaled: the
 * dequantized weight (float) (q - zp) * scale of MatMulNBits. Each lane is
 * one column and adds its products in k order from +0, with no FMA, then the
 * bias, as the scalar kernel does.
 */
#include <wasm_simd128.h>

#include "kernel-common.h"
#include "nbits-layout.h"
#include "wasmsimd-common.h"

#ifndef QDQ_I16_TO_F32
#define QDQ_I16_TO_F32
#if __clang_major__ >= 19
/* Lanes 0-3 (4-7) of int16 values as floats, exactly. */
static inline v128_t qdq_i16_to_f32_low(v128_t v) { return wasm_f32x4_convert_i32x4(wasm_i32x4_extend_low_i16x8(v)); }
static inline v128_t qdq_i16_to_f32_high(v128_t v) { return wasm_f32x4_convert_i32x4(wasm_i32x4_extend_high_i16x8(v)); }
#else
/* LLVM 14 folds extend + convert into a <4 x i16> sitofp and scalarizes it
 * (32 extract_lane, measured 8x slower). The magic-number conversion is as
 * exact for |v| < 2^22: the float with bits 0x4B400000 + v is 12582912 + v,
 * and subtracting 12582912 is exact, so both builds give the same bits. */
static inline v128_t qdq_i16_to_f32_magic(v128_t v32) {
  return wasm_f32x4_sub(wasm_i32x4_add(v32, wasm_i32x4_const_splat(0x4B400000)), wasm_f32x4_const_splat(12582912.0f));
}
static inline v128_t qdq_i16_to_f32_low(v128_t v) { return qdq_i16_to_f32_magic(wasm_i32x4_extend_low_i16x8(v)); }
static inline v128_t qdq_i16_to_f32_high(v128_t v) { return qdq_i16_to_f32_magic(wasm_i32x4_extend_high_i16x8(v)); }
#endif
#endif

void QDQ_NAME(size_t mr, size_t nc, size_t kb, size_t bs, const float* restrict a, size_t a_stride,
              const void* restrict w, const float* restrict bias, float* restrict c,
              size_t cm_stride) {
  assert(mr != 0 && mr <= QDQ_MR);
  assert(nc != 0);
  assert(kb != 0 && bs % 16 == 0);
  assert(a != NULL && w != NULL && bias != NULL && c != NULL);
  const float* ap[QDQ_MR];
  float* cp[QDQ_MR];
  QDQ_ROW_POINTERS(ap, a, mr, a_stride);
  QDQ_ROW_POINTERS(cp, c, mr, cm_stride);
#if QDQ_BITS == 4
  const v128_t vmask = wasm_i8x16_splat(0x0F);
#endif
  const uint8_t* wp = (const uint8_t*) w;
  do {
    v128_t vacc[QDQ_MR][2];
#pragma clang loop unroll(full)
    for (size_t i = 0; i < QDQ_MR; i++) {
      vacc[i][0] = wasm_f32x4_const_splat(0.0f);
      vacc[i][1] = wasm_f32x4_const_splat(0.0f);
    }
    for (size_t b = 0; b < kb; b++) {
      const float* sc = (const float*) wp;
      const uint8_t* zp = wp + QDQ_NBITS_NR * sizeof(float);
      const uint8_t* data = wp + QDQ_NBITS_BLOCK_META_BYTES;
      wp = data + bs * QDQ_BITS;
      const v128_t vs0123 = wasm_v128_load(sc);
      const v128_t vs4567 = wasm_v128_load(sc + 4);
      const v128_t vzp = wasm_u16x8_extend_low_u8x16(wasm_v128_load64_zero(zp));
      const v128_t vzlo = wasm_i16x8_shuffle(vzp, vzp, 0, 1, 2, 3, 0, 1, 2, 3);
      const v128_t vzhi = wasm_i16x8_shuffle(vzp, vzp, 4, 5, 6, 7, 4, 5, 6, 7);
      for (size_t l = b * bs; l < (b + 1) * bs; l += 4) {
#if QDQ_BITS == 4
        const v128_t v = wasm_v128_load(data);
        data += 16;
        const v128_t vlo = wasm_v128_and(v, vmask);
        const v128_t vhi = wasm_v128_and(wasm_u16x8_shr(v, 4), vmask);
#else
        const v128_t vlo = wasm_v128_load(data);
        const v128_t vhi = wasm_v128_load(data + 16);
        data += 32;
#endif
        /* Column-major (4 columns x 4 k) to k-major (4 k x 4 columns). */
        const v128_t vtlo = wasm_i8x16_shuffle(vlo, vlo, 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
        const v128_t vthi = wasm_i8x16_shuffle(vhi, vhi, 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
        const v128_t vl01 = wasm_i16x8_sub(wasm_u16x8_extend_low_u8x16(vtlo), vzlo);
        const v128_t vl23 = wasm_i16x8_sub(wasm_u16x8_extend_high_u8x16(vtlo), vzlo);
        const v128_t vh01 = wasm_i16x8_sub(wasm_u16x8_extend_low_u8x16(vthi), vzhi);
        const v128_t vh23 = wasm_i16x8_sub(wasm_u16x8_extend_high_u8x16(vthi), vzhi);
        v128_t vwlo[4], vwhi[4];
        vwlo[0] = wasm_f32x4_mul(qdq_i16_to_f32_low(vl01), vs0123);
        vwlo[1] = wasm_f32x4_mul(qdq_i16_to_f32_high(vl01), vs0123);
        vwlo[2] = wasm_f32x4_mul(qdq_i16_to_f32_low(vl23), vs0123);
        vwlo[3] = wasm_f32x4_mul(qdq_i16_to_f32_high(vl23), vs0123);
        vwhi[0] = wasm_f32x4_mul(qdq_i16_to_f32_low(vh01), vs4567);
        vwhi[1] = wasm_f32x4_mul(qdq_i16_to_f32_high(vh01), vs4567);
        vwhi[2] = wasm_f32x4_mul(qdq_i16_to_f32_low(vh23), vs4567);
        vwhi[3] = wasm_f32x4_mul(qdq_i16_to_f32_high(vh23), vs4567);
#pragma clang loop unroll(full)
        for (size_t i = 0; i < QDQ_MR; i++) {
#pragma clang loop unroll(full)
          for (size_t r = 0; r < 4; r++) {
            const v128_t va = wasm_v128_load32_splat(ap[i] + l + r);
            vacc[i][0] = wasm_f32x4_add(vacc[i][0], wasm_f32x4_mul(va, vwlo[r]));
            vacc[i][1] = wasm_f32x4_add(vacc[i][1], wasm_f32x4_mul(va, vwhi[r]));
          }
        }
      }
    }
    /* The bias after the k sum (B7). */
    const v128_t vb0123 = wasm_v128_load(bias);
    const v128_t vb4567 = wasm_v128_load(bias + 4);
    bias += QDQ_NBITS_NR;
#pragma clang loop unroll(full)
    for (size_t i = 0; i < QDQ_MR; i++) {
      vacc[i][0] = wasm_f32x4_add(vacc[i][0], vb0123);
      vacc[i][1] = wasm_f32x4_add(vacc[i][1], vb4567);
    }
    nc = qdq_wasmsimd_store_tile_8_f32(QDQ_MR, vacc, cp, nc);
  } while (nc != 0);
}
