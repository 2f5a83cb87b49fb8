/* Operators for quantize, dequantize and fake-quantize (E5-E9). Each walks
 * its chunk block by block (operators/blocks.h); the blocks are split among
 * the host's threads when the chunk is large enough (docs/threads.md, T5). */
#include <math.h>

#include "config.h"
#include "operators/blocks.h"
#include "operators/channel-walk.h"
#include "parallel/parallel.h"

/* Channel runs shorter than this go through the reference scalar path: a
 * kernel call per element (channels innermost) would cost more than it saves. */
#define QDQ_MIN_KERNEL_RUN 8

/* Work of one element in the units of qdq_parallel_tasks (int8 multiply-adds
 * of the GEMM at the same wall time, ~0.04 ns on one thread of the -mt
 * build): one thread took 0.54, 0.25 and 1.2 ns per element to quantize,
 * dequantize and fake-quantize 1 Mi elements already in wasm memory
 * (bench/threads-elementwise.js --kernels, Xeon, Node 20). The copies of
 * js/'s staging are not counted: they stay on the calling thread. */
#define QDQ_QUANTIZE_WORK 14.0
#define QDQ_DEQUANTIZE_WORK 6.0
#define QDQ_FAKE_QUANTIZE_WORK 30.0
/* Marks a streamed region passes for its output (at most): the host copies
 * the finished output out between its own tasks, one mark's bytes at a time. */
#define QDQ_STREAM_MARKS 16

#define QDQ_FOR_EACH_RUN(r, n, start, channels, inner)                         \
  for (struct qdq_channel_run r = qdq_first_run(n, start, channels, inner);   \
       r.length != 0; r = qdq_next_run(r, n, channels, inner))

/* One call of an elementwise operator: which one, and its arguments. The
 * pointers are the chunk's; a block [b, e) of it is x + b, y + b, start + b. */
struct elementwise_job {
  void (*block)(const struct elementwise_job* j, size_t begin, size_t end);
  const void* x;
  void* y;
  uint8_t* mask;
  size_t n, start, channels, inner, blocks, tasks;
  double work; /* per element */
  size_t in_size, out_size; /* bytes per element of x and of y */
  const float* scales;
  const int32_t* zero_points;
  int32_t qmin, qmax;
  uint32_t flags;
};

/* Task t runs blocks [blocks * t / tasks, blocks * (t + 1) / tasks). */
static void elementwise_task(void* ctx, size_t task, size_t thread) {
  (void) thread;
  const struct elementwise_job* j = ctx;
  const size_t b0 = j->blocks * task / j->tasks, b1 = j->blocks * (task + 1) / j->tasks;
  for (size_t b = b0; b < b1; b++) {
    j->block(j, qdq_chunk_block_begin(b, j->n, j->start), qdq_chunk_block_begin(b + 1, j->n, j->start));
  }
}

/* Elements of x per input block the host streams in (QDQ_INPUT_BLOCK_BYTES). */
static size_t streamed_task_elements(const struct elementwise_job* j) { return QDQ_INPUT_BLOCK_BYTES / j->in_size; }

/* Streamed input: task t runs the elements of input block t. No element
 * depends on another, so these ranges give the bytes the blocks give. */
static void elementwise_streamed_task(void* ctx, size_t task, size_t thread) {
  (void) thread;
  const struct elementwise_job* j = ctx;
  const size_t per = streamed_task_elements(j);
  const size_t begin = task * per;
  j->block(j, begin, j->n - begin < per ? j->n : begin + per);
}

/* x arrives through the host block by block while the region runs, and the
 * host copies y out as the marks say it is final (docs/threads.md T5). */
static void run_elementwise_streamed(struct elementwise_job* j) {
  const size_t per = streamed_task_elements(j);
  const size_t tasks = (j->n + per - 1) / per;
  /* The host decided to split the whole call, copies included (stream()). */
  const size_t threads = qdq_parallel_tasks(j->work * (double) j->n, tasks, QDQ_SPLIT_WINDOW);
  uint32_t marks[2 * QDQ_STREAM_MARKS];
  const size_t count = tasks < QDQ_STREAM_MARKS ? tasks : QDQ_STREAM_MARKS;
  for (size_t i = 0; i < count; i++) {
    const size_t done = tasks * (i + 1) / count;
    marks[2 * i] = (uint32_t) done;
    marks[2 * i + 1] = (uint32_t) ((done * per < j->n ? done * per : j->n) * j->out_size);
  }
  qdq_parallelize_input_marked(elementwise_streamed_task, j, tasks, threads, marks, count);
}

static void run_elementwise(struct elementwise_job* j) {
  if (j->n == 0) return;
  /* One channel: a block is one run, whatever inner says. */
  if (j->channels == 1) j->inner = j->start + j->n;
  if ((j->flags & QDQ_FLAG_INPUT_STREAMED) != 0) {
    run_elementwise_streamed(j);
    return;
  }
  j->blocks = qdq_chunk_blocks(j->n, j->start);
  j->tasks = qdq_parallel_tasks(j->work * (double) j->n, j->blocks, QDQ_SPLIT_BESIDE_COPIES);
  qdq_parallelize(elementwise_task, j, j->tasks, j->tasks);
}

static void quantize_block(const struct elementwise_job* j, size_t begin, size_t end) {
  const struct qdq_config* config = qdq_config();
  const int divide = (j->flags & QDQ_FLAG_PYTORCH) == 0;
  const int uint8 = (j->flags & QDQ_FLAG_UINT8) != 0;
  const float* x = (const float*) j->x + begin;
  QDQ_FOR_EACH_RUN(r, end - begin, j->start + begin, j->channels, j->inner) {
    struct qdq_f32_q8_cvt_params p;
    qdq_init_f32_q8_cvt_params(&p, j->scales[r.channel], j->zero_points[r.channel], j->qmin,
                               j->qmax, divide);
    if (r.length < QDQ_MIN_KERNEL_RUN) {
      for (size_t i = r.offset; i < r.offset + r.length; i++) {
        const int32_t q = qdq_reference_quantize_value(x[i], &p);
        if (uint8) ((uint8_t*) j->y)[begin + i] = (uint8_t) q;
        else ((int8_t*) j->y)[begin + i] = (int8_t) q;
      }
    } else if (uint8) {
      config->f32_qu8_vcvt(r.length * sizeof(float), x + r.offset, (uint8_t*) j->y + begin + r.offset, &p);
    } else {
      config->f32_qs8_vcvt(r.length * sizeof(float), x + r.offset, (int8_t*) j->y + begin + r.offset, &p);
    }
  }
}

int qdq_quantize(const float* x, void* y, size_t n, size_t start, size_t channels,
                 size_t inner, const float* scales, const int32_t* zero_points,
                 int32_t qmin, int32_t qmax, uint32_t flags) {
  struct elementwise_job j = {quantize_block, x, y, NULL, n, start, channels, inner, 0, 0,
                              QDQ_QUANTIZE_WORK, sizeof(float), 1,
                              scales, zero_points, qmin, qmax, flags};
  run_elementwise(&j);
  return 0;
}

static void dequantize_block(const struct elementwise_job* j, size_t begin, size_t end) {
  const struct qdq_config* config = qdq_config();
  const int uint8 = (j->flags & QDQ_FLAG_UINT8) != 0;
  float* y = (float*) j->y + begin;
  QDQ_FOR_EACH_RUN(r, end - begin, j->start + begin, j->channels, j->inner) {
    struct qdq_q8_f32_cvt_params p;
    qdq_init_q8_f32_cvt_params(&p, j->scales[r.channel], j->zero_points[r.channel]);
    if (uint8) {
      config->qu8_f32_vcvt(r.length, (const uint8_t*) j->x + begin + r.offset, y + r.offset, &p);
    } else {
      config->qs8_f32_vcvt(r.length, (const int8_t*) j->x + begin + r.offset, y + r.offset, &p);
    }
  }
}

int qdq_dequantize(const void* q, float* y, size_t n, size_t start, size_t channels,
                   size_t inner, const float* scales, const int32_t* zero_points,
                   uint32_t flags) {
  struct elementwise_job j = {dequantize_block, q, y, NULL, n, start, channels, inner, 0, 0,
                              QDQ_DEQUANTIZE_WORK, 1, sizeof(float), scales, zero_points, 0, 0, flags};
  run_elementwise(&j);
  return 0;
}

static void fake_quantize_block(const struct elementwise_job* j, size_t begin, size_t end) {
  const struct qdq_config* config = qdq_config();
  const int divide = (j->flags & QDQ_FLAG_PYTORCH) == 0;
  const float* x = (const float*) j->x + begin;
  float* y = (float*) j->y + begin;
  QDQ_FOR_EACH_RUN(r, end - begin, j->start + begin, j->channels, j->inner) {
    struct qdq_f32_q8_cvt_params p;
    qdq_init_f32_q8_cvt_params(&p, j->scales[r.channel], j->zero_points[r.channel], j->qmin,
                               j->qmax, divide);
    config->f32_vfakequant(r.length * sizeof(float), x + r.offset, y + r.offset,
                           j->mask != NULL ? j->mask + begin + r.offset : NULL, &p);
  }
}

int qdq_fake_quantize(const float* x, float* y, uint8_t* mask, size_t n, size_t start,
                      size_t channels, size_t inner, const float* scales,
                      const int32_t* zero_points, int32_t qmin, int32_t qmax,
                      uint32_t flags) {
  struct elementwise_job j = {fake_quantize_block, x, y, mask, n, start, channels, inner, 0, 0,
                              QDQ_FAKE_QUANTIZE_WORK, sizeof(float), sizeof(float), scales, zero_points,
                              qmin, qmax, flags};
  run_elementwise(&j);
  return 0;
}

void qdq_quantize_steps(size_t n, const float* x, float scale, uint32_t flags, float* scaled,
                        float* rounded) {
  /* The same expressions as qdq_reference_quantize_value, stopped before the
   * zero point and the clamp. */
  const float inv_scale = 1.0f / scale;
  const int divide = (flags & QDQ_FLAG_PYTORCH) == 0;
  for (size_t i = 0; i < n; i++) {
    scaled[i] = divide ? x[i] / scale : x[i] * inv_scale;
    rounded[i] = nearbyintf(scaled[i]);
  }
}
