/*
 * Template of the relaxed-SIMD MRx8c4 kernels (one file per MR defines
 * QDQ_MR and QDQ_NAME). i16x8.relaxed_dot_i8x16_i7x16_s(w, a) multiplies 16
 * int8 weights (4 columns x 4 k, c4 order) by the activation's 4 bytes
 * splatted, and i32x4.extadd_pairwise_i16x8_s folds the pairs, giving one
 * full 4-k sum per column: no reduction after the loop.
 * Exactness (G7): every activation must be in [0, 127]. Then each i16 pair
 * sum is at most 2 * 128 * 127 = 32512 in magnitude, so the engine's choice
 * (signed or unsigned reading of the i7 operand, saturating or wrapping i16
 * adds; pmaddubsw on x86, VNNI or not) cannot change the result.
 * qdq_qs8_gemm guarantees the range by shifting each row by its minimum and
 * using these kernels only for rows whose range is at most 127.
 * Not the 3-operand i32x4.relaxed_dot_i8x16_i7x16_add_s: emcc's binaryen 108
 * misreads its opcode and writes a module that does not validate
 * (docs/toolchain.md, "Relaxed SIMD").
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
  const int8_t* ap[QDQ_MR];
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
      const v128_t vw0123 = wasm_v128_load(wp);
      const v128_t vw4567 = wasm_v128_load(wp + 16);
      wp += QDQ_NR * QDQ_KR;
#pragma clang loop unroll(full)
      for (size_t i = 0; i < QDQ_MR; i++) {
        /* QDQ_EXTRA_BYTES: reads up to 3 bytes past kc; the weights there are
         * 0, so whatever those bytes hold, their products and pair sums are
         * exact (see above). */
        const v128_t va = wasm_v128_load32_splat(ap[i] + l);
        vacc[i][0] = wasm_i32x4_add(vacc[i][0], wasm_i32x4_extadd_pairwise_i16x8(
                                                    wasm_i16x8_relaxed_dot_i8x16_i7x16(vw0123, va)));
        vacc[i][1] = wasm_i32x4_add(vacc[i][1], wasm_i32x4_extadd_pairwise_i16x8(
                                                    wasm_i16x8_relaxed_dot_i8x16_i7x16(vw4567, va)));
      }
    }
    _Static_assert(QDQ_NR == 8, "the tile store writes 8 columns");
    nc = qdq_wasmsimd_store_tile_8_i32(QDQ_MR, vacc, cp, nc);
  } while (nc != 0);
}
