#include "kernel-common.h"

void qdq_f32_rhistc_ukernel__scalar_u1(size_t batch, const float* restrict input,
                                       float* restrict hist,
                                       const struct qdq_f32_histc_params* params) {
  assert(batch % sizeof(float) == 0);
  const size_t n = batch / sizeof(float);
  const float left = params->left, right = params->right;
  const float range = params->range, bins = params->bins;
  const uint32_t last = params->last;
  const size_t copies = params->copies;
  for (size_t i = 0; i < n; i++) {
    const float x = input[i];
    /* The negated test also skips NaN, as torch.histc does. */
    if (!(x >= left && x <= right)) continue;
    hist[(size_t) qdq_histc_bin((x - left) / range * bins, last) * copies + i % copies] += 1.0f;
  }
}
