/* Reference torch.histc binning (H1, docs/observers.md). */
#include <math.h>

#include "qdq.h"

void qdq_reference_f32_rhistc(size_t n, const float* x, float* hist,
                              const struct qdq_f32_histc_params* p) {
  for (size_t i = 0; i < n; i++) {
    if (isnan(x[i]) || x[i] < p->left || x[i] > p->right) continue;
    const float v = (x[i] - p->left) / p->range * p->bins;
    size_t bin;
    if (isnan(v)) {
      bin = 0;
    } else if (v >= (float) p->last) {
      bin = p->last; /* includes x == right, v == bins */
    } else {
      bin = (size_t) v;
    }
    hist[bin * p->copies + i % p->copies] += 1.0f;
  }
}
