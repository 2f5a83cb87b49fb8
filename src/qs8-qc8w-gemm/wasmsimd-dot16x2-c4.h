/*
 * Template of the SIMD128 MRx8c4 kernels (one file per MR defines QDQ_MR and
 * QDQ_NAME). Each 16-byte weight vector holds 4 columns x 4 k (c4 order).
 * Sign-extending its halves gives two i16x8 vectors of 2 columns x 4 k; the
 * activation's 4 bytes, splatted and extended, give [a0 a1 a2 a3 a0 a1 a2 a3],
 * so i32x4.dot_i16x8_s yields 2 partial sums per column. The partial sums are
 * reduced once per tile, after the k loop, not once per step.
 * Products are at most 128 * 128, pairs at most 2^15: no i32 lane overflows
 * within the bound of G2, and i32 adds wrap as the int32 result requires.
 */
#include <wasm_simd128.h>

#include "kernel-common.h"
#include "wasmsimd-common.h"

#define QDQ_NR 8
#define QDQ_KR 4

void QDQ_NAME(size_t mr, size_t nc, size_t kc, const int8_t* restrict a, size_t a_stride,
              const void* restrict w, int32_t* restrict c, size_t cm_stride) {
  assert(mr != 0 && mr <= QDQ_MR);
  assert(nc != 0);
  assert(kc != 0);
  assert(a != NULL && w != NULL && c != NULL);
  const size_t kpad = (kc + QDQ_KR - 1) & ~(size_t) (QDQ_KR - 1);
  /* Rows past mr alias the previous row: they compute (and store) the same
   * values, so no row outside the caller's mr is read or written. */
  const int8_t* ap[QDQ_MR];
  int32_t* cp[QDQ_MR];
  QDQ_ROW_POINTERS(ap, a, mr, a_stride);
  QDQ_ROW_POINTERS(cp, c, mr, cm_stride);
  const int8_t* wp = (const int8_t*) w;
  do {
    const v128_t vb0123 = wasm_v128_load(wp);
    const v128_t vb4567 = wasm_v128_load(wp + 16);
    wp += QDQ_NR * sizeof(int32_t);
    v128_t vacc[QDQ_MR][4];
#pragma clang loop unroll(full)
    for (size_t i = 0; i < QDQ_MR; i++) {
      vacc[i][0] = wasm_i32x4_const_splat(0);
      vacc[i][1] = wasm_i32x4_const_splat(0);
      vacc[i][2] = wasm_i32x4_const_splat(0);
      vacc[i][3] = wasm_i32x4_const_splat(0);
    }
    for (size_t l = 0; l < kpad; l += QDQ_KR) {
      const v128_t vw0123 = wasm_v128_load(wp);
      const v128_t vw4567 = wasm_v128_load(wp + 16);
      wp += QDQ_NR * QDQ_KR;
      const v128_t vw01 = wasm_i16x8_extend_low_i8x16(vw0123);
      const v128_t vw23 = wasm_i16x8_extend_high_i8x16(vw0123);
      const v128_t vw45 = wasm_i16x8_extend_low_i8x16(vw4567);
      const v128_t vw67 = wasm_i16x8_extend_high_i8x16(vw4567);
#pragma clang loop unroll(full)
      for (size_t i = 0; i < QDQ_MR; i++) {
        /* QDQ_EXTRA_BYTES: reads up to 3 bytes past kc; the weights there are 0. */
        const v128_t va = wasm_i16x8_extend_low_i8x16(wasm_v128_load32_splat(ap[i] + l));
        vacc[i][0] = wasm_i32x4_add(vacc[i][0], wasm_i32x4_dot_i16x8(vw01, va));
        vacc[i][1] = wasm_i32x4_add(vacc[i][1], wasm_i32x4_dot_i16x8(vw23, va));
        vacc[i][2] = wasm_i32x4_add(vacc[i][2], wasm_i32x4_dot_i16x8(vw45, va));
        vacc[i][3] = wasm_i32x4_add(vacc[i][3], wasm_i32x4_dot_i16x8(vw67, va));
      }
    }
    v128_t vout[QDQ_MR][2];
#pragma clang loop unroll(full)
    for (size_t i = 0; i < QDQ_MR; i++) {
      vout[i][0] = wasm_i32x4_add(
          vb0123, wasm_i32x4_add(wasm_i32x4_shuffle(vacc[i][0], vacc[i][1], 0, 2, 4, 6),
                                 wasm_i32x4_shuffle(vacc[i][0], vacc[i][1], 1, 3, 5, 7)));
      vout[i][1] = wasm_i32x4_add(
          vb4567, wasm_i32x4_add(wasm_i32x4_shuffle(vacc[i][2], vacc[i][3], 0, 2, 4, 6),
                                 wasm_i32x4_shuffle(vacc[i][2], vacc[i][3], 1, 3, 5, 7)));
    }
    _Static_assert(QDQ_NR == 8, "the tile store writes 8 columns");
    nc = qdq_wasmsimd_store_tile_8_i32(QDQ_MR, vout, cp, nc);
  } while (nc != 0);
}
