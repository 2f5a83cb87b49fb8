/* Internal helpers shared by kernel files. Not part of the public API. */
#ifndef QDQ_KERNEL_COMMON_H
#define QDQ_KERNEL_COMMON_H

#include <assert.h>
#include <math.h>

#include "qdq.h"

/* Scalar clamp-and-round shared by the fast scalar kernels: returns
 * clamp(roundHalfEven(v), lo, hi) as an integer; NaN gives 0 (E6). Clamping
 * in float first keeps the conversion defined for infinities and huge v;
 * lo and hi are integers, so clamping before rounding changes nothing. */
static inline int32_t qdq_clamp_round(float v, float lo, float hi) {
  if (v != v) return 0;
  v = v < lo ? lo : v;
  v = v > hi ? hi : v;
  return (int32_t) nearbyintf(v);
}

/* The bin of a histc position v = ((x - left) / range) * bins (float, torch
 * 1.13's order: it divides first; later PyTorch multiplies first), for x
 * within [left, right], so 0 <= v <= bins or v is NaN. torch.histc
 * truncates v to int64 and moves v == bins to the last bin. NaN (0 / 0 when
 * left == right after rounding to float) is undefined behaviour in torch's
 * cast; here it takes WebAssembly's i32x4.trunc_sat_f32x4_s meaning
 * (NaN -> 0; saturation, never reached), then the clamp to the last bin, so
 * the scalar and SIMD kernels agree on every input. */
static inline uint32_t qdq_histc_bin(float v, uint32_t last) {
  if (v != v) return 0;
  if (v >= 2147483648.0f) return last;
  const uint32_t p = (uint32_t) v;
  return p < last ? p : last;
}

#endif
