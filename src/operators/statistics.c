/* Operators that reduce: per-channel min/max for observers, error statistics
 * (E10). Both walk their chunk block by block (operators/blocks.h) and split
 * it among the host's threads in one of two ways that keep every channel's
 * folds in the order of one thread (docs/threads.md, T5):
 *   one channel: threads take ranges of blocks; each block is reduced from
 *     the identity into its own slot, and the calling thread folds the slots
 *     into the channel in block order;
 *   several channels: threads take ranges of channels and fold their runs
 *     in place, block after block, skipping the other channels' runs. */
#include <math.h>
#include <stdlib.h>

#include "config.h"
#include "operators/blocks.h"
#include "operators/channel-walk.h"
#include "parallel/parallel.h"

/* Work of one element in qdq_parallel_tasks' units (see quantize.c): one
 * thread took 0.39 ns per element for min/max and 3.0 ns for the error
 * statistics (float64, scalar) on 1 Mi elements in wasm memory. Min/max is
 * declared no work at all: split on 2 threads it ran 0.80-0.93x as fast as on
 * one at 1-4 Mi elements (bench/threads-elementwise.js, Xeon, Node 20; the
 * caller's copy into wasm memory is most of a call), so the pool never splits
 * it. The split path stays exact and tested: the suites set minWork 0, which
 * splits any call. A call that splits goes through windows instead, per
 * tensor or with channel runs of 1 Ki elements or more (qdq_minmax_streamed;
 * js/ops/observers.js weighs those). */
#define QDQ_MINMAX_WORK 0.0
#define QDQ_ERROR_STATS_WORK 75.0
/* Blocks reduced per parallel region on one channel: their slots live on the
 * calling thread's stack (64 x 24 bytes); 4 Mi elements per region. */
#define QDQ_BLOCKS_PER_REGION 64

#define QDQ_FOR_EACH_RUN(r, n, start, channels, inner)                         \
  for (struct qdq_channel_run r = qdq_first_run(n, start, channels, inner);   \
       r.length != 0; r = qdq_next_run(r, n, channels, inner))

/* A reduction over a chunk; first_block/tasks describe the current region. */
struct reduce_job {
  const float* x;
  const float* x_hat;
  size_t n, start, channels, inner, blocks, first_block, tasks;
  double work; /* per element */
  float* mins;
  float* maxs;
  double* acc;
  long bad[QDQ_BLOCKS_PER_REGION]; /* minmax: first non-finite index, per task or per block */
  float lo[QDQ_BLOCKS_PER_REGION], hi[QDQ_BLOCKS_PER_REGION];
  double sums[QDQ_BLOCKS_PER_REGION][3];
};

/* Tasks for a region of region_blocks blocks: ranges of those blocks with
 * one channel, ranges of channels with several (every block in one region);
 * never more than the slots. */
static size_t region_tasks(const struct reduce_job* j, size_t region_blocks) {
  const double work = j->work * (double) j->n * (double) region_blocks / (double) j->blocks;
  const size_t units = j->channels == 1 ? region_blocks : j->channels;
  return qdq_parallel_tasks(work, units < QDQ_BLOCKS_PER_REGION ? units : QDQ_BLOCKS_PER_REGION,
                            QDQ_SPLIT_BESIDE_COPIES);
}

/* ---- min/max ---- */

static long minmax_runs(const struct reduce_job* j, size_t begin, size_t end, size_t c0, size_t c1) {
  const struct qdq_config* config = qdq_config();
  QDQ_FOR_EACH_RUN(r, end - begin, j->start + begin, j->channels, j->inner) {
    if (r.channel < c0 || r.channel >= c1) continue;
    const long bad = config->f32_rminmax(r.length * sizeof(float), j->x + begin + r.offset,
                                         &j->mins[r.channel], &j->maxs[r.channel]);
    if (bad >= 0) return (long) (begin + r.offset) + bad;
  }
  return -1;
}

/* Several channels: task t folds channels [C t / T, C (t + 1) / T) in place. */
static void minmax_channels_task(void* ctx, size_t task, size_t thread) {
  (void) thread;
  struct reduce_job* j = ctx;
  const size_t c0 = j->channels * task / j->tasks, c1 = j->channels * (task + 1) / j->tasks;
  j->bad[task] = -1;
  for (size_t b = 0; b < j->blocks && j->bad[task] < 0; b++) {
    j->bad[task] = minmax_runs(j, qdq_chunk_block_begin(b, j->n, j->start),
                               qdq_chunk_block_begin(b + 1, j->n, j->start), c0, c1);
  }
}

/* One channel: each block of the region from (+inf, -inf) into its slot. */
static void minmax_blocks_task(void* ctx, size_t task, size_t thread) {
  (void) thread;
  struct reduce_job* j = ctx;
  const size_t count = j->blocks - j->first_block < QDQ_BLOCKS_PER_REGION
                           ? j->blocks - j->first_block : QDQ_BLOCKS_PER_REGION;
  for (size_t s = count * task / j->tasks; s < count * (task + 1) / j->tasks; s++) {
    const size_t b = j->first_block + s;
    const size_t begin = qdq_chunk_block_begin(b, j->n, j->start);
    j->lo[s] = INFINITY;
    j->hi[s] = -INFINITY;
    j->bad[s] = qdq_config()->f32_rminmax((qdq_chunk_block_begin(b + 1, j->n, j->start) - begin) * sizeof(float),
                                          j->x + begin, &j->lo[s], &j->hi[s]);
  }
}

long qdq_minmax(const float* x, size_t n, size_t start, size_t channels, size_t inner,
                float* mins, float* maxs) {
  if (n == 0) return -1;
  struct reduce_job j = {.x = x, .n = n, .start = start, .channels = channels, .inner = inner,
                         .blocks = qdq_chunk_blocks(n, start), .work = QDQ_MINMAX_WORK,
                         .mins = mins, .maxs = maxs};
  if (channels > 1) {
    j.tasks = region_tasks(&j, j.blocks);
    qdq_parallelize(minmax_channels_task, &j, j.tasks, j.tasks);
    long first = -1;
    for (size_t t = 0; t < j.tasks; t++) {
      if (j.bad[t] >= 0 && (first < 0 || j.bad[t] < first)) first = j.bad[t];
    }
    return first;
  }
  for (j.first_block = 0; j.first_block < j.blocks; j.first_block += QDQ_BLOCKS_PER_REGION) {
    const size_t count = j.blocks - j.first_block < QDQ_BLOCKS_PER_REGION
                             ? j.blocks - j.first_block : QDQ_BLOCKS_PER_REGION;
    j.tasks = region_tasks(&j, count);
    qdq_parallelize(minmax_blocks_task, &j, j.tasks, j.tasks);
    /* Ties keep the running value, as the kernels' folds do, so this is the
     * fold of the whole chunk on one call (signed zeros included). */
    for (size_t s = 0; s < count; s++) {
      if (j.bad[s] >= 0) return (long) qdq_chunk_block_begin(j.first_block + s, n, start) + j.bad[s];
      mins[0] = j.lo[s] < mins[0] ? j.lo[s] : mins[0];
      maxs[0] = j.hi[s] > maxs[0] ? j.hi[s] : maxs[0];
    }
  }
  return -1;
}

/* ---- streamed in ----
 * The host writes the float input(s) block by block (QDQ_FLAG_INPUT_STREAMED)
 * while the region runs: task t runs once input block t (QDQ_INPUT_BLOCK_BYTES)
 * is written, and reduces every block of QDQ_BLOCK_ELEMENTS that ends in it,
 * each channel run of the block from the identity into the run's slot. A
 * block is reduced only once all of it has arrived, and the calling thread
 * folds the slots into their channels in block and run order, so the result
 * is the staging path's (docs/threads.md T5). */

/* The blocks of the chunk [start, start + n) that end in its input block t: [*first, *last). */
static void blocks_ending_in(size_t t, size_t n, size_t start, size_t* first, size_t* last) {
  const size_t per = QDQ_INPUT_BLOCK_BYTES / sizeof(float);
  const size_t in_begin = t * per, in_end = n - in_begin < per ? n : in_begin + per;
  const size_t blocks = qdq_chunk_blocks(n, start);
  /* The block holding in_begin, then its successors while they end in this input block. */
  size_t b = (start + in_begin) / QDQ_BLOCK_ELEMENTS - start / QDQ_BLOCK_ELEMENTS;
  *first = b;
  while (b < blocks && qdq_chunk_block_begin(b + 1, n, start) <= in_end) b++;
  *last = b;
}

/* The channel runs of a streamed chunk, block after block: the chunk's run i
 * goes to the operator's slot i, reduced by `reduce` (from the identity). */
struct streamed_runs {
  size_t n, start, channels, inner;
  size_t first_run[QDQ_BLOCKS_PER_REGION + 1]; /* block b's runs are slots first_run[b] .. first_run[b + 1] - 1 */
  void (*reduce)(void* job, size_t slot, size_t offset, size_t length, size_t channel);
  void* job;
};

/* Fills s for the chunk [start, start + n), n > 0; returns its run count, or 0
 * when it spans more blocks than first_run holds. */
static size_t streamed_runs_init(struct streamed_runs* s, size_t n, size_t start, size_t channels, size_t inner) {
  const size_t blocks = qdq_chunk_blocks(n, start);
  if (blocks > QDQ_BLOCKS_PER_REGION) return 0;
  s->n = n;
  s->start = start;
  s->channels = channels;
  s->inner = channels == 1 ? start + n : inner; /* one channel: one run a block */
  s->first_run[0] = 0;
  for (size_t b = 0; b < blocks; b++) {
    const size_t s0 = start + qdq_chunk_block_begin(b, n, start), s1 = start + qdq_chunk_block_begin(b + 1, n, start);
    s->first_run[b + 1] = s->first_run[b] + (s1 - 1) / s->inner - s0 / s->inner + 1;
  }
  return s->first_run[blocks];
}

/* Task t: the runs of the blocks that end in input block t. */
static void streamed_runs_task(void* ctx, size_t task, size_t thread) {
  (void) thread;
  const struct streamed_runs* s = ctx;
  size_t first, last;
  blocks_ending_in(task, s->n, s->start, &first, &last);
  for (size_t b = first; b < last; b++) {
    const size_t begin = qdq_chunk_block_begin(b, s->n, s->start);
    size_t slot = s->first_run[b];
    QDQ_FOR_EACH_RUN(r, qdq_chunk_block_begin(b + 1, s->n, s->start) - begin, s->start + begin, s->channels, s->inner) {
      s->reduce(s->job, slot++, begin + r.offset, r.length, r.channel);
    }
  }
}

/* The region over a streamed chunk, on the threads the host chose for the whole call (stream()). */
static void run_streamed_runs(struct streamed_runs* s, double work) {
  const size_t per = QDQ_INPUT_BLOCK_BYTES / sizeof(float), tasks = (s->n + per - 1) / per;
  qdq_parallelize_input(streamed_runs_task, s, tasks, qdq_parallel_tasks(work * (double) s->n, tasks, QDQ_SPLIT_WINDOW));
}

/* A run's min and max, from (+inf, -inf), its first non-finite index in the
 * chunk (or -1) and its channel. Folded into the running ranges after the
 * region, they give what the kernel's in-place fold gives: ties keep the
 * running value in both. */
struct minmax_run {
  float lo, hi;
  long bad;
  size_t channel;
};

struct minmax_streamed_job {
  const float* x;
  struct minmax_run* runs;
};

static void minmax_run_reduce(void* job, size_t slot, size_t offset, size_t length, size_t channel) {
  const struct minmax_streamed_job* j = job;
  struct minmax_run* out = &j->runs[slot];
  out->lo = INFINITY;
  out->hi = -INFINITY;
  out->bad = qdq_config()->f32_rminmax(length * sizeof(float), j->x + offset, &out->lo, &out->hi);
  if (out->bad >= 0) out->bad += (long) offset;
  out->channel = channel;
}

long qdq_minmax_streamed(const float* x, size_t n, size_t start, size_t channels, size_t inner,
                         float* mins, float* maxs) {
  if (n == 0) return -1;
  struct minmax_streamed_job j = {x, NULL};
  struct streamed_runs s = {.reduce = minmax_run_reduce, .job = &j};
  const size_t runs = streamed_runs_init(&s, n, start, channels, inner);
  if (runs == 0) return QDQ_ERROR_SIZE_OVERFLOW;
  j.runs = malloc(runs * sizeof(struct minmax_run));
  if (j.runs == NULL) return QDQ_ERROR_OUT_OF_MEMORY;
  run_streamed_runs(&s, QDQ_MINMAX_WORK);
  long bad = -1;
  for (size_t i = 0; i < runs && bad < 0; i++) {
    const struct minmax_run* r = &j.runs[i];
    bad = r->bad;
    mins[r->channel] = r->lo < mins[r->channel] ? r->lo : mins[r->channel];
    maxs[r->channel] = r->hi > maxs[r->channel] ? r->hi : maxs[r->channel];
  }
  free(j.runs);
  return bad;
}

/* ---- error statistics ---- */

/* sum (x - x_hat)^2, sum x^2 and max |x - x_hat| of one run, from zero, in
 * double; the max is NaN when an error is NaN. */
static void run_error(const float* x, const float* x_hat, size_t n, double out[3]) {
  double sse = 0.0, ssx = 0.0, maxabs = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double e = (double) x[i] - (double) x_hat[i];
    sse += e * e;
    ssx += (double) x[i] * (double) x[i];
    const double a = fabs(e);
    maxabs = a > maxabs ? a : maxabs;
  }
  /* A NaN error (NaN input, or inf - inf) makes sse NaN and no other way:
   * then the max is NaN too, as mse is, without a test per element. */
  out[0] = sse;
  out[1] = ssx;
  out[2] = sse != sse ? NAN : maxabs;
}

/* acc[0..2] += a run's or block's sums; a NaN max stays NaN. */
static void fold_error(double* acc, const double s[3]) {
  acc[0] += s[0];
  acc[1] += s[1];
  acc[2] = s[2] != s[2] ? NAN : s[2] > acc[2] ? s[2] : acc[2];
}

static void error_channels_task(void* ctx, size_t task, size_t thread) {
  (void) thread;
  struct reduce_job* j = ctx;
  const size_t c0 = j->channels * task / j->tasks, c1 = j->channels * (task + 1) / j->tasks;
  for (size_t b = 0; b < j->blocks; b++) {
    const size_t begin = qdq_chunk_block_begin(b, j->n, j->start);
    const size_t end = qdq_chunk_block_begin(b + 1, j->n, j->start);
    QDQ_FOR_EACH_RUN(r, end - begin, j->start + begin, j->channels, j->inner) {
      if (r.channel < c0 || r.channel >= c1) continue;
      double s[3];
      run_error(j->x + begin + r.offset, j->x_hat + begin + r.offset, r.length, s);
      fold_error(&j->acc[3 * r.channel], s);
    }
  }
}

static void error_blocks_task(void* ctx, size_t task, size_t thread) {
  (void) thread;
  struct reduce_job* j = ctx;
  const size_t count = j->blocks - j->first_block < QDQ_BLOCKS_PER_REGION
                           ? j->blocks - j->first_block : QDQ_BLOCKS_PER_REGION;
  for (size_t s = count * task / j->tasks; s < count * (task + 1) / j->tasks; s++) {
    const size_t b = j->first_block + s;
    const size_t begin = qdq_chunk_block_begin(b, j->n, j->start);
    run_error(j->x + begin, j->x_hat + begin, qdq_chunk_block_begin(b + 1, j->n, j->start) - begin,
              j->sums[s]);
  }
}

/* A run's sums, from zero, and its channel: the streamed path folds them into
 * acc after the region, block after block, run after run, the order in which
 * the staging path folds them. */
struct error_run_sums {
  double s[3];
  size_t channel;
};

struct error_streamed_job {
  const float* x;
  const float* x_hat;
  struct error_run_sums* runs;
};

static void error_run_reduce(void* job, size_t slot, size_t offset, size_t length, size_t channel) {
  const struct error_streamed_job* j = job;
  run_error(j->x + offset, j->x_hat + offset, length, j->runs[slot].s);
  j->runs[slot].channel = channel;
}

int qdq_error_stats_streamed(const float* x, const float* x_hat, size_t n, size_t start,
                             size_t channels, size_t inner, double* acc) {
  if (n == 0) return 0;
  struct error_streamed_job j = {x, x_hat, NULL};
  struct streamed_runs s = {.reduce = error_run_reduce, .job = &j};
  const size_t runs = streamed_runs_init(&s, n, start, channels, inner);
  if (runs == 0) return QDQ_ERROR_SIZE_OVERFLOW;
  j.runs = malloc(runs * sizeof(struct error_run_sums));
  if (j.runs == NULL) return QDQ_ERROR_OUT_OF_MEMORY;
  run_streamed_runs(&s, QDQ_ERROR_STATS_WORK);
  for (size_t i = 0; i < runs; i++) fold_error(&acc[3 * j.runs[i].channel], j.runs[i].s);
  free(j.runs);
  return 0;
}

int qdq_error_stats(const float* x, const float* x_hat, size_t n, size_t start,
                    size_t channels, size_t inner, double* acc) {
  if (n == 0) return 0;
  struct reduce_job j = {.x = x, .x_hat = x_hat, .n = n, .start = start, .channels = channels,
                         .inner = inner, .blocks = qdq_chunk_blocks(n, start),
                         .work = QDQ_ERROR_STATS_WORK, .acc = acc};
  if (channels > 1) {
    j.tasks = region_tasks(&j, j.blocks);
    qdq_parallelize(error_channels_task, &j, j.tasks, j.tasks);
    return 0;
  }
  for (j.first_block = 0; j.first_block < j.blocks; j.first_block += QDQ_BLOCKS_PER_REGION) {
    const size_t count = j.blocks - j.first_block < QDQ_BLOCKS_PER_REGION
                             ? j.blocks - j.first_block : QDQ_BLOCKS_PER_REGION;
    j.tasks = region_tasks(&j, count);
    qdq_parallelize(error_blocks_task, &j, j.tasks, j.tasks);
    for (size_t s = 0; s < count; s++) fold_error(acc, j.sums[s]);
  }
  return 0;
}
