/*
 * MatMulNBits against weights packed by qdq_nbits_pack (B6 at accuracy level
 * 4, B7 at level 0): stage the activations (quantized per block at level 4,
 * zero-padded to whole blocks at level 0), then run the build's kernels over
 * column chunks that stay in cache while every block of rows streams past.
 * Both steps run on the host's threads (docs/threads.md T6): staging split by
 * rows, the kernels by column groups of QDQ_NBITS_NR.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "nbits-layout.h"
#include "parallel/parallel.h"
#include "size-math.h"

/* Packed bytes of weights per column chunk when several row blocks reuse it. */
#define QDQ_NBITS_CHUNK_BYTES (128 * 1024)
/* Level 0 from this many rows on dequantizes weights to a float panel of
 * about this many bytes and runs the float GEMM kernels: the per-element
 * dequantization then costs once per call, not once per block of 4 rows. */
#define QDQ_NBITS_PANEL_ROWS 8
#define QDQ_NBITS_PANEL_BYTES (256 * 1024)
/* Work of one multiply-add, in the unit of qdq_parallel_tasks (an int8
 * multiply-add of the int8 GEMM), measured on one thread by
 * `node bench/threads-nbits.js --weights` (4-bit, block 32, against
 * DynamicQuantizedLinear at the same shapes, 1x1024x1024 to 16x1024x1024,
 * idle machine; docs/threads.md T6): level 4 cost 1.10-1.35 int8
 * multiply-adds (half the weight bytes, but nibbles to unpack and a float
 * scale per block); level 0 on the blockwise float kernels 2.8 (m = 4) to
 * 4.5 (m = 1), on dequantized panels (m >= 8) 2.4-2.5. */
#define QDQ_NBITS_WORK_INT8 1.25
#define QDQ_NBITS_WORK_F32 4.0
#define QDQ_NBITS_WORK_PANEL 2.5
/* Work of staging one activation element, in the same unit and from the same
 * bench (a call with n = 8 less its multiply-adds): level 4 checks, quantizes
 * per block and widens (the f32-qs8-vquantblock kernel), 49-52 (108-140 when
 * it was scalar); level 0 copies and pads, 5-7. */
#define QDQ_NBITS_STAGE_WORK_INT8 50.0
#define QDQ_NBITS_STAGE_WORK_F32 6.0

enum nbits_path {
  PATH_QS16, /* level 4, 4-bit, int16 pair-permuted activations */
  PATH_QS8,  /* level 4, int8 activations */
  PATH_F32,  /* level 0, blockwise float kernels */
  PATH_PANEL /* level 0 from QDQ_NBITS_PANEL_ROWS rows: dequantized panels, float GEMM */
};

/* One call, shared by its tasks: the caller's rows, the staged activations
 * (written by the staging tasks, then only read), and the split. */
struct nbits_run {
  enum nbits_path path;
  size_t m, n, k, kb, bs, kpad, mr, nc, group_bytes;
  int bits;
  size_t tasks;
  int has_bias;
  const float* a;
  const uint8_t* w;
  const float* bias_pad;
  float* y;
  int8_t* aq;     /* level 4: m rows of kpad int8 */
  float* as;      /* level 4: m x kb block scales */
  int32_t* asum;  /* level 4: m x kb block sums */
  int16_t* aw;    /* PATH_QS16: m rows of kpad int16 */
  float* af;      /* level 0 when kpad != k: m rows of kpad floats, else NULL */
  float* panels;  /* PATH_PANEL: one panel of panel_floats per thread */
  size_t panel_floats, panel_groups;
};

/* Task t of `tasks` stages rows [m t / tasks, m (t + 1) / tasks): each row's
 * staged bytes depend on that row alone. */
static void stage_task(void* ctx, size_t task, size_t thread) {
  (void) thread;
  const struct nbits_run* r = ctx;
  const size_t i0 = r->m * task / r->tasks, i1 = r->m * (task + 1) / r->tasks;
  for (size_t i = i0; i < i1; i++) {
    if (r->af != NULL) {
      memcpy(r->af + i * r->kpad, r->a + i * r->k, r->k * sizeof(float));
      for (size_t l = r->k; l < r->kpad; l++) r->af[i * r->kpad + l] = 0.0f;
    } else if (r->aq != NULL) {
      qdq_config()->f32_qs8_vquantblock(r->k, r->bs, r->a + i * r->k, r->aq + i * r->kpad,
                                        r->aw != NULL ? r->aw + i * r->kpad : NULL, r->as + i * r->kb,
                                        r->asum + i * r->kb);
    }
  }
}

/* Task t of `tasks` computes the column groups [G t / tasks, G (t + 1) / tasks)
 * (G = ceil(n / 8)) for every row, in chunks of nc columns, with the kernels
 * and row blocks of a single task (the panel: its thread's). No kernel mixes columns (each output is
 * B6/B7 of its row and its column, bit for bit the reference's), so the
 * bytes do not depend on the split. */
static void column_task(void* ctx, size_t task, size_t thread) {
  const struct nbits_run* r = ctx;
  const struct qdq_config* config = qdq_config();
  size_t j_begin, j_end;
  qdq_task_columns(r->n, QDQ_NBITS_NR, task, r->tasks, &j_begin, &j_end);
  const size_t m = r->m, n = r->n, kb = r->kb, bs = r->bs, kpad = r->kpad, mr = r->mr;
  if (r->path == PATH_PANEL) {
    const size_t pc = r->panel_groups * QDQ_NBITS_NR;
    float* panel = r->panels + thread * r->panel_floats;
    const float* a = r->af != NULL ? r->af : r->a;
    for (size_t j0 = j_begin; j0 < j_end; j0 += pc) {
      const size_t nb = j_end - j0 < pc ? j_end - j0 : pc;
      const size_t g = (nb + QDQ_NBITS_NR - 1) / QDQ_NBITS_NR;
      /* The panel's biases are +0 (the float GEMM's sums then start from +0,
       * as B7's), and the bias is added after the k sum. */
      qdq_nbits_unpack_f32(g, kb, bs, r->bits, r->w + (j0 / QDQ_NBITS_NR) * r->group_bytes, NULL, panel);
      for (size_t i0 = 0; i0 < m; i0 += config->f32_gemm_mr) {
        const size_t rows = m - i0 < config->f32_gemm_mr ? m - i0 : config->f32_gemm_mr;
        (rows == 1 ? config->f32_gemm1 : config->f32_gemm)(rows, nb, kpad * sizeof(float), a + i0 * kpad,
                                                           kpad * sizeof(float), panel, r->y + i0 * n + j0,
                                                           n * sizeof(float));
      }
      if (r->has_bias) {
        for (size_t i = 0; i < m; i++) {
          float* yi = r->y + i * n + j0;
          for (size_t j = 0; j < nb; j++) yi[j] = yi[j] + r->bias_pad[j0 + j];
        }
      }
    }
    return;
  }
  const int four = r->bits == 4;
  for (size_t j0 = j_begin; j0 < j_end; j0 += r->nc) {
    const size_t nb = j_end - j0 < r->nc ? j_end - j0 : r->nc;
    const void* wj = r->w + (j0 / QDQ_NBITS_NR) * r->group_bytes;
    const float* bias = r->bias_pad + j0;
    for (size_t i0 = 0; i0 < m; i0 += mr) {
      const size_t rows = m - i0 < mr ? m - i0 : mr;
      float* y = r->y + i0 * n + j0;
      if (r->path == PATH_QS16) {
        (rows == 1 ? config->qs16_qb4w_gemm1 : config->qs16_qb4w_gemm)(
            rows, nb, kb, bs, r->aw + i0 * kpad, kpad * sizeof(int16_t), r->as + i0 * kb, r->asum + i0 * kb,
            kb, wj, bias, y, n * sizeof(float));
      } else if (r->path == PATH_QS8) {
        const qdq_qs8_qbw_gemm_fn gemm = rows == 1 ? (four ? config->qs8_qb4w_gemm1 : config->qs8_qb8w_gemm1)
                                                   : (four ? config->qs8_qb4w_gemm : config->qs8_qb8w_gemm);
        gemm(rows, nb, kb, bs, r->aq + i0 * kpad, kpad, r->as + i0 * kb, r->asum + i0 * kb, kb, wj, bias, y,
             n * sizeof(float));
      } else {
        const qdq_f32_qbw_gemm_fn gemm = rows == 1 ? (four ? config->f32_qb4w_gemm1 : config->f32_qb8w_gemm1)
                                                   : (four ? config->f32_qb4w_gemm : config->f32_qb8w_gemm);
        const float* a = r->af != NULL ? r->af : r->a;
        gemm(rows, nb, kb, bs, a + i0 * kpad, kpad * sizeof(float), wj, bias, y, n * sizeof(float));
      }
    }
  }
}

long qdq_nbits_matmul(size_t m, size_t n, size_t k, const float* a, const void* packed,
                      const float* bias, float* y, uint32_t flags) {
  const uint32_t* header = (const uint32_t*) packed;
  const int bits = (int) header[0];
  const size_t bs = header[1];
  if (header[2] != n || header[3] != k) return QDQ_ERROR_BAD_SIZE;
  struct qdq_nbits_shape s;
  const int err = qdq_nbits_shape(n, k, bits, bs, &s);
  if (err != 0) return err;
  size_t mk, mn, kpad;
  if (qdq_mul_overflows(m, k, &mk) || qdq_mul_overflows(m, n, &mn) || qdq_mul_overflows(s.kb, bs, &kpad)) {
    return QDQ_ERROR_SIZE_OVERFLOW;
  }
  if (m == 0 || n == 0) return 0;
  const int int8 = (flags & QDQ_NBITS_ACCURACY_INT8) != 0;
  if (k == 0) {
    /* An empty sum: B6 starts from the bias, B7 adds it to +0. */
    for (size_t i = 0; i < m; i++) {
      for (size_t j = 0; j < n; j++) y[i * n + j] = bias == NULL ? 0.0f : int8 ? bias[j] : 0.0f + bias[j];
    }
    return 0;
  }
  const struct qdq_config* config = qdq_config();
  /* 4-bit level 4 on int16 pair-permuted activations where the build has such kernels. */
  const int wide = int8 && bits == 4 && config->qs16_qb4w_gemm1 != NULL;
  if (int8) {
    /* The first non-finite activation, if any, by the min/max kernel (its
     * range is not needed): SIMD, where a scalar isfinite loop cost as much
     * as the rest of the staging. */
    float lo = INFINITY, hi = -INFINITY;
    const long bad = config->f32_rminmax(mk * sizeof(float), a, &lo, &hi);
    if (bad >= 0) return 1 + bad;
  }
  struct nbits_run r = {0};
  r.path = int8 ? (wide ? PATH_QS16 : PATH_QS8) : (m >= QDQ_NBITS_PANEL_ROWS ? PATH_PANEL : PATH_F32);
  r.m = m;
  r.n = n;
  r.k = k;
  r.kb = s.kb;
  r.bs = bs;
  r.kpad = kpad;
  r.mr = config->nbits_mr;
  r.group_bytes = s.group_bytes;
  r.bits = bits;
  r.a = a;
  r.w = (const uint8_t*) packed + QDQ_NBITS_HEADER_BYTES;
  r.y = y;
  /* One chunk of all columns for a single row block; else cache-sized chunks. */
  r.nc = s.groups * QDQ_NBITS_NR;
  if (m > r.mr) {
    const size_t groups = QDQ_NBITS_CHUNK_BYTES / s.group_bytes;
    if (groups != 0 && groups * QDQ_NBITS_NR < r.nc) r.nc = groups * QDQ_NBITS_NR;
    if (groups == 0) r.nc = QDQ_NBITS_NR;
  }
  const double macs = (double) m * (double) n * (double) k;
  const double weight = int8 ? QDQ_NBITS_WORK_INT8 : r.path == PATH_PANEL ? QDQ_NBITS_WORK_PANEL : QDQ_NBITS_WORK_F32;
  const size_t threads = qdq_parallel_tasks(weight * macs, s.groups, QDQ_SPLIT_KERNELS);
  const size_t tasks = qdq_task_count(weight * macs, threads, s.groups);

  /* Workspace: padded bias, then the staged activations, then (panels) one
   * panel per thread: workers never allocate. */
  const size_t bias_bytes = s.groups * QDQ_NBITS_NR * sizeof(float);
  size_t a_bytes = 0, panel_bytes = 0, t;
  if (int8) {
    /* int8 rows, then float scales and int32 sums per row and block, then
     * (wide) the int16 rows. kpad + 8 kb cannot overflow: kpad * sizeof(float)
     * and n * kb * 24 were checked by qdq_nbits_shape. */
    if (qdq_mul_overflows(m, (wide ? 3 * kpad : kpad) + 8 * s.kb, &a_bytes)) return QDQ_ERROR_SIZE_OVERFLOW;
  } else if (kpad != k) {
    if (qdq_mul_overflows(m, kpad, &t) || qdq_mul_overflows(t, sizeof(float), &a_bytes)) {
      return QDQ_ERROR_SIZE_OVERFLOW;
    }
  }
  if (r.path == PATH_PANEL) {
    /* Dequantize each column chunk once, then the float GEMM: the same
     * products and sums in the same order (B7), so the same bits. */
    const size_t groups = QDQ_NBITS_PANEL_BYTES / (sizeof(float) * QDQ_NBITS_NR * (1 + kpad));
    r.panel_groups = groups == 0 ? 1 : groups;
    r.panel_floats = r.panel_groups * QDQ_NBITS_NR * (1 + kpad);
    if (qdq_mul_overflows(r.panel_floats, threads * sizeof(float), &panel_bytes)) return QDQ_ERROR_SIZE_OVERFLOW;
  }
  if (qdq_add_overflows(a_bytes, bias_bytes + 16, &t) || qdq_add_overflows(t, panel_bytes, &t)) {
    return QDQ_ERROR_SIZE_OVERFLOW;
  }
  uint8_t* ws = malloc(t);
  if (ws == NULL) return QDQ_ERROR_OUT_OF_MEMORY;
  float* bias_pad = (float*) ws;
  for (size_t j = 0; j < s.groups * QDQ_NBITS_NR; j++) bias_pad[j] = bias != NULL && j < n ? bias[j] : 0.0f;
  r.bias_pad = bias_pad;
  r.has_bias = bias != NULL;
  uint8_t* stage = ws + bias_bytes;
  if (int8) {
    r.aq = (int8_t*) stage;
    r.as = (float*) (stage + m * kpad);
    r.asum = (int32_t*) (r.as + m * s.kb);
    if (wide) r.aw = (int16_t*) (r.asum + m * s.kb);
  } else if (kpad != k) {
    r.af = (float*) stage;
  }
  if (r.path == PATH_PANEL) r.panels = (float*) (stage + a_bytes);

  if (int8 || r.af != NULL) {
    const double stage_work = (int8 ? QDQ_NBITS_STAGE_WORK_INT8 : QDQ_NBITS_STAGE_WORK_F32) * (double) mk;
    const size_t stage_threads = qdq_parallel_tasks(stage_work, m, QDQ_SPLIT_KERNELS);
    r.tasks = qdq_task_count(stage_work, stage_threads, m);
    qdq_parallelize(stage_task, &r, r.tasks, stage_threads);
  }
  r.tasks = tasks;
  qdq_parallelize(column_task, &r, tasks, threads);
  free(ws);
  return 0;
}
