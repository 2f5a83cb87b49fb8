/*
 * Template of the SIMD128 MRx8c4 kernels on int16 activations (one file per
 * MR defines QDQ_MR and QDQ_NAME), for the c4 packing that the relaxed
 * build's i7 kernels need. A 16-byte weight vector holds 4 columns x 4 k;
 * its sign-extended halves are 2 columns x 4 k each, and one 64-bit splat
 * load of the activations gives [a0 a1 a2 a3 a0 a1 a2 a3], so
 * i32x4.dot_i16x8_s yields 2 partial sums per column. To keep 4 rows of
 * partial sums in registers, each 8-column block is done in two 4-column
 * passes over k (the second re-reads the activations from L1).
 * Pair sums are at most 2^15; i32 adds wrap as G2 requires.
 */
#include <wasm_simd128.h>

#include "kernel-common.h"
#include "wasmsimd-common.h"

#define QDQ_NR 8
#define QDQ_KR 4

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
    v128_t vout[QDQ_MR][2];
    for (size_t half = 0; half < 2; half++) {
      const v128_t vb = wasm_v128_load(wp + 16 * half);
      const int8_t* wk = wp + QDQ_NR * sizeof(int32_t) + 16 * half;
      v128_t vacc[QDQ_MR][2];
#pragma clang loop unroll(full)
      for (size_t i = 0; i < QDQ_MR; i++) {
        vacc[i][0] = wasm_i32x4_const_splat(0);
        vacc[i][1] = wasm_i32x4_const_splat(0);
      }
      for (size_t l = 0; l < kpad; l += QDQ_KR) {
        const v128_t vw = wasm_v128_load(wk);
        wk += QDQ_NR * QDQ_KR;
        const v128_t vw01 = wasm_i16x8_extend_low_i8x16(vw);
        const v128_t vw23 = wasm_i16x8_extend_high_i8x16(vw);
#pragma clang loop unroll(full)
        for (size_t i = 0; i < QDQ_MR; i++) {
          /* QDQ_EXTRA_BYTES: reads up to 3 elements past kc; the weights there are 0. */
          const v128_t va = wasm_v128_load64_splat(ap[i] + l);
          vacc[i][0] = wasm_i32x4_add(vacc[i][0], wasm_i32x4_dot_i16x8(vw01, va));
          vacc[i][1] = wasm_i32x4_add(vacc[i][1], wasm_i32x4_dot_i16x8(vw23, va));
        }
      }
#pragma clang loop unroll(full)
      for (size_t i = 0; i < QDQ_MR; i++) {
        vout[i][half] = wasm_i32x4_add(
            vb, wasm_i32x4_add(wasm_i32x4_shuffle(vacc[i][0], vacc[i][1], 0, 2, 4, 6),
                               wasm_i32x4_shuffle(vacc[i][0], vacc[i][1], 1, 3, 5, 7)));
      }
    }
    wp += QDQ_NR * sizeof(int32_t) + kpad * QDQ_NR;
    _Static_assert(QDQ_NR == 8, "the tile store writes 8 columns");
    nc = qdq_wasmsimd_store_tile_8_i32(QDQ_MR, vout, cp, nc);
  } while (nc != 0);
}
