/* The calibration histogram of onnxruntime's HistogramCollector (P1, P2;
 * docs/observers.md), in double: bins of equal width from a first edge,
 * grown by whole bins when the range grows, so old and new bins align
 * exactly (onnxruntime realigns by index after recomputing edges in
 * float32; here the edges never move). */
#include <math.h>
#include <string.h>

#include "qdq.h"

enum { LO, WIDTH, MINV, MAXV, BINS, THRESHOLD };
#define MAX_BINS 1099511627776.0 /* 2^40 */

static double absmax(float a, float b) {
  const double x = fabs((double) a), y = fabs((double) b);
  return x > y ? x : y;
}

/* Python's float floor division a // b (fmod-based, as CPython computes
 * it): it can differ from floor(a / b) when a / b rounds up to an integer. */
static double py_floordiv(double a, double b) {
  const double mod = fmod(a, b);
  double div = (a - mod) / b;
  if (mod != 0.0 && (b < 0.0) != (mod < 0.0)) div -= 1.0;
  if (div == 0.0) return copysign(0.0, a / b);
  double floordiv = floor(div);
  if (div - floordiv > 0.5) floordiv += 1.0;
  return floordiv;
}

/* How an observation changes the layout: new bin count, bins added on the left. */
struct growth {
  double bins;
  double left;
};

static struct growth grow(const double* s, float x_min, float x_max, uint32_t flags) {
  struct growth g = {s[BINS], 0.0};
  if (s[MINV] == INFINITY) return g; /* the first batch sets the range */
  const double amax = absmax(x_min, x_max);
  if (flags & QDQ_CALIB_ABSOLUTE) {
    /* np.arange(last + w, amax + w, w) appends ceil((stop - start) / w) edges. */
    const double last = s[LO] + s[BINS] * s[WIDTH];
    if (amax > last) g.bins += ceil(((amax + s[WIDTH]) - (last + s[WIDTH])) / s[WIDTH]);
  } else if (amax > s[THRESHOLD] && s[THRESHOLD] != 0.0) {
    /* merge_histogram: half = int((T' - T) // stride + 1) bins on each side. */
    const double stride = 2.0 * s[THRESHOLD] / s[BINS];
    g.left = py_floordiv(amax - s[THRESHOLD], stride) + 1.0;
    g.bins += 2.0 * g.left;
  }
  return g;
}

size_t qdq_calib_histogram_bins_after(const double* state, float x_min, float x_max, uint32_t flags) {
  const struct growth g = grow(state, x_min, x_max, flags);
  return g.bins <= MAX_BINS ? (size_t) g.bins : 0;
}

/* Adds one value: bin floor((v - lo) / width), the top edge closed (values
 * past it by rounding go to the last bin), values below lo dropped. */
static void bin(double* counts, size_t bins, double lo, double width, double v) {
  const double q = (v - lo) / width;
  if (!(q >= 0.0)) return;
  const size_t i = q >= (double) bins ? bins - 1 : (size_t) q;
  counts[i] += 1.0;
}

int qdq_calib_histogram_observe(double* s, const float* x, size_t n, float x_min, float x_max,
                                uint32_t flags) {
  if (n == 0) return 0;
  const struct growth g = grow(s, x_min, x_max, flags);
  if (!(g.bins <= MAX_BINS)) return QDQ_ERROR_HISTOGRAM_RANGE;
  const int absolute = (flags & QDQ_CALIB_ABSOLUTE) != 0;
  double* counts = s + QDQ_CALIB_STATE_HEADER;
  const size_t old_bins = (size_t) s[BINS], bins = (size_t) g.bins;
  const double amax = absmax(x_min, x_max);
  if (s[MINV] == INFINITY) {
    double lo, hi;
    if (absolute) {
      /* np.histogram(|x|, bins): the range of |x| itself. */
      lo = INFINITY;
      for (size_t i = 0; i < n; i++) lo = fabs((double) x[i]) < lo ? fabs((double) x[i]) : lo;
      hi = amax;
    } else {
      lo = -amax;
      hi = amax;
      s[THRESHOLD] = amax;
    }
    if (lo == hi) { /* numpy widens an empty range by 0.5 each way */
      lo -= 0.5;
      hi += 0.5;
    }
    s[LO] = lo;
    s[WIDTH] = (hi - lo) / (double) bins;
    memset(counts, 0, bins * sizeof(double));
  } else if (!absolute && amax > s[THRESHOLD]) {
    if (s[THRESHOLD] == 0.0) {
      /* All earlier values were 0 (range [-0.5, 0.5]): onnxruntime rebins
       * over [-T', T'] and adds the old counts by index. */
      s[LO] = -amax;
      s[WIDTH] = 2.0 * amax / (double) bins;
      s[THRESHOLD] = amax;
    } else {
      const size_t left = (size_t) g.left;
      memmove(counts + left, counts, old_bins * sizeof(double));
      memset(counts, 0, left * sizeof(double));
      memset(counts + left + old_bins, 0, left * sizeof(double));
      s[THRESHOLD] = g.left * (2.0 * s[THRESHOLD] / (double) old_bins) + s[THRESHOLD];
      s[LO] = s[LO] - g.left * s[WIDTH];
    }
  } else if (bins > old_bins) {
    memset(counts + old_bins, 0, (bins - old_bins) * sizeof(double));
  }
  s[BINS] = (double) bins;
  for (size_t i = 0; i < n; i++) {
    const double v = absolute ? fabs((double) x[i]) : (double) x[i];
    bin(counts, bins, s[LO], s[WIDTH], v);
  }
  s[MINV] = (double) x_min < s[MINV] ? (double) x_min : s[MINV];
  s[MAXV] = (double) x_max > s[MAXV] ? (double) x_max : s[MAXV];
  return 0;
}
