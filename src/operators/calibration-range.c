/* Ranges from a calibration histogram (P3, K2-K5; docs/observers.md):
 * onnxruntime's compute_percentile and get_entropy_threshold, in double. */
#include <math.h>
#include <stdlib.h>

#include "qdq.h"

enum { LO, WIDTH, MINV, MAXV, BINS, THRESHOLD };

static double edge(const double* s, size_t i) { return s[LO] + (double) i * s[WIDTH]; }

/* Both calibrators clamp their range to the raw values seen. */
static void clamp_out(const double* s, double lo, double hi, float* out) {
  lo = lo < s[MINV] ? s[MINV] : lo;
  hi = hi > s[MAXV] ? s[MAXV] : hi;
  out[0] = (float) lo;
  out[1] = (float) hi;
}

/* np.searchsorted(cdf, v): the first i with cdf[i] >= v, or bins. */
static size_t search(const double* counts, size_t bins, double total, double v) {
  double c = 0.0;
  for (size_t i = 0; i < bins; i++) {
    c += counts[i] / total;
    if (c >= v) return i;
  }
  return bins;
}

int qdq_calib_percentile_range(const double* s, double percentile, uint32_t flags, float* out) {
  out[0] = INFINITY;
  out[1] = -INFINITY;
  if (s[MINV] == INFINITY) return -1;
  const double* counts = s + QDQ_CALIB_STATE_HEADER;
  const size_t bins = (size_t) s[BINS];
  double total = 0.0;
  for (size_t i = 0; i < bins; i++) total += counts[i];
  if (flags & QDQ_CALIB_ABSOLUTE) {
    const double t = edge(s, search(counts, bins, total, percentile / 100.0));
    clamp_out(s, -t, t, out);
  } else {
    const double cut = (100.0 - percentile) / 200.0;
    clamp_out(s, edge(s, search(counts, bins, total, cut)), edge(s, search(counts, bins, total, 1.0 - cut)),
              out);
  }
  return 0;
}

/* smooth_distribution (K4): zeros become eps, the others give up eps1 each
 * so the total is kept. Returns 0 when all are zero or a value would not
 * stay positive (onnxruntime returns None or fails an assertion). */
static int smooth(double* p, size_t n) {
  size_t zeros = 0;
  for (size_t i = 0; i < n; i++) zeros += p[i] == 0.0;
  if (zeros == n) return 0;
  const double eps = 1e-4, eps1 = eps * (double) zeros / (double) (n - zeros);
  if (!(eps1 < 1.0)) return 0;
  for (size_t i = 0; i < n; i++) {
    p[i] += p[i] == 0.0 ? eps : -eps1;
    if (!(p[i] > 0.0)) return 0;
  }
  return 1;
}

/* scipy.stats.entropy(p, q) (K5): sum (p_i / P) log((p_i / P) / (q_i / Q)). */
static double kl(const double* p, const double* q, size_t n) {
  double sp = 0.0, sq = 0.0, d = 0.0;
  for (size_t i = 0; i < n; i++) {
    sp += p[i];
    sq += q[i];
  }
  for (size_t i = 0; i < n; i++) {
    const double pi = p[i] / sp, qi = q[i] / sq;
    d += pi * log(pi / qi);
  }
  return d;
}

int qdq_calib_entropy_range(const double* s, size_t quantized_bins, uint32_t flags, float* out) {
  out[0] = INFINITY;
  out[1] = -INFINITY;
  if (s[MINV] == INFINITY) return -1;
  const double* hist = s + QDQ_CALIB_STATE_HEADER;
  const size_t bins = (size_t) s[BINS], zero_bin = bins / 2, half_q = quantized_bins / 2;
  /* onnxruntime's candidate list is empty then (numpy's argmin raises). */
  if (quantized_bins == 0 || half_q > zero_bin) return QDQ_ERROR_HISTOGRAM_RANGE;
  double* p = malloc(3 * bins * sizeof(double) + sizeof(double));
  if (p == NULL) return QDQ_ERROR_OUT_OF_MEMORY;
  double* q = p + bins;
  double* quantized = q + bins; /* quantized_bins <= bins entries */
  double best = INFINITY;
  size_t best_start = zero_bin > half_q ? zero_bin - half_q : 0;
  size_t best_end = zero_bin + half_q + 1 <= bins ? zero_bin + half_q + 1 : bins;
  for (size_t i = half_q; i <= zero_bin; i++) {
    const size_t start = zero_bin - i;
    const size_t end = zero_bin + i + 1 <= bins ? zero_bin + i + 1 : bins;
    const size_t len = end - start;
    /* K2: the reference p, outliers folded into its end bins. */
    double left = 0.0, right = 0.0;
    for (size_t j = 0; j < start; j++) left += hist[j];
    for (size_t j = end; j < bins; j++) right += hist[j];
    for (size_t j = 0; j < len; j++) p[j] = hist[start + j];
    p[0] += left;
    p[len - 1] += right;
    /* K3: merge the slice (without outliers) into quantized_bins bins of
     * `merged` source bins, the remainder into the last; spread each back
     * over its source bins as the average over the nonzero ones of p. */
    const size_t merged = len / quantized_bins;
    for (size_t k = 0; k < quantized_bins; k++) {
      double sum = 0.0;
      for (size_t j = k * merged; j < k * merged + merged; j++) sum += hist[start + j];
      quantized[k] = sum;
    }
    for (size_t j = quantized_bins * merged; j < len; j++) quantized[quantized_bins - 1] += hist[start + j];
    for (size_t j = 0; j < len; j++) q[j] = 0.0;
    for (size_t k = 0; k < quantized_bins; k++) {
      size_t nonzero = 0;
      for (size_t j = k * merged; j < k * merged + merged; j++) nonzero += p[j] != 0.0;
      if (nonzero == 0) continue;
      double v = quantized[k] / (double) nonzero;
      if (!(flags & QDQ_ENTROPY_FRACTIONAL_Q)) v = trunc(v); /* onnxruntime's int64 q */
      for (size_t j = k * merged; j < k * merged + merged; j++) q[j] = v;
    }
    const double d = smooth(p, len) && smooth(q, len) ? kl(p, q, len) : INFINITY;
    if (d < best) { /* np.argmin: the first minimum */
      best = d;
      best_start = start;
      best_end = end;
    }
  }
  free(p);
  clamp_out(s, edge(s, best_start), edge(s, best_end), out);
  return 0;
}
