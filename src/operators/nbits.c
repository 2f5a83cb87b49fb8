/*
 * Operators of blockwise weights in the ORT layout (B1-B4, B8): quantize,
 * dequantize, per-block error statistics, and conversion to and from the
 * opset-21 blockwise DequantizeLinear layout. They walk shapes and call the
 * per-value reference functions, which are the definition: these run once
 * per weight, off the inference path. Quantize, dequantize and the error
 * statistics split their columns over the host's threads (docs/threads.md
 * T6): every column's bytes depend on that column alone.
 */
#include <math.h>
#include <string.h>

#include "nbits-layout.h"
#include "parallel/parallel.h"

/* Work per weight element, in the unit of qdq_parallel_tasks (an int8
 * multiply-add of the int8 GEMM, 0.08-0.13 ns here), measured on one thread
 * at 4096 x 4096, 4-bit, block 32 (`node bench/threads-nbits.js --quantize`,
 * two runs): quantize 14.3-16.2 ns, dequantize 4.3-4.7 ns, error statistics
 * 3.0-4.1 ns. */
#define QDQ_QUANTIZE_BLOCKWISE_WORK 150.0
#define QDQ_DEQUANTIZE_BLOCKWISE_WORK 45.0
#define QDQ_BLOCKWISE_STATS_WORK 35.0

/* One blockwise operator's arguments, shared by its tasks; task t of `tasks`
 * runs columns [n t / tasks, n (t + 1) / tasks). */
struct columns_run {
  struct qdq_nbits_shape s;
  size_t n, k, bs, tasks;
  int bits;
  uint32_t flags;
  const float* w;
  const float* w_hat;
  const uint8_t* b_in;
  const float* scales_in;
  const uint8_t* zp_in;
  uint8_t* b;
  float* scales;
  uint8_t* zp;
  float* w_out;
  double* acc;
};

/* The shape and sizes every blockwise operator's run starts from; returns
 * qdq_nbits_shape's error. */
static int columns_begin(struct columns_run* r, size_t n, size_t k, int bits, size_t block_size) {
  r->n = n;
  r->k = k;
  r->bs = block_size;
  r->bits = bits;
  return qdq_nbits_shape(n, k, bits, block_size, &r->s);
}

/* Runs fn over columns split into qdq_parallel_tasks(work per element * n k, n) tasks (js/ copies the
 * weights in and the results out around it: QDQ_SPLIT_BESIDE_COPIES). */
static void run_columns(struct columns_run* r, double work, qdq_task_fn fn) {
  r->tasks = qdq_parallel_tasks(work * (double) r->s.nk, r->n, QDQ_SPLIT_BESIDE_COPIES);
  qdq_parallelize(fn, r, r->tasks, r->tasks);
}

/* Field r of a run of `bits`-bit fields (4 bits: two per byte, low nibble
 * first), as the raw unsigned value: MatMulNBits blobs and zero points, and
 * DequantizeLinear's int4/uint4 tensors alike. */
static int32_t get_q(const uint8_t* blk, int bits, size_t r) {
  if (bits == 8) return blk[r];
  return (r & 1) ? blk[r / 2] >> 4 : blk[r / 2] & 15;
}

static void set_q(uint8_t* blk, int bits, size_t r, int32_t q) {
  if (bits == 8) {
    blk[r] = (uint8_t) q;
  } else if (r & 1) {
    blk[r / 2] = (uint8_t) ((blk[r / 2] & 0x0F) | (q << 4));
  } else {
    blk[r / 2] = (uint8_t) ((blk[r / 2] & 0xF0) | (q & 15));
  }
}

static int32_t get_zp(const uint8_t* zp, int bits, const struct qdq_nbits_shape* s, size_t j, size_t b) {
  if (zp == NULL) return 1 << (bits - 1);
  return get_q(zp + j * s->zp_row, bits, b);
}

static void quantize_task(void* ctx, size_t task, size_t thread) {
  (void) thread;
  const struct columns_run* r = ctx;
  const size_t bs = r->bs, k = r->k;
  const int symmetric = (r->flags & QDQ_NBITS_SYMMETRIC) != 0;
  for (size_t j = r->n * task / r->tasks; j < r->n * (task + 1) / r->tasks; j++) {
    for (size_t bb = 0; bb < r->s.kb; bb++) {
      const size_t l0 = bb * bs;
      const size_t len = k - l0 < bs ? k - l0 : bs;
      const float* x = r->w + j * k + l0;
      float scale;
      int32_t zp;
      qdq_reference_nbits_block_params(len, x, r->bits, r->flags, &scale, &zp);
      r->scales[j * r->s.kb + bb] = scale;
      if (!symmetric) set_q(r->zp + j * r->s.zp_row, r->bits, bb, zp);
      uint8_t* blk = r->b + (j * r->s.kb + bb) * r->s.blob;
      for (size_t i = 0; i < bs; i++) {
        set_q(blk, r->bits, i, i < len ? qdq_reference_nbits_quantize_value(x[i], scale, zp, r->bits, r->flags) : zp);
      }
    }
  }
}

long qdq_quantize_blockwise(size_t n, size_t k, int bits, size_t block_size, const float* w,
                            uint32_t flags, uint8_t* b, float* scales, uint8_t* zero_points) {
  struct columns_run r = {0};
  const int err = columns_begin(&r, n, k, bits, block_size);
  if (err != 0) return err;
  for (size_t i = 0; i < r.s.nk; i++) {
    if (!isfinite(w[i])) return 1 + (long) i;
  }
  if ((flags & QDQ_NBITS_SYMMETRIC) == 0 && bits == 4) {
    /* An odd block count leaves the last byte's high nibble unused:
     * onnxruntime writes the default zero point there. */
    memset(zero_points, 0x88, n * r.s.zp_row);
  }
  r.flags = flags;
  r.w = w;
  r.b = b;
  r.scales = scales;
  r.zp = zero_points;
  run_columns(&r, QDQ_QUANTIZE_BLOCKWISE_WORK, quantize_task);
  return 0;
}

static void dequantize_task(void* ctx, size_t task, size_t thread) {
  (void) thread;
  const struct columns_run* r = ctx;
  const size_t bs = r->bs, k = r->k;
  for (size_t j = r->n * task / r->tasks; j < r->n * (task + 1) / r->tasks; j++) {
    for (size_t l = 0; l < k; l++) {
      const size_t bb = l / bs;
      const int32_t q = get_q(r->b_in + (j * r->s.kb + bb) * r->s.blob, r->bits, l % bs);
      r->w_out[j * k + l] = (float) (q - get_zp(r->zp_in, r->bits, &r->s, j, bb)) * r->scales_in[j * r->s.kb + bb];
    }
  }
}

int qdq_dequantize_blockwise(size_t n, size_t k, int bits, size_t block_size, const uint8_t* b,
                             const float* scales, const uint8_t* zero_points, float* w) {
  struct columns_run r = {0};
  const int err = columns_begin(&r, n, k, bits, block_size);
  if (err != 0) return err;
  r.b_in = b;
  r.scales_in = scales;
  r.zp_in = zero_points;
  r.w_out = w;
  run_columns(&r, QDQ_DEQUANTIZE_BLOCKWISE_WORK, dequantize_task);
  return 0;
}

static void stats_task(void* ctx, size_t task, size_t thread) {
  (void) thread;
  const struct columns_run* r = ctx;
  const size_t bs = r->bs, k = r->k;
  for (size_t j = r->n * task / r->tasks; j < r->n * (task + 1) / r->tasks; j++) {
    for (size_t bb = 0; bb < r->s.kb; bb++) {
      double se = 0.0, sx = 0.0, mx = 0.0;
      for (size_t l = bb * bs; l < k && l < (bb + 1) * bs; l++) {
        const double x = r->w[j * k + l], e = x - (double) r->w_hat[j * k + l];
        se += e * e;
        sx += x * x;
        mx = fabs(e) > mx ? fabs(e) : mx;
      }
      double* a = r->acc + 3 * (j * r->s.kb + bb);
      a[0] = se;
      a[1] = sx;
      a[2] = mx;
    }
  }
}

int qdq_blockwise_error_stats(size_t n, size_t k, size_t block_size, const float* w,
                              const float* w_hat, double* acc) {
  struct columns_run r = {0};
  const int err = columns_begin(&r, n, k, 8, block_size); /* any valid bits: only sizes are used */
  if (err != 0) return err;
  r.w = w;
  r.w_hat = w_hat;
  r.acc = acc;
  run_columns(&r, QDQ_BLOCKWISE_STATS_WORK, stats_task);
  return 0;
}

int qdq_nbits_to_dq(size_t n, size_t k, int bits, size_t block_size, const uint8_t* b,
                    const float* scales, const uint8_t* zero_points, uint32_t flags, uint8_t* x,
                    float* dq_scales, uint8_t* dq_zero_points) {
  struct qdq_nbits_shape s;
  const int err = qdq_nbits_shape(n, k, bits, block_size, &s);
  if (err != 0) return err;
  const int32_t mask = (1 << bits) - 1;
  /* Signed: q - mid as a two's-complement field, i.e. q XOR mid. */
  const int32_t flip = (flags & QDQ_NBITS_DQ_SIGNED) ? 1 << (bits - 1) : 0;
  /* An odd element count leaves a high nibble unused: ONNX wants it 0. */
  if (bits == 4 && (s.nk & 1)) x[s.nk / 2] = 0;
  if (bits == 4 && dq_zero_points != NULL && ((s.kb * n) & 1)) dq_zero_points[s.kb * n / 2] = 0;
  for (size_t l = 0; l < k; l++) {
    for (size_t j = 0; j < n; j++) {
      const int32_t q = get_q(b + (j * s.kb + l / block_size) * s.blob, bits, l % block_size);
      set_q(x, bits, l * n + j, (q ^ flip) & mask);
    }
  }
  for (size_t bb = 0; bb < s.kb; bb++) {
    for (size_t j = 0; j < n; j++) {
      dq_scales[bb * n + j] = scales[j * s.kb + bb];
      if (dq_zero_points != NULL) set_q(dq_zero_points, bits, bb * n + j, (get_zp(zero_points, bits, &s, j, bb) ^ flip) & mask);
    }
  }
  return 0;
}

int qdq_nbits_from_dq(size_t n, size_t k, int bits, size_t block_size, const uint8_t* x,
                      const float* dq_scales, const uint8_t* dq_zero_points, uint32_t flags,
                      uint8_t* b, float* scales, uint8_t* zero_points) {
  struct qdq_nbits_shape s;
  const int err = qdq_nbits_shape(n, k, bits, block_size, &s);
  if (err != 0) return err;
  const int32_t flip = (flags & QDQ_NBITS_DQ_SIGNED) ? 1 << (bits - 1) : 0;
  if (bits == 4) memset(zero_points, 0x88, n * s.zp_row);
  for (size_t j = 0; j < n; j++) {
    for (size_t bb = 0; bb < s.kb; bb++) {
      /* A missing DQ zero point is 0 in the DQ type: the field 0, then flipped. */
      const int32_t zp = (dq_zero_points != NULL ? get_q(dq_zero_points, bits, bb * n + j) : 0) ^ flip;
      set_q(zero_points + j * s.zp_row, bits, bb, zp);
      scales[j * s.kb + bb] = dq_scales[bb * n + j];
      uint8_t* blk = b + (j * s.kb + bb) * s.blob;
      for (size_t r = 0; r < block_size; r++) {
        const size_t l = bb * block_size + r;
        set_q(blk, bits, r, l < k ? get_q(x, bits, l * n + j) ^ flip : zp);
      }
    }
  }
  return 0;
}
