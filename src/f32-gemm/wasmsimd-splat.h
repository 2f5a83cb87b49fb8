/*
 * Template of the SIMD128 MRx8 float GEMM kernels (one file per MR defines
 * QDQ_MR and QDQ_NAME): per k, splat a[i][k] and multiply-add two vectors of
 * 8 packed weights, XNNPACK's "splat" scheme. Multiply then add, no FMA
 * (SIMD128 has none), so results equal the reference (G6) bit for bit.
 */
#include <wasm_simd128.h>

#include "kernel-common.h"
#include "wasmsimd-common.h"

void QDQ_NAME(size_t mr, size_t nc, size_t kc, const float* restrict a, size_t a_stride,
              const void* restrict w, float* restrict c, size_t cm_stride) {
  assert(mr != 0 && mr <= QDQ_MR);
  assert(nc != 0);
  assert(kc != 0 && kc % sizeof(float) == 0);
  const float* ap[QDQ_MR];
  float* cp[QDQ_MR];
  QDQ_ROW_POINTERS(ap, a, mr, a_stride);
  QDQ_ROW_POINTERS(cp, c, mr, cm_stride);
  const size_t k = kc / sizeof(float);
  const float* wp = (const float*) w;
  do {
    v128_t vacc[QDQ_MR][2];
    const v128_t vb0 = wasm_v128_load(wp);
    const v128_t vb1 = wasm_v128_load(wp + 4);
    wp += 8;
#pragma clang loop unroll(full)
    for (size_t i = 0; i < QDQ_MR; i++) {
      vacc[i][0] = vb0;
      vacc[i][1] = vb1;
    }
    for (size_t l = 0; l < k; l++) {
      const v128_t vw0 = wasm_v128_load(wp);
      const v128_t vw1 = wasm_v128_load(wp + 4);
      wp += 8;
#pragma clang loop unroll(full)
      for (size_t i = 0; i < QDQ_MR; i++) {
        const v128_t va = wasm_v128_load32_splat(ap[i] + l);
        vacc[i][0] = wasm_f32x4_add(vacc[i][0], wasm_f32x4_mul(va, vw0));
        vacc[i][1] = wasm_f32x4_add(vacc[i][1], wasm_f32x4_mul(va, vw1));
      }
    }
    nc = qdq_wasmsimd_store_tile_8_f32(QDQ_MR, vacc, cp, nc);
  } while (nc != 0);
}
