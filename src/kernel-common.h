/* Internal helpers shared by kernel files (and by histogram.c, which bins a
 * sample as its kernels bin). Not part of the public API. */
#ifndef QDQ_KERNEL_COMMON_H
#define QDQ_KERNEL_COMMON_H

#include <assert.h>
#include <math.h>
#include <stdint.h>

#include "qdq.h"

/* Fills the row pointers of an MR-row kernel (rows is an array of MR
 * pointers): rows[0] = first, row i `byte_stride` bytes past row i - 1 while
 * i < mr, and rows past mr alias the last real row, so the fully unrolled
 * MR-row loop only reads memory it may read and the extra rows' results are
 * never stored (XNNPACK's convention). */
#define QDQ_ROW_POINTERS(rows, first, mr, byte_stride)                                           \
  do {                                                                                           \
    (rows)[0] = (first);                                                                         \
    for (size_t row_ = 1; row_ < sizeof(rows) / sizeof((rows)[0]); row_++) {                     \
      (rows)[row_] = row_ < (mr) ? (void*) ((uintptr_t) (rows)[row_ - 1] + (byte_stride))        \
                                 : (rows)[row_ - 1];                                             \
    }                                                                                            \
  } while (0)

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
