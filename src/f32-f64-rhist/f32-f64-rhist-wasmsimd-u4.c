#include <wasm_simd128.h>

#include "kernel-common.h"

void qdq_f32_f64_rhist_ukernel__wasmsimd_u4(size_t batch, const float* restrict input,
                                            double* restrict counts,
                                            const struct qdq_f32_f64_hist_params* params) {
  assert(batch % sizeof(float) == 0);
  const size_t n = batch / sizeof(float);
  const v128_t vlo = wasm_f64x2_splat(params->lo);
  const v128_t vwidth = wasm_f64x2_splat(params->width);
  const v128_t vzero = wasm_f64x2_splat(0.0);
  const v128_t vlast = wasm_i32x4_splat((int32_t) (params->bins - 1));
  const v128_t vizero = wasm_i32x4_splat(0);
  const v128_t vone = wasm_f64x2_splat(1.0);
  const v128_t vnegzero = wasm_f64x2_splat(-0.0);
  /* |x| clears the sign bit of the float: fabs((double) x) is (double) fabs(x). */
  const v128_t vsign = params->absolute ? wasm_i32x4_splat(INT32_MIN) : wasm_i32x4_splat(0);
  uint32_t bin[4] __attribute__((aligned(16)));
  double inc[4] __attribute__((aligned(16)));
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t vx = wasm_v128_andnot(wasm_v128_load(input + i), vsign);
    /* The reference's double arithmetic, two lanes at a time: the same
     * correctly rounded subtraction and division, so the same q. */
    const v128_t vq0 = wasm_f64x2_div(wasm_f64x2_sub(wasm_f64x2_promote_low_f32x4(vx), vlo), vwidth);
    const v128_t vq1 = wasm_f64x2_div(
        wasm_f64x2_sub(wasm_f64x2_promote_low_f32x4(wasm_i64x2_shuffle(vx, vx, 1, 0)), vlo), vwidth);
    /* q >= 0 is false for NaN. In range, trunc_sat(q) is trunc(q), and
     * q >= bins gives bins - 1 through the min (trunc_sat saturates), as the
     * reference's test does; out of range the index is clamped to 0. */
    const v128_t vin0 = wasm_f64x2_ge(vq0, vzero), vin1 = wasm_f64x2_ge(vq1, vzero);
    const v128_t vidx = wasm_i32x4_max(
        wasm_i32x4_min(wasm_i32x4_shuffle(wasm_i32x4_trunc_sat_f64x2_zero(vq0), wasm_i32x4_trunc_sat_f64x2_zero(vq1),
                                          0, 1, 4, 5),
                       vlast),
        vizero);
    wasm_v128_store(bin, vidx);
    /* The scatter stays scalar (two lanes may hit the same bin), without a
     * branch per element: one test when all 4 are in range, else each adds
     * 1 or -0 (the identity of double addition: a skipped element changes
     * no count, not even a -0). */
    if (wasm_i64x2_all_true(wasm_v128_and(vin0, vin1))) {
      counts[bin[0]] += 1.0;
      counts[bin[1]] += 1.0;
      counts[bin[2]] += 1.0;
      counts[bin[3]] += 1.0;
    } else {
      wasm_v128_store(inc, wasm_v128_bitselect(vone, vnegzero, vin0));
      wasm_v128_store(inc + 2, wasm_v128_bitselect(vone, vnegzero, vin1));
      for (int l = 0; l < 4; l++) counts[bin[l]] += inc[l];
    }
  }
  const double lo = params->lo, width = params->width, top = (double) params->bins;
  const uint32_t last = params->bins - 1;
  for (; i < n; i++) {
    const double v = params->absolute ? fabs((double) input[i]) : (double) input[i];
    const double q = (v - lo) / width;
    if (!(q >= 0.0)) continue;
    counts[q >= top ? last : (uint32_t) q] += 1.0;
  }
}
