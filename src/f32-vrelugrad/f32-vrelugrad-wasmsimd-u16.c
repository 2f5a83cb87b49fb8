/* SIMD128 ReLU backward (T2 of qdq.h), sixteen elements per iteration: dy AND the lane mask of
 * y > 0 (false for NaN), which gives +0 where the mask is clear, as the scalar kernel does. */
#include <wasm_simd128.h>

#include "kernel-common.h"

void qdq_f32_vrelugrad_ukernel__wasmsimd_u16(size_t batch, const float* restrict y, const float* restrict dy,
                                             float* restrict dx) {
  assert(batch % sizeof(float) == 0);
  const size_t n = batch / sizeof(float);
  const v128_t vzero = wasm_f32x4_const_splat(0.0f);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const v128_t m0 = wasm_f32x4_gt(wasm_v128_load(y + i), vzero);
    const v128_t m1 = wasm_f32x4_gt(wasm_v128_load(y + i + 4), vzero);
    const v128_t m2 = wasm_f32x4_gt(wasm_v128_load(y + i + 8), vzero);
    const v128_t m3 = wasm_f32x4_gt(wasm_v128_load(y + i + 12), vzero);
    wasm_v128_store(dx + i, wasm_v128_and(wasm_v128_load(dy + i), m0));
    wasm_v128_store(dx + i + 4, wasm_v128_and(wasm_v128_load(dy + i + 4), m1));
    wasm_v128_store(dx + i + 8, wasm_v128_and(wasm_v128_load(dy + i + 8), m2));
    wasm_v128_store(dx + i + 12, wasm_v128_and(wasm_v128_load(dy + i + 12), m3));
  }
  for (; i + 4 <= n; i += 4) {
    wasm_v128_store(dx + i, wasm_v128_and(wasm_v128_load(dy + i), wasm_f32x4_gt(wasm_v128_load(y + i), vzero)));
  }
  for (; i < n; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}
