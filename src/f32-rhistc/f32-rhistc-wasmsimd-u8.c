#include <wasm_simd128.h>

#include "kernel-common.h"

void qdq_f32_rhistc_ukernel__wasmsimd_u8(size_t batch, const float* restrict input,
                                         float* restrict hist,
                                         const struct qdq_f32_histc_params* params) {
  assert(batch % sizeof(float) == 0);
  const size_t n = batch / sizeof(float);
  const v128_t vleft = wasm_f32x4_splat(params->left);
  const v128_t vright = wasm_f32x4_splat(params->right);
  const v128_t vrange = wasm_f32x4_splat(params->range);
  const v128_t vbins = wasm_f32x4_splat(params->bins);
  const v128_t vlast = wasm_i32x4_splat((int32_t) params->last);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const v128_t vx0 = wasm_v128_load(input + i);
    const v128_t vx1 = wasm_v128_load(input + i + 4);
    /* Same operations, in the same order, as qdq_histc_bin's caller: the
     * float results are identical lane by lane. trunc_sat gives 0 for NaN
     * and saturates, which is what qdq_histc_bin defines; the value is >= 0
     * (or -0) here, so a signed min clamps to the last bin. */
    const v128_t vp0 = wasm_i32x4_min(
        wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_mul(wasm_f32x4_div(wasm_f32x4_sub(vx0, vleft), vrange), vbins)),
        vlast);
    const v128_t vp1 = wasm_i32x4_min(
        wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_mul(wasm_f32x4_div(wasm_f32x4_sub(vx1, vleft), vrange), vbins)),
        vlast);
    const uint32_t in0 = wasm_i32x4_bitmask(wasm_v128_and(wasm_f32x4_ge(vx0, vleft), wasm_f32x4_le(vx0, vright)));
    const uint32_t in1 = wasm_i32x4_bitmask(wasm_v128_and(wasm_f32x4_ge(vx1, vleft), wasm_f32x4_le(vx1, vright)));
    /* The scatter stays scalar: two lanes may hit the same bin. */
    if (in0 & 1) hist[wasm_i32x4_extract_lane(vp0, 0)] += 1.0f;
    if (in0 & 2) hist[wasm_i32x4_extract_lane(vp0, 1)] += 1.0f;
    if (in0 & 4) hist[wasm_i32x4_extract_lane(vp0, 2)] += 1.0f;
    if (in0 & 8) hist[wasm_i32x4_extract_lane(vp0, 3)] += 1.0f;
    if (in1 & 1) hist[wasm_i32x4_extract_lane(vp1, 0)] += 1.0f;
    if (in1 & 2) hist[wasm_i32x4_extract_lane(vp1, 1)] += 1.0f;
    if (in1 & 4) hist[wasm_i32x4_extract_lane(vp1, 2)] += 1.0f;
    if (in1 & 8) hist[wasm_i32x4_extract_lane(vp1, 3)] += 1.0f;
  }
  const float left = params->left, right = params->right;
  const float range = params->range, bins = params->bins;
  const uint32_t last = params->last;
  for (; i < n; i++) {
    const float x = input[i];
    if (!(x >= left && x <= right)) continue;
    hist[qdq_histc_bin((x - left) / range * bins, last)] += 1.0f;
  }
}
