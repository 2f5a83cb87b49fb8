#include "kernel-common.h"

long qdq_f32_rminmax_ukernel__scalar_u1(size_t batch, const float* restrict input,
                                        float* restrict min, float* restrict max) {
  assert(batch % sizeof(float) == 0);
  const size_t n = batch / sizeof(float);
  float vmin = *min, vmax = *max;
  for (size_t i = 0; i < n; i++) {
    const float x = input[i];
    /* x - x is NaN exactly when x is NaN or infinite. */
    if (x - x != 0.0f) return (long) i;
    vmin = x < vmin ? x : vmin;
    vmax = x > vmax ? x : vmax;
  }
  *min = vmin;
  *max = vmax;
  return -1;
}
