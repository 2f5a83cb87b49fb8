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

#endif
