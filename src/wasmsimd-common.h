/* Internal SIMD128 helpers shared by kernel files. Not part of the public API. */
#ifndef QDQ_WASMSIMD_COMMON_H
#define QDQ_WASMSIMD_COMMON_H

#include <stddef.h>
#include <stdint.h>
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

/* Stores an mr x 8 GEMM output tile of 32-bit lanes (int32 or float), row i
 * being vout[i][0] (columns 0-3) and vout[i][1] (columns 4-7), at cp[i]: all 8
 * columns when nc >= 8, advancing each cp[i] by 8, else only the first nc,
 * writing nothing past them. Returns the columns left after this tile. mr is a
 * constant at every call, so the row loops unroll after inlining. One body
 * for both lane types, stamped out per type because the row pointers' type
 * differs (the stores themselves are untyped). */
#define QDQ_WASMSIMD_STORE_TILE_8(T, NAME)                                                          \
  static inline __attribute__((always_inline)) size_t NAME(size_t mr, v128_t vout[][2], T** cp,     \
                                                           size_t nc) {                             \
    if (nc >= 8) {                                                                                  \
      for (size_t i = 0; i < mr; i++) {                                                             \
        wasm_v128_store(cp[i], vout[i][0]);                                                         \
        wasm_v128_store(cp[i] + 4, vout[i][1]);                                                     \
        cp[i] += 8;                                                                                 \
      }                                                                                             \
      return nc - 8;                                                                                \
    }                                                                                               \
    for (size_t i = 0; i < mr; i++) {                                                               \
      T* ci = cp[i];                                                                                \
      v128_t v = vout[i][0];                                                                        \
      if (nc & 4) {                                                                                 \
        wasm_v128_store(ci, v);                                                                     \
        v = vout[i][1];                                                                             \
        ci += 4;                                                                                    \
      }                                                                                             \
      if (nc & 2) {                                                                                 \
        wasm_v128_store64_lane(ci, v, 0);                                                           \
        v = wasm_i64x2_shuffle(v, v, 1, 1);                                                         \
        ci += 2;                                                                                    \
      }                                                                                             \
      if (nc & 1) wasm_v128_store32_lane(ci, v, 0);                                                 \
    }                                                                                               \
    return 0;                                                                                       \
  }

QDQ_WASMSIMD_STORE_TILE_8(int32_t, qdq_wasmsimd_store_tile_8_i32)
QDQ_WASMSIMD_STORE_TILE_8(float, qdq_wasmsimd_store_tile_8_f32)

#endif
