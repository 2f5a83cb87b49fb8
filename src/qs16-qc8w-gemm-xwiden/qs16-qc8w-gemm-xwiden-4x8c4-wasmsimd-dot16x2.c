/*
 * The xw kernel (src/qs16-qc8w-gemm-xw) on the int8 c4 packing, widening
 * each 16-byte chunk of weights (4 columns x 4 k) as it loads it, and
 * storing the widened chunks into wx in qdq_qs8_gemm_widen_w's layout (8
 * int32 biases, then per chunk of 4 k, columns 0..7 x 4 k as int16) unless
 * wx is NULL. The operator runs it on the first row block of a column
 * block, so that widening the block costs an extend and two stores per step
 * of that block instead of a pass of its own; the other row blocks read the
 * copy with the xw kernel. Results are the xw kernel's bit for bit.
 */
#include <wasm_simd128.h>

#include "kernel-common.h"
#include "wasmsimd-common.h"

void qdq_qs16_qc8w_gemm_xwiden_ukernel_4x8c4__wasmsimd_dot16x2(size_t mr, size_t nc, size_t kc,
                                                              const int16_t* restrict a,
                                                              size_t a_stride,
                                                              const void* restrict w,
                                                              int32_t* restrict c, size_t cm_stride,
                                                              int16_t* restrict wx) {
  assert(mr != 0 && mr <= 4);
  assert(nc != 0);
  assert(kc != 0);
  assert(a != NULL && w != NULL && c != NULL);
  (void) a_stride; /* packed: 4 rows per chunk */
  const size_t kpad = (kc + 3) & ~(size_t) 3;
  int32_t* cp[4];
  QDQ_ROW_POINTERS(cp, c, mr, cm_stride);
  const int8_t* wp = (const int8_t*) w;
  do {
    v128_t vout[4][2];
    if (wx != NULL) {
      wasm_v128_store(wx, wasm_v128_load(wp));
      wasm_v128_store(wx + 8, wasm_v128_load(wp + 16));
    }
    for (size_t half = 0; half < 2; half++) {
      const v128_t vb = wasm_v128_load(wp + 16 * half);
      const int8_t* wk = wp + 8 * sizeof(int32_t) + 16 * half;
      int16_t* wo = wx != NULL ? wx + 16 + 16 * half : NULL;
      const int16_t* ak = a;
      v128_t vacc[4][2];
#pragma clang loop unroll(full)
      for (size_t i = 0; i < 4; i++) {
        vacc[i][0] = wasm_i32x4_const_splat(0);
        vacc[i][1] = wasm_i32x4_const_splat(0);
      }
      for (size_t l = 0; l < kpad; l += 4) {
        const v128_t vw = wasm_v128_load(wk);
        const v128_t vw01 = wasm_i16x8_extend_low_i8x16(vw);
        const v128_t vw23 = wasm_i16x8_extend_high_i8x16(vw);
        wk += 32;
        if (wo != NULL) {
          wasm_v128_store(wo, vw01);
          wasm_v128_store(wo + 8, vw23);
          wo += 32;
        }
#pragma clang loop unroll(full)
        for (size_t i = 0; i < 4; i++) {
          const v128_t va = wasm_v128_load64_splat(ak + 4 * i);
          vacc[i][0] = wasm_i32x4_add(vacc[i][0], wasm_i32x4_dot_i16x8(vw01, va));
          vacc[i][1] = wasm_i32x4_add(vacc[i][1], wasm_i32x4_dot_i16x8(vw23, va));
        }
        ak += 16;
      }
#pragma clang loop unroll(full)
      for (size_t i = 0; i < 4; i++) {
        vout[i][half] = wasm_i32x4_add(
            vb, wasm_i32x4_add(wasm_i32x4_shuffle(vacc[i][0], vacc[i][1], 0, 2, 4, 6),
                               wasm_i32x4_shuffle(vacc[i][0], vacc[i][1], 1, 3, 5, 7)));
      }
    }
    wp += 8 * sizeof(int32_t) + kpad * 8;
    if (wx != NULL) wx += 8 * sizeof(int32_t) / sizeof(int16_t) + kpad * 8;
    nc = qdq_wasmsimd_store_tile_8_i32(mr, vout, cp, nc);
  } while (nc != 0);
}
