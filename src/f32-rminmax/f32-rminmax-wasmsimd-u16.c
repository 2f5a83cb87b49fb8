#include <wasm_simd128.h>

#include "kernel-common.h"

long qdq_f32_rminmax_ukernel__wasmsimd_u16(size_t batch, const float* restrict input,
                                           float* restrict min, float* restrict max) {
  assert(batch % sizeof(float) == 0);
  const size_t n = batch / sizeof(float);
  const v128_t vinf = wasm_f32x4_splat(INFINITY);
  v128_t vmin = wasm_f32x4_splat(*min);
  v128_t vmax = wasm_f32x4_splat(*max);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const v128_t v0 = wasm_v128_load(input + i);
    const v128_t v1 = wasm_v128_load(input + i + 4);
    const v128_t v2 = wasm_v128_load(input + i + 8);
    const v128_t v3 = wasm_v128_load(input + i + 12);
    /* |x| < inf is false for NaN and both infinities. */
    const v128_t vfinite = wasm_v128_and(
        wasm_v128_and(wasm_f32x4_lt(wasm_f32x4_abs(v0), vinf), wasm_f32x4_lt(wasm_f32x4_abs(v1), vinf)),
        wasm_v128_and(wasm_f32x4_lt(wasm_f32x4_abs(v2), vinf), wasm_f32x4_lt(wasm_f32x4_abs(v3), vinf)));
    if (!wasm_i32x4_all_true(vfinite)) break; /* the scalar loop below finds the index */
    vmin = wasm_f32x4_pmin(vmin, wasm_f32x4_pmin(wasm_f32x4_pmin(v0, v1), wasm_f32x4_pmin(v2, v3)));
    vmax = wasm_f32x4_pmax(vmax, wasm_f32x4_pmax(wasm_f32x4_pmax(v0, v1), wasm_f32x4_pmax(v2, v3)));
  }
  float lo = wasm_f32x4_extract_lane(vmin, 0), hi = wasm_f32x4_extract_lane(vmax, 0);
  for (int lane = 1; lane < 4; lane++) {
    const float l = lane == 1 ? wasm_f32x4_extract_lane(vmin, 1)
                  : lane == 2 ? wasm_f32x4_extract_lane(vmin, 2) : wasm_f32x4_extract_lane(vmin, 3);
    const float h = lane == 1 ? wasm_f32x4_extract_lane(vmax, 1)
                  : lane == 2 ? wasm_f32x4_extract_lane(vmax, 2) : wasm_f32x4_extract_lane(vmax, 3);
    lo = l < lo ? l : lo;
    hi = h > hi ? h : hi;
  }
  for (; i < n; i++) {
    const float x = input[i];
    if (x - x != 0.0f) return (long) i;
    lo = x < lo ? x : lo;
    hi = x > hi ? x : hi;
  }
  *min = lo;
  *max = hi;
  return -1;
}
