/*
 * Template of the SIMD128 MRx8c2 kernels on int16 activations (one file per
 * MR defines QDQ_MR and QDQ_NAME). Each 16-byte weight vector holds 8
 * columns x 2 k (c2 order); sign-extending its halves gives columns 0-3 and
 * 4-7 as i16 pairs. One 32-bit splat load of the activation pair
 * [a0 a1 a0 a1 ...] then feeds i32x4.dot_i16x8_s for 4 full column sums:
 * one accumulator per 4 columns per row, nothing to reduce after the loop,
 * and no per-row widening in the loop (the operator widened A once).
 * Pair sums are at most 2 * 128 * 128 = 2^15; i32 adds wrap as G2 requires.
 */
#include <wasm_simd128.h>

#include "kernel-common.h"
#include "wasmsimd-common.h"

#define QDQ_NR 8
#define QDQ_KR 2

void QDQ_NAME(size_t mr, size_t nc, size_t kc, const int16_t* restrict a, size_t a_stride,
              const void* restrict w, int32_t* restrict c, size_t cm_stride) {
  assert(mr != 0 && mr <= QDQ_MR);
  assert(nc != 0);
  assert(kc != 0);
  assert(a != NULL && w != NULL && c != NULL);
  const size_t kpad = (kc + QDQ_KR - 1) & ~(size_t) (QDQ_KR - 1);
  const int16_t* ap[QDQ_MR];
  int32_t* cp[QDQ_MR];
  QDQ_ROW_POINTERS(ap, a, mr, a_stride);
  QDQ_ROW_POINTERS(cp, c, mr, cm_stride);
  const int8_t* wp = (const int8_t*) w;
  do {
    v128_t vacc[QDQ_MR][2];
    const v128_t vb0123 = wasm_v128_load(wp);
    const v128_t vb4567 = wasm_v128_load(wp + 16);
    wp += QDQ_NR * sizeof(int32_t);
#pragma clang loop unroll(full)
    for (size_t i = 0; i < QDQ_MR; i++) {
      vacc[i][0] = vb0123;
      vacc[i][1] = vb4567;
    }
    for (size_t l = 0; l < kpad; l += QDQ_KR) {
      const v128_t vw = wasm_v128_load(wp);
      wp += QDQ_NR * QDQ_KR;
      const v128_t vw0123 = wasm_i16x8_extend_low_i8x16(vw);
      const v128_t vw4567 = wasm_i16x8_extend_high_i8x16(vw);
#pragma clang loop unroll(full)
      for (size_t i = 0; i < QDQ_MR; i++) {
        /* QDQ_EXTRA_BYTES: reads one element past an odd kc; the weight there is 0. */
        const v128_t va = wasm_v128_load32_splat(ap[i] + l);
        vacc[i][0] = wasm_i32x4_add(vacc[i][0], wasm_i32x4_dot_i16x8(vw0123, va));
        vacc[i][1] = wasm_i32x4_add(vacc[i][1], wasm_i32x4_dot_i16x8(vw4567, va));
      }
    }
    _Static_assert(QDQ_NR == 8, "the tile store writes 8 columns");
    nc = qdq_wasmsimd_store_tile_8_i32(QDQ_MR, vacc, cp, nc);
  } while (nc != 0);
}
