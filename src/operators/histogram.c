/* HistogramObserver.forward as torch 1.13 computes it (H1-H7,
 * docs/observers.md; torch/ao/quantization/observer.py). Every step names
 * the precision torch uses: float32 for 0-d tensor arithmetic (a Python
 * scalar operand is rounded to float first), double for Python floats and
 * for the cumulative sum that _combine_histograms asks for. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fma-f32.h"
#include "kernel-common.h"
#include "operators/streamed-range.h"
#include "parallel/parallel.h"

/* Work of one element of histc in the units of qdq_parallel_tasks: one
 * thread binned ~1.5 ns an element (~55 GEMM multiply-adds on the AMD EPYC
 * VM), taken low; since the kernel lost its branch per element, 0.8-1.3 ns
 * (~30-45), and HistogramObserver's batch of 256 Ki elements, the smallest
 * that splits at this weight, still ran 1.09-1.39x on two threads
 * (bench/probes/observer-stream.js), so it stays. */
#define QDQ_HISTC_WORK 40.0
/* Bins above which the batch is binned on one thread: each thread then keeps
 * its own histogram (4 bytes a bin), allocated per call. */
#define QDQ_HISTC_SPLIT_MAX_BINS 65536
/* Elements per binning task. */
#define QDQ_HISTC_TASK_ELEMENTS ((size_t) 65536)
/* A float32 count stops at 2^24: 2^24 + 1 rounds (to even) back to it. */
#define QDQ_HISTC_COUNT_MAX 16777216.0

void qdq_init_f32_histc_params(struct qdq_f32_histc_params* p, size_t bins, double lo,
                               double hi) {
  const float lo_f = (float) lo, hi_f = (float) hi, bins_f = (float) bins;
  /* linspace(lo, hi, bins + 1)'s first and last elements (L1-L3): start +
   * step * 0, NaN when the step overflowed; the last is end - step * 0 unless
   * it is lane 7 of torch's 8-lane vectors, which happens exactly when the
   * bins + 1 elements are a multiple of 16: then it is the lane's base,
   * end - 7 * step rounded once (L2, an FMA: src/fma-f32.h), plus fl(7 * step) (L3). */
  const float step = (hi_f - lo_f) / bins_f;
  p->left = lo_f + step * 0.0f;
  if ((bins + 1) % 16 == 0) {
    const float seven_steps = 7.0f * step;
    p->right = qdq_fma_f32(-step, 7.0f, hi_f) + seven_steps;
  } else {
    p->right = hi_f - step * 0.0f;
  }
  p->range = p->right - p->left;
  p->bins = bins_f;
  p->last = (uint32_t) (bins - 1);
  p->copies = 1;
}

int qdq_histc(const float* x, size_t n, const struct qdq_f32_histc_params* p, float* hist) {
  qdq_config()->f32_rhistc(n * sizeof(float), x, hist, p);
  return 0;
}

size_t qdq_histogram_update_size(void) { return sizeof(struct qdq_histogram_update); }

/* 2^63 as a float: int(v) fits int64 exactly when -2^63 <= trunc(v) < 2^63. */
#define TWO_63 9223372036854775808.0f

/* One histc bound (H3): 1.13 passes int(v), a Python int that becomes a
 * double; trunc(v) of a float is a float, so the double is exact. */
static int histc_bound(float v, uint32_t flags, double* out) {
  if (flags & QDQ_HISTOGRAM_EXACT_BOUNDS) {
    *out = (double) v;
    return 0;
  }
  const float t = truncf(v);
  if (!(t >= -TWO_63 && t < TWO_63)) return QDQ_ERROR_HISTOGRAM_INT64;
  *out = (double) t;
  return 0;
}

/* torch.histc's choice of outer edges (H1): equal bounds fall back to the
 * batch's own min and max, and still-equal ones widen by 1 each way, in
 * double. */
static void histc_edges(size_t bins, double lo, double hi, float x_min, float x_max,
                        struct qdq_f32_histc_params* p) {
  if (lo == hi) {
    lo = x_min;
    hi = x_max;
  }
  if (lo == hi) {
    lo -= 1.0;
    hi += 1.0;
  }
  qdq_init_f32_histc_params(p, bins, lo, hi);
}

int qdq_histogram_observer_prepare(const float* state, size_t bins, size_t upsample_rate,
                                   float x_min, float x_max, uint32_t flags,
                                   struct qdq_histogram_update* u) {
  const float min_val = state[0], max_val = state[1];
  memset(u, 0, sizeof *u);
  u->flags = flags;
  double lo, hi;
  int err;
  const int uninitialized = min_val == INFINITY && max_val == -INFINITY;
  if (uninitialized || min_val == max_val) {
    u->kind = QDQ_HISTOGRAM_RESET;
    u->min = x_min;
    u->max = x_max;
  } else {
    /* torch.min(new_min, min_val) is std::min(new, old): the new value
     * unless the old one is smaller, so -0 replaces +0 (and vice versa). */
    const float cmin = min_val < x_min ? min_val : x_min;
    float cmax = x_max < max_val ? max_val : x_max;
    /* _adjust_min_max (H5), all float32 0-d tensors; Python ints are
     * converted to float. */
    const float hist_bin_width = (max_val - min_val) / (float) (bins * upsample_rate);
    const float nbins_width = (float) bins * hist_bin_width;
    const float rate = ceilf((cmax - cmin) / nbins_width);
    /* int() of +Inf raises in Python; past 2^62 / bins the resampled grid
     * of bins * rate cells is beyond any memory torch could allocate. */
    if (!(rate >= 1.0f && rate <= 4611686018427387904.0f / (float) bins))
      return QDQ_ERROR_HISTOGRAM_RANGE;
    const uint64_t downsample_rate = (uint64_t) rate;
    const float e = (float) downsample_rate * nbins_width - (cmax - cmin);
    cmax = cmax + e;
    /* torch.round is round-half-to-even; start_idx >= 0 since cmin <= min_val. */
    const float start = nearbyintf((min_val - cmin) / hist_bin_width);
    if (!(start >= 0.0f && start <= 4611686018427387904.0f)) return QDQ_ERROR_HISTOGRAM_RANGE;
    u->kind = cmin == min_val && cmax == max_val ? QDQ_HISTOGRAM_ADD : QDQ_HISTOGRAM_COMBINE;
    u->min = cmin;
    u->max = cmax;
    u->downsample_rate = downsample_rate;
    u->start_idx = (uint64_t) start;
  }
  if ((err = histc_bound(u->min, flags, &lo)) != 0) return err;
  if ((err = histc_bound(u->max, flags, &hi)) != 0) return err;
  histc_edges(bins, lo, hi, x_min, x_max, &u->histc);
  return 0;
}

/* _combine_histograms (H6, H7) without materializing its bins *
 * downsample_rate grid: the old histogram, each bin repeated upsample_rate
 * times from cell start_idx on, is summed cumulatively in double (torch's
 * cumsum(dtype=double), sequential), and sampled at cells
 * (j + 1) * downsample_rate - 1. Cells outside the old histogram are zero
 * and leave the double sum unchanged, so only the bins * upsample_rate
 * nonzero cells are visited, in order. torch stores the shifted samples in
 * a float32 tensor: the previous sample is rounded to float before the
 * difference. */
static void combine(float* hist, size_t bins, uint64_t upsample_rate, uint64_t downsample_rate,
                    uint64_t start_idx, float* batch) {
  const uint64_t cells = (uint64_t) bins * upsample_rate;
  double acc = 0.0;
  uint64_t cell = 0; /* next nonzero cell to add, relative to start_idx */
  float previous = 0.0f;
  for (size_t j = 0; j < bins; j++) {
    const uint64_t last_position = ((uint64_t) j + 1) * downsample_rate - 1;
    while (cell < cells && start_idx + cell <= last_position) {
      acc += (double) hist[cell / upsample_rate];
      cell++;
    }
    const double interpolated = (acc - (double) previous) / (double) upsample_rate;
    batch[j] = batch[j] + (float) interpolated;
    previous = (float) acc;
  }
}

int qdq_histogram_observer_commit(float* state, size_t bins, size_t upsample_rate,
                                  const struct qdq_histogram_update* u, float* batch_hist) {
  float* hist = state + 2;
  switch (u->kind) {
    case QDQ_HISTOGRAM_RESET:
      break;
    case QDQ_HISTOGRAM_ADD:
      for (size_t i = 0; i < bins; i++) batch_hist[i] = batch_hist[i] + hist[i];
      break;
    default: {
      /* torch assigns bins * upsample_rate cells into a slice of a
       * bins * downsample_rate tensor: a shape mismatch when they overhang. */
      const uint64_t cells = (uint64_t) bins * upsample_rate;
      if (u->start_idx + cells > (uint64_t) bins * u->downsample_rate) return QDQ_ERROR_HISTOGRAM_SHAPE;
      combine(hist, bins, upsample_rate, u->downsample_rate, u->start_idx, batch_hist);
    }
  }
  memcpy(hist, batch_hist, bins * sizeof(float));
  state[0] = u->min;
  state[1] = u->max;
  return 0;
}

struct histc_run {
  const float* x;
  size_t n, counts, tasks; /* counts: floats in one thread's histogram (its copies) */
  const struct qdq_f32_histc_params* p;
  float* partial; /* threads x counts, zeroed */
};

/* Task t bins elements [n t / tasks, n (t + 1) / tasks) into its thread's histogram. */
static void histc_task(void* ctx, size_t task, size_t thread) {
  const struct histc_run* r = ctx;
  size_t begin, end;
  qdq_part_range(r->n, task, r->tasks, &begin, &end);
  qdq_histc(r->x + begin, end - begin, r->p, r->partial + thread * r->counts);
}

/* The copies a batch is binned into (H2b): 4 when its elements often fall in
 * the bin of the one before them, else 1. Adding 1 to the same count again
 * waits for the last addition (its store, load and add: 3.3 ns an
 * element on sorted data, 1.7 on ReLU's half zeros, against 0.8 on standard
 * normals); with four copies those chains are a quarter as long, 1.0 ns on
 * both, but spread data ran 10-15% slower from the larger histogram (AMD EPYC,
 * Node 20, 1 Mi elements, 2048 bins). So a sample decides: 256 pairs of
 * neighbours spread over the batch, copies when at least an eighth of them
 * share a bin (normals into 2048 bins: ~0.2%; ReLU: ~25%; sorted: ~100%).
 * Below 16 elements a bin, zeroing and summing the copies costs about what
 * they save (ReLU outputs into 2048 bins, one observe: 22 against 16.5 us at
 * 2 Ki elements, even at 8 Ki, 55-58 against 69-70 us at 32 Ki); above
 * QDQ_HISTC_SPLIT_MAX_BINS bins they would take over 1 MiB a thread.
 * Either way the counts are the same (histc_batch). */
static uint32_t histc_copies(const float* x, size_t n, const struct qdq_f32_histc_params* p,
                             size_t bins) {
  enum { PAIRS = 256 };
  if (n < 2 * PAIRS || n / 16 < bins || bins > QDQ_HISTC_SPLIT_MAX_BINS) return 1;
  const size_t stride = (n - 1) / PAIRS;
  size_t same = 0;
  for (size_t s = 0; s < PAIRS; s++) {
    const float a = x[s * stride], b = x[s * stride + 1];
    if (!(a >= p->left && a <= p->right && b >= p->left && b <= p->right)) continue;
    same += qdq_histc_bin((a - p->left) / p->range * p->bins, p->last) ==
            qdq_histc_bin((b - p->left) / p->range * p->bins, p->last);
  }
  return same * 8 >= PAIRS ? 4 : 1;
}

/* Threads the batch's binning runs on (histc_batch): a histogram each, so
 * one above QDQ_HISTC_SPLIT_MAX_BINS. */
size_t qdq_histogram_observer_threads(size_t n, size_t bins) {
  const size_t units = (n + QDQ_HISTC_TASK_ELEMENTS - 1) / QDQ_HISTC_TASK_ELEMENTS;
  return bins <= QDQ_HISTC_SPLIT_MAX_BINS
      ? qdq_parallel_tasks(QDQ_HISTC_WORK * (double) n, units, QDQ_SPLIT_BESIDE_COPIES) : 1;
}

/* hist (zeroed) = the batch's histogram, as qdq_histc would add it on one
 * thread into one histogram. Split over `threads` threads
 * (qdq_histogram_observer_threads), each thread bins its tasks into its own
 * histogram; with copies (histc_copies), each element counts in one
 * copy. The counts are then summed: a count is an integer, exact in float up
 * to 2^24, where one histogram's sum of 1s stops (2^24 + 1 rounds to 2^24),
 * so the merged count is min(sum, 2^24) of the exact partial counts, each
 * already min(count, 2^24): the bytes one thread gives (H2b). */
static void histc_batch(const float* x, size_t n, const struct qdq_f32_histc_params* p, size_t bins,
                        size_t threads, float* hist) {
  struct qdq_f32_histc_params pc = *p;
  pc.copies = histc_copies(x, n, p, bins);
  const size_t copies = pc.copies, counts = bins * copies;
  const size_t units = (n + QDQ_HISTC_TASK_ELEMENTS - 1) / QDQ_HISTC_TASK_ELEMENTS;
  float* partial = threads > 1 || copies > 1 ? calloc(threads * counts, sizeof(float)) : NULL;
  if (partial == NULL) {
    qdq_histc(x, n, p, hist);
    return;
  }
  if (threads > 1) {
    struct histc_run run = {x, n, counts, units, &pc, partial};
    qdq_parallelize(histc_task, &run, units, threads);
  } else {
    qdq_histc(x, n, &pc, partial);
  }
  for (size_t i = 0; i < bins; i++) {
    double count = 0.0;
    for (size_t t = 0; t < threads; t++) {
      const float* c = partial + t * counts + i * copies;
      for (size_t j = 0; j < copies; j++) count += (double) c[j];
    }
    hist[i] = (float) (count < QDQ_HISTC_COUNT_MAX ? count : QDQ_HISTC_COUNT_MAX);
  }
  free(partial);
}

long qdq_histogram_observer_observe(float* state, size_t bins, size_t upsample_rate,
                                    const float* x, size_t n, uint32_t flags, float* scratch) {
  if (n == 0) return 0;
  const size_t threads = qdq_histogram_observer_threads(n, bins);
  float x_min = INFINITY, x_max = -INFINITY;
  long bad;
  if (flags & QDQ_FLAG_INPUT_STREAMED) {
    /* x arrives while the threads that will bin it fold its range (the
     * binning needs that range first). Its values are f32_rminmax's; a zero
     * extreme's sign may differ from the one call's, and nothing but the
     * state shows it: the update's kind, the merged range and the bin edges
     * compare and subtract values (a merge's range is never zero, and equal
     * histc bounds widen by 1), linspace's left edge lo + step * 0 is +0 from
     * either zero, a merged max cmax + e too, and the state's zero extremes
     * are torch.aminmax's, which the caller sets from x (js/ops/zero-sign.js;
     * tests/unit/threads.test.js compares the bytes with one thread's). */
    const int error = qdq_streamed_range(x, n, threads, &x_min, &x_max, &bad);
    if (error != 0) return error;
  } else {
    bad = qdq_config()->f32_rminmax(n * sizeof(float), x, &x_min, &x_max);
  }
  if (bad >= 0) return 1 + bad;
  struct qdq_histogram_update u;
  const int err = qdq_histogram_observer_prepare(state, bins, upsample_rate, x_min, x_max,
                                                 flags & QDQ_HISTOGRAM_EXACT_BOUNDS, &u);
  if (err != 0) return err;
  memset(scratch, 0, bins * sizeof(float));
  histc_batch(x, n, &u.histc, bins, threads, scratch);
  return qdq_histogram_observer_commit(state, bins, upsample_rate, &u, scratch);
}
