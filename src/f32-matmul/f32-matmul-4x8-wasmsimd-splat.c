/* SIMD128 4x8 float matrix product on unpacked operands: per l, splat a[i][l] (any strides, so
 * A or A^T) and multiply-add two vectors of row l of B, read in place (B is never packed: in
 * training it changes every step). Multiply then add from 0, in l order, so results equal
 * qdq_reference_f32_matmul bit for bit. The last column block (nc < 8) loads B lanes past column
 * nc: at most 3 floats (12 bytes) past the end of B, within QDQ_EXTRA_BYTES; they are never stored. */
#include <wasm_simd128.h>

#include "kernel-common.h"
#include "wasmsimd-common.h"

void qdq_f32_matmul_ukernel_4x8__wasmsimd_splat(size_t mr, size_t nc, size_t kc, const float* restrict a,
                                                size_t a_stride, size_t ak_stride, const float* restrict b,
                                                size_t b_stride, float* restrict c, size_t cm_stride) {
  assert(mr != 0 && mr <= 4);
  assert(nc != 0);
  assert(kc % sizeof(float) == 0);
  const uint8_t* ap[4];
  float* cp[4];
  QDQ_ROW_POINTERS(ap, (const uint8_t*) a, mr, a_stride);
  QDQ_ROW_POINTERS(cp, c, mr, cm_stride);
  const size_t k = kc / sizeof(float);
  const uint8_t* bp = (const uint8_t*) b;
  do {
    v128_t vacc[4][2];
#pragma clang loop unroll(full)
    for (size_t i = 0; i < 4; i++) {
      vacc[i][0] = wasm_f32x4_const_splat(0.0f);
      vacc[i][1] = wasm_f32x4_const_splat(0.0f);
    }
    const uint8_t* bl = bp;
    size_t off = 0;
    if (nc > 4) {
      for (size_t l = 0; l < k; l++) {
        const v128_t vb0 = wasm_v128_load(bl);
        const v128_t vb1 = wasm_v128_load(bl + 16);
        bl += b_stride;
#pragma clang loop unroll(full)
        for (size_t i = 0; i < 4; i++) {
          const v128_t va = wasm_v128_load32_splat(ap[i] + off);
          vacc[i][0] = wasm_f32x4_add(vacc[i][0], wasm_f32x4_mul(va, vb0));
          vacc[i][1] = wasm_f32x4_add(vacc[i][1], wasm_f32x4_mul(va, vb1));
        }
        off += ak_stride;
      }
    } else {
      /* Four columns or fewer: one vector, so the over-read stays within 12 bytes. */
      for (size_t l = 0; l < k; l++) {
        const v128_t vb0 = wasm_v128_load(bl);
        bl += b_stride;
#pragma clang loop unroll(full)
        for (size_t i = 0; i < 4; i++) {
          const v128_t va = wasm_v128_load32_splat(ap[i] + off);
          vacc[i][0] = wasm_f32x4_add(vacc[i][0], wasm_f32x4_mul(va, vb0));
        }
        off += ak_stride;
      }
    }
    nc = qdq_wasmsimd_store_tile_8_f32(4, vacc, cp, nc);
    bp += 8 * sizeof(float);
  } while (nc != 0);
}
