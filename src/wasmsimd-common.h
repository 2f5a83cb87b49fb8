/* Internal SIMD128 helpers shared by kernel files. Not part of the public API. */
#ifndef QDQ_WASMSIMD_COMMON_H
#define QDQ_WASMSIMD_COMMON_H

#include <wasm_simd128.h>

/* Loads 16 floats and scales them, x / vscale (E5a) or x * vscale (E5b,
 * vscale holding inv_scale). Kernels call it with a constant `divide` from
 * two copies of their loop, so the test folds away. */
static inline void qdq_wasmsimd_load_scale_x16(const float* input, v128_t vscale, int divide,
                                               v128_t v[4]) {
  for (int i = 0; i < 4; i++) {
    const v128_t vx = wasm_v128_load(input + 4 * i);
    v[i] = divide ? wasm_f32x4_div(vx, vscale) : wasm_f32x4_mul(vx, vscale);
  }
}

#endif
