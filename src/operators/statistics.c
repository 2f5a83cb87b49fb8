/* Operators that reduce: per-channel min/max for observers, error statistics (E10). */
#include <math.h>

#include "config.h"
#include "operators/channel-walk.h"

long qdq_minmax(const float* x, size_t n, size_t start, size_t channels, size_t inner,
                float* mins, float* maxs) {
  const struct qdq_config* config = qdq_config();
  for (struct qdq_channel_run r = qdq_first_run(n, start, channels, inner); r.length != 0;
       r = qdq_next_run(r, n, channels, inner)) {
    const long bad = config->f32_rminmax(r.length * sizeof(float), x + r.offset,
                                         &mins[r.channel], &maxs[r.channel]);
    if (bad >= 0) return (long) r.offset + bad;
  }
  return -1;
}

int qdq_error_stats(const float* x, const float* x_hat, size_t n, size_t start,
                    size_t channels, size_t inner, double* acc) {
  for (struct qdq_channel_run r = qdq_first_run(n, start, channels, inner); r.length != 0;
       r = qdq_next_run(r, n, channels, inner)) {
    double sse = 0.0, ssx = 0.0, maxabs = acc[3 * r.channel + 2];
    for (size_t i = r.offset; i < r.offset + r.length; i++) {
      const double e = (double) x[i] - (double) x_hat[i];
      sse += e * e;
      ssx += (double) x[i] * (double) x[i];
      const double a = fabs(e);
      maxabs = a > maxabs || a != a ? a : maxabs; /* NaN (from inf - inf) sticks, as in mse */
    }
    acc[3 * r.channel + 0] += sse;
    acc[3 * r.channel + 1] += ssx;
    acc[3 * r.channel + 2] = maxabs;
  }
  return 0;
}
