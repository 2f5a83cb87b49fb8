/* Reference binning of onnxruntime's HistogramCollector (P2, docs/observers.md). */
#include <math.h>

#include "qdq.h"

void qdq_reference_f32_f64_rhist(size_t n, const float* x, double* counts,
                                 const struct qdq_f32_f64_hist_params* p) {
  for (size_t i = 0; i < n; i++) {
    const double v = p->absolute ? fabs((double) x[i]) : (double) x[i];
    const double q = (v - p->lo) / p->width;
    if (!(q >= 0.0)) continue;
    counts[q >= (double) p->bins ? p->bins - 1 : (size_t) q] += 1.0;
  }
}
