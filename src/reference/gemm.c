/*
 * Reference semantics of the int8 GEMM (G1), requantization (G4) and the
 * float GEMM (G6): plain loops, one term at a time, no packing.
 */
#include <math.h>

#include "qdq.h"

static int32_t element(const void* p, uint32_t flags, size_t i) {
  return (flags & QDQ_FLAG_UINT8) ? (int32_t) ((const uint8_t*) p)[i]
                                  : (int32_t) ((const int8_t*) p)[i];
}

void qdq_reference_q8_gemm(size_t m, size_t n, size_t k, const void* a, uint32_t a_flags,
                           int32_t a_zero_point, const void* b, uint32_t b_flags,
                           const int32_t* b_zero_points, const int32_t* bias, int32_t* y) {
  const int transposed = (b_flags & QDQ_FLAG_TRANSPOSED) != 0;
  for (size_t i = 0; i < m; i++) {
    for (size_t j = 0; j < n; j++) {
      int64_t acc = bias != NULL ? bias[j] : 0;
      for (size_t l = 0; l < k; l++) {
        const int32_t av = element(a, a_flags, i * k + l) - a_zero_point;
        const int32_t bv = element(b, b_flags, transposed ? j * k + l : l * n + j) - b_zero_points[j];
        acc += (int64_t) av * bv;
      }
      /* Wrap to int32 as two's complement, as every kernel's int32 adds do. */
      y[i * n + j] = (int32_t) (uint32_t) (uint64_t) acc;
    }
  }
}

int32_t qdq_reference_requantize_value(int32_t acc, float multiplier, int32_t zero_point,
                                       int32_t qmin, int32_t qmax) {
  const float v = nearbyintf((float) acc * multiplier);
  if (isnan(v)) return zero_point < qmin ? qmin : zero_point > qmax ? qmax : zero_point;
  /* Compare in float: v may be far outside the int32 range. */
  if (v <= (float) (qmin - zero_point)) return qmin;
  if (v >= (float) (qmax - zero_point)) return qmax;
  return (int32_t) v + zero_point;
}

void qdq_reference_f32_gemm(size_t m, size_t n, size_t k, const float* a, const float* b,
                            uint32_t b_flags, const float* bias, float* y) {
  const int transposed = (b_flags & QDQ_FLAG_TRANSPOSED) != 0;
  for (size_t i = 0; i < m; i++) {
    for (size_t j = 0; j < n; j++) {
      float acc = bias != NULL ? bias[j] : 0.0f;
      for (size_t l = 0; l < k; l++) {
        const float prod = a[i * k + l] * b[transposed ? j * k + l : l * n + j];
        acc = acc + prod;
      }
      y[i * n + j] = acc;
    }
  }
}
