/* Reference min/max reduction with the observers' finiteness check. */
#include <math.h>

#include "qdq.h"

long qdq_reference_f32_rminmax(size_t n, const float* x, float* min, float* max) {
  float lo = *min, hi = *max;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(x[i])) return (long) i;
    if (x[i] < lo) lo = x[i];
    if (x[i] > hi) hi = x[i];
  }
  *min = lo;
  *max = hi;
  return -1;
}
