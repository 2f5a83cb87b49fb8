#include "kernel-common.h"

void qdq_f32_f64_rhist_ukernel__scalar_u1(size_t batch, const float* restrict input,
                                          double* restrict counts,
                                          const struct qdq_f32_f64_hist_params* params) {
  assert(batch % sizeof(float) == 0);
  const size_t n = batch / sizeof(float);
  const double lo = params->lo, width = params->width, top = (double) params->bins;
  const uint32_t last = params->bins - 1;
  const int absolute = params->absolute != 0;
  for (size_t i = 0; i < n; i++) {
    const double v = absolute ? fabs((double) input[i]) : (double) input[i];
    const double q = (v - lo) / width;
    /* The negated test also skips NaN. */
    if (!(q >= 0.0)) continue;
    counts[q >= top ? last : (uint32_t) q] += 1.0;
  }
}
