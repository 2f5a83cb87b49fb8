/* The calibration histogram of onnxruntime's HistogramCollector (P1, P2;
 * docs/observers.md), in double: bins of equal width from a first edge,
 * grown by whole bins when the range grows, so old and new bins align
 * exactly (onnxruntime realigns by index after recomputing edges in
 * float32; here the edges never move). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "parallel/parallel.h"
#include "qdq.h"

/* Work of one element's binning in the units of qdq_parallel_tasks: a
 * double division, a truncation and an add, ~1.5-2 ns an element with the
 * SIMD128 kernel (PercentileObserver.observe of 1 Mi elements 2.1 ms on one
 * thread, all in; 7.5 ms before the kernel), ~55-75 GEMM multiply-adds on
 * the AMD EPYC VM. At 80 a batch splits on two threads from ~105 K elements:
 * 128 Ki ran 1.46-2.10x one thread there, 64 Ki 0.90-1.38x. */
#define QDQ_CALIB_BIN_WORK 80.0
/* Bins above which a batch is binned on one thread: each thread keeps its
 * own counts (8 bytes a bin), allocated per call. */
#define QDQ_CALIB_SPLIT_MAX_BINS 65536
/* Elements per binning task. */
#define QDQ_CALIB_TASK_ELEMENTS ((size_t) 32768)

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

struct calib_bin_run {
  const float* x;
  size_t n, per; /* per: elements a task */
  struct qdq_f32_f64_hist_params p;
  double* partial; /* threads x bins, zeroed */
};

/* Task t bins elements [t, t + 1) x per into its thread's counts. */
static void calib_bin_task(void* ctx, size_t task, size_t thread) {
  const struct calib_bin_run* r = ctx;
  const size_t begin = task * r->per;
  const size_t end = r->n - begin < r->per ? r->n : begin + r->per;
  qdq_config()->f32_f64_rhist((end - begin) * sizeof(float), r->x + begin, r->partial + thread * r->p.bins, &r->p);
}

/* Threads for binning n elements into `bins` bins in tasks of `per`: counts
 * of its own each, so one above QDQ_CALIB_SPLIT_MAX_BINS. */
static size_t bin_threads(size_t n, size_t bins, size_t per) {
  return bins <= QDQ_CALIB_SPLIT_MAX_BINS
      ? qdq_parallel_tasks(QDQ_CALIB_BIN_WORK * (double) n, (n + per - 1) / per, QDQ_SPLIT_BESIDE_COPIES) : 1;
}

size_t qdq_calib_histogram_threads(size_t n, size_t bins) {
  return bin_threads(n, bins, QDQ_INPUT_BLOCK_BYTES / sizeof(float));
}

/* Adds the batch's counts to counts. The counts are integers in double,
 * exact to 2^53, so the threads' own counts summed into them give the bytes
 * of one thread's additions of 1, whoever binned what. */
static void bin_batch(double* counts, size_t bins, double lo, double width, int absolute, const float* x,
                      size_t n, int streamed) {
  /* An x the host streams in (QDQ_FLAG_INPUT_STREAMED): task t bins input block t once it is written. */
  const size_t per = streamed ? QDQ_INPUT_BLOCK_BYTES / sizeof(float) : QDQ_CALIB_TASK_ELEMENTS;
  const size_t units = (n + per - 1) / per;
  size_t threads = bin_threads(n, bins, per);
  double* partial = threads > 1 ? calloc(threads * bins, sizeof(double)) : NULL;
  if (partial == NULL) threads = 1;
  /* bins fits 32 bits: the state, 8 bytes a bin, is in wasm32 memory. */
  const struct qdq_f32_f64_hist_params p = {lo, width, (uint32_t) bins, (uint32_t) absolute};
  if (partial == NULL && !streamed) {
    qdq_config()->f32_f64_rhist(n * sizeof(float), x, counts, &p);
    return;
  }
  /* On one thread a streamed x is still binned in its region (it arrives there), straight into counts. */
  struct calib_bin_run run = {x, n, per, p, partial != NULL ? partial : counts};
  if (streamed) qdq_parallelize_input(calib_bin_task, &run, units, threads);
  else qdq_parallelize(calib_bin_task, &run, units, threads);
  if (partial == NULL) return;
  for (size_t t = 0; t < threads; t++) {
    for (size_t i = 0; i < bins; i++) counts[i] += partial[t * bins + i];
  }
  free(partial);
}

int qdq_calib_histogram_observe(double* s, const float* x, size_t n, float x_min, float x_max,
                                uint32_t flags) {
  if (n == 0) return 0;
  const int absolute = (flags & QDQ_CALIB_ABSOLUTE) != 0;
  const int streamed = (flags & QDQ_FLAG_INPUT_STREAMED) != 0;
  /* The first batch of |x| reads x for its range before binning it: x must be there already. */
  if (streamed && absolute && s[MINV] == INFINITY) return QDQ_ERROR_BAD_SIZE;
  const struct growth g = grow(s, x_min, x_max, flags);
  if (!(g.bins <= MAX_BINS)) return QDQ_ERROR_HISTOGRAM_RANGE;
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
  bin_batch(counts, bins, s[LO], s[WIDTH], absolute, x, n, streamed);
  s[MINV] = (double) x_min < s[MINV] ? (double) x_min : s[MINV];
  s[MAXV] = (double) x_max > s[MAXV] ? (double) x_max : s[MAXV];
  return 0;
}
