/*
 * Template of the 4x8c4 kernels on int16 activations packed per 4 rows
 * (qdq_qs8_gemm_pack_a16: per chunk of 4 k, rows 0..3 x 4 int16, 32 bytes);
 * a file defines QDQ_NAME and QDQ_XWIDEN.
 *
 * QDQ_XWIDEN 0, the xw kernel: weights widened to int16 by the operator
 * (qdq_qs8_gemm_widen_w's layout: 8 int32 biases, then per chunk of 4 k,
 * columns 0..7 x 4 k as int16, 64 bytes), so the loop has no sign extension
 * and one activation pointer with constant offsets: per 4 columns x 4 k, two
 * 16-byte weight loads, then per row one 64-bit splat load and two
 * i32x4.dot_i16x8_s + adds. Row pointers instead cost V8 an address
 * computation per row per step (bench/probes/gemm-xw.js c4x4x8p:
 * 1.01-1.10x).
 *
 * QDQ_XWIDEN 1, the xwiden kernel: the same step on the int8 c4 packing,
 * each 16-byte chunk (4 columns x 4 k) sign-extended as it is loaded into
 * the two vectors the xw kernel would load, and stored into wx in the
 * widened layout unless wx is NULL. The operator runs it on the first row
 * block that reads a column group, so widening costs an extend and two
 * stores per step of that row block instead of a pass of its own; the
 * results are the xw kernel's, bit for bit.
 *
 * Each 8-column block is done in two 4-column passes to keep 4 rows of
 * partial sums in registers. The kernels compute all 4 packed rows (rows
 * past mr are the packer's zeros) and store mr.
 */
#include <wasm_simd128.h>

#include "kernel-common.h"
#include "wasmsimd-common.h"

/*
 * How the k loop ends. V8 12.4 (Node 22) keeps a counter's bound on the
 * stack and reloads it at every step; a loop that ends on the activation
 * pointer has two pointers and no bound, and ran 1.07x on Node 22, 0.994x in
 * Chromium 156 and 0.995x on Node 20 (V8 11.3; docs/gemm.md, "How the xw
 * kernel's k loop ends"). Node 20 has no relaxed SIMD, so it runs only the
 * SIMD128 build: that build keeps the counter, the relaxed build (Node 22,
 * Chromium) ends on the pointer.
 */
#if defined(__wasm_relaxed_simd__)
#define QDQ_XW_END_ON_POINTER 1
#else
#define QDQ_XW_END_ON_POINTER 0
#endif

void QDQ_NAME(size_t mr, size_t nc, size_t kc, const int16_t* restrict a, size_t a_stride,
              const void* restrict w, int32_t* restrict c, size_t cm_stride
#if QDQ_XWIDEN
              , int16_t* restrict wx
#endif
) {
  assert(mr != 0 && mr <= 4);
  assert(nc != 0);
  assert(kc != 0);
  assert(a != NULL && w != NULL && c != NULL);
  (void) a_stride; /* packed: 4 rows per chunk */
  const size_t kpad = (kc + 3) & ~(size_t) 3;
  int32_t* cp[4];
  QDQ_ROW_POINTERS(cp, c, mr, cm_stride);
  const uint8_t* wp = (const uint8_t*) w;
#if QDQ_XW_END_ON_POINTER
  const int16_t* const a_end = a + kpad * 4;
#endif
  do {
    v128_t vout[4][2];
#if QDQ_XWIDEN
    if (wx != NULL) {
      wasm_v128_store(wx, wasm_v128_load(wp));
      wasm_v128_store(wx + 8, wasm_v128_load(wp + 16));
    }
#endif
    for (size_t half = 0; half < 2; half++) {
      const v128_t vb = wasm_v128_load(wp + 16 * half);
#if QDQ_XWIDEN
      const int8_t* wk = (const int8_t*) (wp + 8 * sizeof(int32_t)) + 16 * half;
      int16_t* wo = wx != NULL ? wx + 16 + 16 * half : NULL;
#else
      const int16_t* wk = (const int16_t*) (wp + 8 * sizeof(int32_t)) + 16 * half;
#endif
      const int16_t* ak = a;
      v128_t vacc[4][2];
#pragma clang loop unroll(full)
      for (size_t i = 0; i < 4; i++) {
        vacc[i][0] = wasm_i32x4_const_splat(0);
        vacc[i][1] = wasm_i32x4_const_splat(0);
      }
#if QDQ_XW_END_ON_POINTER
      do {
#else
      for (size_t l = 0; l < kpad; l += 4) {
#endif
#if QDQ_XWIDEN
        const v128_t vw = wasm_v128_load(wk);
        const v128_t vw01 = wasm_i16x8_extend_low_i8x16(vw);
        const v128_t vw23 = wasm_i16x8_extend_high_i8x16(vw);
        wk += 32;
        if (wo != NULL) {
          wasm_v128_store(wo, vw01);
          wasm_v128_store(wo + 8, vw23);
          wo += 32;
        }
#else
        const v128_t vw01 = wasm_v128_load(wk);
        const v128_t vw23 = wasm_v128_load(wk + 8);
        wk += 32;
#endif
#pragma clang loop unroll(full)
        for (size_t i = 0; i < 4; i++) {
          const v128_t va = wasm_v128_load64_splat(ak + 4 * i);
          vacc[i][0] = wasm_i32x4_add(vacc[i][0], wasm_i32x4_dot_i16x8(vw01, va));
          vacc[i][1] = wasm_i32x4_add(vacc[i][1], wasm_i32x4_dot_i16x8(vw23, va));
        }
        ak += 16;
#if QDQ_XW_END_ON_POINTER
      } while (ak != a_end);
#else
      }
#endif
#pragma clang loop unroll(full)
      for (size_t i = 0; i < 4; i++) {
        vout[i][half] = wasm_i32x4_add(
            vb, wasm_i32x4_add(wasm_i32x4_shuffle(vacc[i][0], vacc[i][1], 0, 2, 4, 6),
                               wasm_i32x4_shuffle(vacc[i][0], vacc[i][1], 1, 3, 5, 7)));
      }
    }
#if QDQ_XWIDEN
    wp += 8 * sizeof(int32_t) + kpad * 8;
    if (wx != NULL) wx += 8 * sizeof(int32_t) / sizeof(int16_t) + kpad * 8;
#else
    wp += 8 * sizeof(int32_t) + kpad * 8 * sizeof(int16_t);
#endif
    nc = qdq_wasmsimd_store_tile_8_i32(mr, vout, cp, nc);
  } while (nc != 0);
}
