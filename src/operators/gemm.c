/*
 * Operators of the int8 and float GEMM (G1-G8): stage the activations in the
 * int8 domain, run the build's microkernels over cache-sized column blocks,
 * then apply the output stage (zero-point corrections, requantization or
 * dequantization) to each int32 tile while it is hot.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "operators/streamed-range.h"
#include "parallel/affine.h"
#include "parallel/parallel.h"
#include "size-math.h"

#define NR 8
/* Bytes of packed weights per column block: they stay in L2 while every row
 * block streams past them. */
#define QDQ_GEMM_BLOCK_BYTES (96 * 1024)
/* Up to this many bytes of weights widened to int16 (2 n kpad), a split xw
 * GEMM widens them once per call into one copy the threads share, each
 * column group by the first row block that reads it (xw_first_rows); beyond
 * it each thread widens the column blocks its tasks need into a scratch of
 * its own (on two threads at 128x768x768 that was every block twice, ~3% of
 * the call). One thread always widens block by block: each block is then
 * still in L2 when the kernels read it, where the whole copy (1.2 MB at
 * 128x768x768) is not (1.004-1.032x as fast, bench/probes/ab-trees.js).
 * Either way the kernel that first reads a block stores it widened as it
 * loads it (qs16_gemm_xwiden), instead of a pass of its own. */
#define QDQ_GEMM_SHARED_WX_BYTES (8u << 20)
/* Bands the GEMM region's row pieces run in when the weights are widened
 * once per call: the rows of all but the last are final while the last runs
 * (gemm_task_tile), and the host copies them out meanwhile. */
#define QDQ_GEMM_BANDS 8
/* Up to this many bytes of int16 activations (packed per 4 rows) per copy,
 * and QDQ_GEMM_SHARED_WX_BYTES for all of them, a split xw GEMM gives each
 * thread a copy of its own, which it widens at its first GEMM task from the
 * staged int8 rows or, when nothing needs them, straight from the input
 * (widen_copy). One shared copy is read whole by every thread, so at the
 * next call its widening wrote lines that the other cores held: on two
 * threads at 128x768x768 the staging region took 27-29 us, where staging
 * the int8 rows and then each thread widening all of them into its own copy
 * took 7-8 and 9 (bench/probes/split-gap.js). A larger copy would no longer
 * stay in L2, and neither would a shared copy's lines. */
#define QDQ_GEMM_PRIVATE_A16_BYTES (1u << 20)

static size_t round_up(size_t x, size_t q) { return (x + q - 1) / q * q; }

/* Bytes of one packed group of NR columns (NR int32 biases, then kpad x NR
 * int8), and int16 elements of the same group widened (qdq_qs8_gemm_widen_w). */
static size_t packed_group_bytes(size_t kpad) { return NR * sizeof(int32_t) + kpad * NR; }
static size_t widened_group_elems(size_t kpad) { return NR * sizeof(int32_t) / sizeof(int16_t) + kpad * NR; }

/* Whether this build's GEMM can read widened weights: gemm_execute's xw
 * condition without its m (and qdq_qs8_gemm_widen_w's c4 packing). */
static int xw_kernels(const struct qdq_config* config) {
  const size_t mb = config->qs8_gemm7 != NULL ? config->qs8_gemm7_mr : config->qs8_gemm_mr;
  return config->qs16_gemm_xw != NULL && config->qs16_gemm != NULL && mb == 4 && config->qs8_gemm_mr == 4 &&
         config->qs8_gemm_kr == 4;
}

struct gemm_job {
  size_t m, n, k, kpad;
  const uint8_t* packed; /* packed weights */
  const int32_t* cs;     /* column sums of B, int8 domain */
  const int32_t* zb;     /* B zero points, int8 domain */
  int32_t za0;           /* activation zero point folded in at packing */
  const int16_t* kept;   /* the weights widened once (qdq_qs8_gemm_keep_widened), or NULL */
  int32_t za;            /* this call's activation zero point, int8 domain */
  uint32_t y_kind;
  void* y;
  const float* mult;
  const float* bias;
  int32_t yzp, ymin, ymax;
};

struct gemm_workspace {
  int8_t* a;       /* m rows of kpad bytes, + QDQ_EXTRA_BYTES */
  int16_t* a16;    /* the same widened to int16, for the qs16 kernels (or NULL): row-major,
                    * or packed per 4 rows for the xw kernels (qdq_qs8_gemm_pack_a16) */
  size_t a16_copy; /* int16 elements between the threads' own copies of a16 (thread t reads
                    * a16 + t a16_copy), or 0: one copy that every thread reads */
  int32_t* rs;     /* row sums of A (int8 domain, unshifted) */
  int32_t* shift;  /* per-row shift c_i subtracted for the 7-bit kernels (G7) */
  uint8_t* use7;   /* per row block: 1 when the 7-bit kernel runs it */
  int32_t* colcorr;/* (za - za0) * (k * zb[j] - cs[j]) */
  int32_t* tile;   /* per task: MR x column-block int32 accumulators */
};

/* Carves the workspace out of one malloc. Every byte count is checked: with
 * wasm32's 32-bit size_t, 3 * m * kpad wraps for shapes whose inputs still
 * fit in memory (m = 43700, k = 32768). Returns NULL with *error set. */
static void* workspace_alloc(const struct gemm_job* g, size_t mr_max, size_t nc_block, size_t threads,
                             size_t a16_copies, struct gemm_workspace* ws, int* error) {
  size_t a_elems, a_bytes, a16_bytes = 0, a16_copy_bytes = 0, ints, int_bytes, bytes;
  *error = QDQ_ERROR_SIZE_OVERFLOW;
  if (qdq_mul_overflows(g->m, g->kpad, &a_elems) ||
      qdq_add_overflows(a_elems, QDQ_EXTRA_BYTES, &a_bytes) ||
      qdq_round_up_overflows(a_bytes, 16, &a_bytes)) {
    return NULL;
  }
  if (qdq_config()->qs16_gemm != NULL && g->m > 1) {
    /* Rows rounded up to 4: the packed layout pads the last group. */
    size_t a16_elems;
    if (qdq_mul_overflows(round_up(g->m, 4), g->kpad, &a16_elems) ||
        qdq_mul_overflows(a16_elems, 2, &a16_bytes) ||
        qdq_add_overflows(a16_bytes, QDQ_EXTRA_BYTES, &a16_bytes) ||
        qdq_round_up_overflows(a16_bytes, 16, &a16_bytes)) {
      return NULL;
    }
    a16_copy_bytes = a16_copies > 1 ? a16_bytes : 0;
    if (qdq_mul_overflows(a16_bytes, a16_copies, &a16_bytes)) return NULL;
  }
  /* int32 terms: rs[m], shift[m], colcorr[n], threads x tile[mr_max * nc_block];
   * then use7, one byte per row block (at most m). */
  size_t tile_ints;
  if (qdq_mul_overflows(mr_max * nc_block, threads, &tile_ints) ||
      qdq_mul_overflows(g->m, 2, &ints) || qdq_add_overflows(ints, g->n, &ints) ||
      qdq_add_overflows(ints, tile_ints, &ints) ||
      qdq_mul_overflows(ints, sizeof(int32_t), &int_bytes) ||
      qdq_add_overflows(a_bytes, a16_bytes, &bytes) || qdq_add_overflows(bytes, int_bytes, &bytes) ||
      qdq_add_overflows(bytes, g->m, &bytes)) {
    return NULL;
  }
  uint8_t* base = malloc(bytes);
  if (base == NULL) {
    *error = QDQ_ERROR_OUT_OF_MEMORY;
    return NULL;
  }
  ws->a = (int8_t*) base;
  ws->a16 = a16_bytes != 0 ? (int16_t*) (base + a_bytes) : NULL;
  ws->a16_copy = a16_copy_bytes / sizeof(int16_t);
  ws->rs = (int32_t*) (base + a_bytes + a16_bytes);
  ws->shift = ws->rs + g->m;
  ws->colcorr = ws->shift + g->m;
  ws->tile = ws->colcorr + g->n;
  ws->use7 = (uint8_t*) (ws->tile + tile_ints);
  return ws->a;
}

/* Row sums, and the 7-bit decision per block of mr7 rows, for rows
 * [i0, i1) (i0 a multiple of mr7 when mr7 != 0): a block runs on the relaxed
 * kernel when every row's range max - min is at most 127; its rows are then
 * shifted by their minimum into [0, 127] (G7). */
static void prepare_rows(const struct gemm_job* g, const struct gemm_workspace* ws, size_t mr7,
                         int any_zb, size_t i0, size_t i1) {
  if (mr7 == 0 && !any_zb) {
    /* Neither row sums (G3's zb term) nor ranges (G7) are needed. */
    for (size_t i = i0; i < i1; i++) ws->rs[i] = ws->shift[i] = 0;
    return;
  }
  const size_t k = g->k;
  for (size_t i = i0; i < i1; i++) {
    const int8_t* row = ws->a + i * g->kpad;
    int32_t sum = 0, lo = 127, hi = -128;
    for (size_t l = 0; l < k; l++) {
      const int32_t v = row[l];
      sum += v; /* |sum| <= 128 * QDQ_GEMM_MAX_K: no overflow */
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
    }
    ws->rs[i] = sum;
    ws->shift[i] = hi - lo <= 127 ? lo : INT32_MIN;
  }
  if (mr7 == 0) {
    for (size_t i = i0; i < i1; i++) ws->shift[i] = 0;
    return;
  }
  for (size_t b = i0 / mr7, r0 = i0; r0 < i1; b++, r0 += mr7) {
    const size_t rows = i1 - r0 < mr7 ? i1 - r0 : mr7;
    int ok = 1;
    for (size_t i = r0; i < r0 + rows; i++) ok &= ws->shift[i] != INT32_MIN;
    ws->use7[b] = (uint8_t) ok;
    for (size_t i = r0; i < r0 + rows; i++) {
      if (!ok) {
        ws->shift[i] = 0;
        continue;
      }
      int8_t* restrict row = ws->a + i * g->kpad;
      const size_t k = g->k;
      const int32_t shift = ws->shift[i];
      /* Stored as int8 bit patterns of values in [0, 127]. */
      for (size_t l = 0; l < k; l++) row[l] = (int8_t) (row[l] - shift);
    }
  }
}

/* Output stage for rows [i0, i0 + rows), columns [j0, j0 + nb) of the tile. */
static void output_tile(const struct gemm_job* g, const struct gemm_workspace* ws, int32_t* tile,
                        int any_zb, size_t i0, size_t rows, size_t j0, size_t nb, size_t tile_stride) {
  const int32_t* restrict colcorr = ws->colcorr + j0;
  const int32_t* restrict cs = g->cs + j0;
  const int32_t* restrict zb = g->zb + j0;
  for (size_t r = 0; r < rows; r++) {
    const size_t i = i0 + r;
    int32_t* restrict t = tile + r * tile_stride;
    const uint32_t rs = (uint32_t) ws->rs[i], c = (uint32_t) ws->shift[i];
    const size_t o = i * g->n + j0;
    /* G3's corrections, in wrapping uint32: exact modulo 2^32 (G2), so in any
     * order. For int32 output they go straight into y: in place and then
     * copied, they took 2-3% more of a 512x512x512 call. For the others the
     * row terms (a G7 shift, a weight zero point), when there are any, are
     * added in place in loops of their own, and the column term where the
     * tile is converted: in one pass with the conversion, the dynamic Linear
     * ran 1.019-1.027x as fast on one thread at 512x512x512 and 1.001-1.016x
     * at 128x768x768 as with every term added in place first (three pairs,
     * 30 Nov). (All the terms in that one loop made the call ~5% slower,
     * bench/probes/gemm-builds.js.) */
    if (g->y_kind == QDQ_GEMM_OUT_INT32) {
      int32_t* restrict y = (int32_t*) g->y + o;
      for (size_t jj = 0; jj < nb; jj++) {
        y[jj] = (int32_t) ((uint32_t) t[jj] + (uint32_t) colcorr[jj] + c * (uint32_t) cs[jj]);
      }
      if (any_zb) {
        for (size_t jj = 0; jj < nb; jj++) y[jj] = (int32_t) ((uint32_t) y[jj] - (uint32_t) zb[jj] * rs);
      }
      continue;
    }
    if (c != 0) {
      for (size_t jj = 0; jj < nb; jj++) t[jj] = (int32_t) ((uint32_t) t[jj] + c * (uint32_t) cs[jj]);
    }
    if (any_zb) {
      for (size_t jj = 0; jj < nb; jj++) t[jj] = (int32_t) ((uint32_t) t[jj] - (uint32_t) zb[jj] * rs);
    }
    /* The accumulator with every term: t[jj] + colcorr[jj], wrapping. */
#define QDQ_ACC(jj) ((int32_t) ((uint32_t) t[jj] + (uint32_t) colcorr[jj]))
    if (g->y_kind == QDQ_GEMM_OUT_FLOAT) {
      float* restrict y = (float*) g->y + o;
      const float* restrict mult = g->mult + j0;
      if (g->bias != NULL) {
        const float* restrict bias = g->bias + j0;
        for (size_t jj = 0; jj < nb; jj++) y[jj] = (float) QDQ_ACC(jj) * mult[jj] + bias[jj];
      } else {
        for (size_t jj = 0; jj < nb; jj++) y[jj] = (float) QDQ_ACC(jj) * mult[jj];
      }
    } else {
      /* G4, as qdq_reference_requantize_value: clamping in float first keeps
       * the conversion defined; NaN (only from an infinite multiplier) gives
       * the zero point, clamped. */
      const float* restrict mult = g->mult + j0;
      const float lo = (float) (g->ymin - g->yzp), hi = (float) (g->ymax - g->yzp);
      const int32_t yzp = g->yzp;
      if (g->y_kind == QDQ_GEMM_OUT_UINT8) {
        uint8_t* restrict y = (uint8_t*) g->y + o;
        for (size_t jj = 0; jj < nb; jj++) {
          float v = nearbyintf((float) QDQ_ACC(jj) * mult[jj]);
          v = v == v ? v : 0.0f;
          v = v < lo ? lo : v;
          v = v > hi ? hi : v;
          y[jj] = (uint8_t) ((int32_t) v + yzp);
        }
      } else {
        int8_t* restrict y = (int8_t*) g->y + o;
        for (size_t jj = 0; jj < nb; jj++) {
          float v = nearbyintf((float) QDQ_ACC(jj) * mult[jj]);
          v = v == v ? v : 0.0f;
          v = v < lo ? lo : v;
          v = v > hi ? hi : v;
          y[jj] = (int8_t) ((int32_t) v + yzp);
        }
      }
    }
#undef QDQ_ACC
  }
}

typedef void (*stage_fn)(const void* ctx, size_t i, int8_t* row);

/* int8 or uint8 activations as the caller gave them (qdq_qs8_gemm). */
struct q8_stage {
  const uint8_t* a;
  size_t k;
  uint8_t flip; /* 0x80 for uint8: u - 128 is u ^ 0x80 read as int8 */
};

/* What every task of one GEMM shares (read-only once staged, but for the
 * homes' spans and the shared widened copy and its group states) and how the
 * work is split (split_tasks, gemm_task_tile): a task's piece (c, r) covers
 * the column groups of NR [G c / col_tasks, G (c + 1) / col_tasks)
 * (G = ceil(n / NR)), in blocks of at most nc columns, and the row blocks of
 * mb rows [B r / row_tasks, B (r + 1) / row_tasks) (B = ceil(m / mb)); the
 * thread that runs it uses its own tile (and its own scratch of widened
 * weights when they are not shared). A result depends only on its column's
 * weights and its row's staged values, so neither the split nor the thread
 * that runs a task can change it. */
struct gemm_run {
  const struct gemm_job* g;
  const struct gemm_workspace* ws;
  size_t mr, mr7, mb, nc, tile_stride;
  size_t col_tasks, row_tasks;
  size_t bands; /* bands of row pieces, run one after the other (gemm_task_tile) */
  size_t parts; /* homes per band: the region's threads */
  qdq_affine_span* spans; /* bands x parts: each band's pieces still to run, per home */
  int any_zb;
  int16_t* wx;      /* shared: every column group widened; else threads x one column block; or NULL */
  size_t wx_elems;  /* int16 elements per thread in wx (not shared) */
  size_t* wx_block; /* per thread: first column of the block its wx holds (SIZE_MAX: none) */
  int wx_shared;
  uint32_t* wx_state; /* the shared copy widened in this call: per column group 0 to do, 1 being
                       * widened, 2 done (xw_first_rows); NULL for a kept copy or none */
  size_t tile_ints; /* int32 elements per thread in ws->tile */
  int direct;       /* int32 output with no term to add: the kernels write it in place */
  uint8_t* a16_ready; /* with copies of a16 per thread: 1 once thread t's is widened
                       * (widen_copy); NULL with one shared copy or none */
  const struct q8_stage* raw; /* with a16_ready: the caller's activations, which the
                               * copies are widened from (no staging), or NULL */
};

static void widen_rows(const struct gemm_job* g, const struct gemm_workspace* ws, size_t mb, size_t mr7, int pack,
                       size_t b0, size_t b1, int16_t* a16);

/* One thread's own copy of a16 (run->a16_ready), widened at the thread's
 * first GEMM task: from the staged int8 rows, or, with run->raw, straight
 * from the caller's int8 or uint8 activations (the staging's whole work when
 * nothing needs int8 rows: gemm_execute's raw); then its over-read tail
 * zeroed. Only the threads that take part widen a copy, each its own, so its
 * lines stay in its own cache from call to call; every copy holds the same
 * values. */
static void widen_copy(const struct gemm_run* run, int16_t* a16) {
  const struct gemm_job* g = run->g;
  if (run->raw != NULL) {
    const struct q8_stage* s = run->raw;
    for (size_t r0 = 0; r0 < g->m; r0 += 4) {
      const size_t rows = g->m - r0 < 4 ? g->m - r0 : 4;
      qdq_qs8_gemm_pack_a16(rows, g->k, g->kpad, (const int8_t*) (s->a + r0 * s->k), s->k, s->flip,
                            a16 + r0 * g->kpad);
    }
  } else {
    widen_rows(g, run->ws, run->mb, run->mr7, 1, 0, (g->m + run->mb - 1) / run->mb, a16);
  }
  int16_t* tail = a16 + round_up(g->m, 4) * g->kpad;
  for (size_t i = 0; i < QDQ_EXTRA_BYTES / 2; i++) tail[i] = 0;
}

/* The column piece *c and row piece *r that task `task` runs on `thread`.
 * The row pieces form `bands` bands, [R b / bands, R (b + 1) / bands) for
 * band b (R = row_tasks), and band b's tasks are [col_tasks R0, col_tasks R1)
 * for its pieces [R0, R1): the output's rows are final band by band
 * (gemm_marks). Which of the band's pieces a task runs is the thread's
 * (affine.h): its home is a run of whole column pieces, the same every call,
 * column piece outer, so the thread widens, reads and writes the same
 * columns call after call, and its next piece is mostly on the same column
 * block. */
static int gemm_task_tile(const struct gemm_run* run, size_t task, size_t thread, size_t* c, size_t* r) {
  const size_t piece = task / run->col_tasks; /* a row piece of task's band */
  size_t b = 0, r0 = 0, r1 = run->row_tasks;
  for (; b < run->bands; b++) {
    qdq_part_range(run->row_tasks, b, run->bands, &r0, &r1);
    if (piece < r1) break;
  }
  const size_t p = qdq_affine_take(run->spans + b * run->parts, run->parts, thread);
  if (p == SIZE_MAX) return 0; /* more tasks than tiles: a pool bug, never a write out of range */
  *c = p / (r1 - r0);
  *r = r0 + p % (r1 - r0);
  return 1;
}

/* One row block's tile (sub rows from a16 into dst, columns from j0) over
 * the column groups [q0, q1) of the shared copy being widened in this call:
 * a group no thread has taken yet, this thread takes and the kernel widens as
 * it reads it (state 0 -> 1 -> 2, the release store publishing the copy);
 * one that another thread is widening is computed from the int8 packing
 * without storing, so no thread ever waits; one done is read widened. The
 * kernels give the same bytes in every case (gemm.test.js). A thread takes
 * its home's columns first (affine.h), so it mostly widens what it reads. */
static void xw_first_rows(const struct gemm_run* run, size_t q0, size_t q1, size_t sub, const int16_t* a16,
                          int32_t* dst, size_t stride, size_t j0) {
  const struct gemm_job* g = run->g;
  const struct qdq_config* config = qdq_config();
  for (size_t q = q0; q < q1; q++) {
    const size_t jq = q * NR, nq = g->n - jq < NR ? g->n - jq : NR;
    const void* w8 = g->packed + q * packed_group_bytes(g->kpad);
    int16_t* wq = run->wx + q * widened_group_elems(g->kpad);
    int32_t* out = dst + (jq - j0);
    uint32_t* state = run->wx_state + q;
    uint32_t s = __atomic_load_n(state, __ATOMIC_ACQUIRE);
    if (s == 2) {
      config->qs16_gemm_xw(sub, nq, g->k, a16, g->kpad * sizeof(int16_t), wq, out, stride * sizeof(int32_t));
    } else if (s == 0 && __atomic_compare_exchange_n(state, &s, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
      config->qs16_gemm_xwiden(sub, nq, g->k, a16, g->kpad * sizeof(int16_t), w8, out, stride * sizeof(int32_t), wq);
      __atomic_store_n(state, 2, __ATOMIC_RELEASE);
    } else {
      config->qs16_gemm_xwiden(sub, nq, g->k, a16, g->kpad * sizeof(int16_t), w8, out, stride * sizeof(int32_t), NULL);
    }
  }
}

/* Whether the shared copy's column groups [q0, q1) are all widened. */
static int groups_widened(const struct gemm_run* run, size_t q0, size_t q1) {
  for (size_t q = q0; q < q1; q++) {
    if (__atomic_load_n(run->wx_state + q, __ATOMIC_ACQUIRE) != 2) return 0;
  }
  return 1;
}

static void gemm_task(void* ctx, size_t task, size_t thread) {
  const struct gemm_run* run = ctx;
  const struct gemm_job* g = run->g;
  const struct gemm_workspace* ws = run->ws;
  const struct qdq_config* config = qdq_config();
  const size_t mr = run->mr, mr7 = run->mr7, mb = run->mb, nc = run->nc;
  const size_t tile_stride = run->tile_stride;
  size_t g_begin, g_end, b_begin, b_end, c, r;
  if (!gemm_task_tile(run, task, thread, &c, &r)) return;
  if (run->a16_ready != NULL && !run->a16_ready[thread]) {
    widen_copy(run, ws->a16 + thread * ws->a16_copy);
    run->a16_ready[thread] = 1;
  }
  qdq_part_range((g->n + NR - 1) / NR, c, run->col_tasks, &g_begin, &g_end);
  qdq_part_range((g->m + mb - 1) / mb, r, run->row_tasks, &b_begin, &b_end);
  const size_t j_end = g_end * NR < g->n ? g_end * NR : g->n;
  const size_t i_begin = b_begin * mb, i_end = b_end * mb < g->m ? b_end * mb : g->m;
  int32_t* tile = ws->tile + thread * run->tile_ints;
  int16_t* wx = run->wx != NULL ? run->wx + thread * run->wx_elems : NULL;
  const size_t block_bytes = packed_group_bytes(g->kpad);
  for (size_t j0 = g_begin * NR; j0 < j_end; j0 += nc) {
    const size_t nb = j_end - j0 < nc ? j_end - j0 : nc;
    const void* w = g->packed + (j0 / NR) * block_bytes;
    const size_t q0 = j0 / NR, q1 = (j0 + nb + NR - 1) / NR;
    int widened = run->wx_state == NULL || groups_widened(run, q0, q1);
    for (size_t b = i_begin / mb, i0 = i_begin; i0 < i_end; b++, i0 += mb) {
      const size_t rows = i_end - i0 < mb ? i_end - i0 : mb;
      const int8_t* a = ws->a + i0 * g->kpad;
      const int use7 = mr7 != 0 && ws->use7[b];
      /* With nothing to add (run->direct) the kernels write the int32 result
       * in place, except 7-bit blocks, whose rows have shifts to add back. */
      const int direct = run->direct && !use7;
      int32_t* const dst = direct ? (int32_t*) g->y + i0 * g->n + j0 : tile;
      const size_t stride = direct ? g->n : tile_stride;
      if (use7) {
        (rows == 1 ? config->qs8_gemm7_1 : config->qs8_gemm7)(
            rows, nb, g->k, a, g->kpad, w, tile, tile_stride * sizeof(int32_t));
      } else if (ws->a16 != NULL) {
        for (size_t r = 0; r < rows; r += mr) {
          const size_t sub = rows - r < mr ? rows - r : mr;
          if (sub == 1 && run->raw == NULL) {
            /* (With raw there are no int8 rows: the xw kernels take the row's packed group.) */
            config->qs8_gemm1(1, nb, g->k, a + r * g->kpad, g->kpad, w, dst + r * stride,
                              stride * sizeof(int32_t));
          } else if (wx != NULL) {
            const int16_t* a16 = ws->a16 + thread * ws->a16_copy + (i0 + r) * g->kpad;
            if (run->wx_shared) {
              if (!widened) {
                xw_first_rows(run, q0, q1, sub, a16, dst + r * stride, stride, j0);
                /* Groups another thread was still widening are read from int8 until done. */
                widened = groups_widened(run, q0, q1);
              } else {
                config->qs16_gemm_xw(sub, nb, g->k, a16, g->kpad * sizeof(int16_t),
                                     run->wx + q0 * widened_group_elems(g->kpad), dst + r * stride,
                                     stride * sizeof(int32_t));
              }
            } else if (run->wx_block[thread] != j0) {
              /* A thread's next tile is mostly on the same column block
               * (its home, column piece outer): widen only when it changes,
               * as the kernel reads it. */
              config->qs16_gemm_xwiden(sub, nb, g->k, a16, g->kpad * sizeof(int16_t), w, dst + r * stride,
                                       stride * sizeof(int32_t), wx);
              run->wx_block[thread] = j0;
            } else {
              config->qs16_gemm_xw(sub, nb, g->k, a16, g->kpad * sizeof(int16_t), wx, dst + r * stride,
                                   stride * sizeof(int32_t));
            }
          } else {
            config->qs16_gemm(sub, nb, g->k, ws->a16 + (i0 + r) * g->kpad,
                              g->kpad * sizeof(int16_t), w, dst + r * stride,
                              stride * sizeof(int32_t));
          }
        }
      } else {
        for (size_t r = 0; r < rows; r += mr) {
          const size_t sub = rows - r < mr ? rows - r : mr;
          (sub == 1 ? config->qs8_gemm1 : config->qs8_gemm)(
              sub, nb, g->k, a + r * g->kpad, g->kpad, w, dst + r * stride,
              stride * sizeof(int32_t));
        }
      }
      if (!direct) output_tile(g, ws, tile, run->any_zb, i0, rows, j0, nb, tile_stride);
    }
  }
}

/* Widens the staged rows of the row blocks [b0, b1) into a16 (one copy) for
 * the int16 kernels: all of them, except the blocks that run on the 7-bit
 * kernels; packed per 4 rows for the xw kernels (mb == 4), else row-major. */
static void widen_rows(const struct gemm_job* g, const struct gemm_workspace* ws, size_t mb, size_t mr7, int pack,
                       size_t b0, size_t b1, int16_t* a16) {
  for (size_t b = b0, r0 = b0 * mb; b < b1 && r0 < g->m; b++, r0 += mb) {
    if (mr7 != 0 && ws->use7[b]) continue;
    const size_t rows = g->m - r0 < mb ? g->m - r0 : mb;
    const int8_t* restrict src = ws->a + r0 * g->kpad;
    int16_t* restrict dst = a16 + r0 * g->kpad;
    if (pack) {
      qdq_qs8_gemm_pack_a16(rows, g->kpad, g->kpad, src, g->kpad, 0, dst);
    } else {
      for (size_t i = 0; i < rows * g->kpad; i++) dst[i] = src[i];
    }
  }
}

/* Staging of the activations, split by blocks of mb rows: task t stages
 * (quantizes or copies into the int8 domain, pads), sums and shifts (G7)
 * rows of the blocks [B t / tasks, B (t + 1) / tasks), B = ceil(m / mb), and
 * widens them into the one copy of a16 that every thread reads (threads
 * with copies of their own widen theirs at their first GEMM task:
 * widen_copy). Each row's result depends on that row alone. */
struct stage_run {
  const struct gemm_job* g;
  const struct gemm_workspace* ws;
  stage_fn stage;
  const void* ctx;
  size_t mr7, mb;
  int any_zb;
  int pack_a16; /* widen into the xw kernels' packed-A layout (mb == 4) */
  size_t tasks;
};

static void stage_task(void* c, size_t task, size_t thread) {
  (void) thread;
  const struct stage_run* sr = c;
  const struct gemm_job* g = sr->g;
  const struct gemm_workspace* ws = sr->ws;
  size_t b0, b1;
  qdq_part_range((g->m + sr->mb - 1) / sr->mb, task, sr->tasks, &b0, &b1);
  const size_t i0 = b0 * sr->mb;
  const size_t i1 = b1 * sr->mb < g->m ? b1 * sr->mb : g->m;
  for (size_t i = i0; i < i1; i++) {
    int8_t* row = ws->a + i * g->kpad;
    sr->stage(sr->ctx, i, row);
    memset(row + g->k, 0, g->kpad - g->k);
  }
  prepare_rows(g, ws, sr->mr7, sr->any_zb, i0, i1);
  if (ws->a16 != NULL && ws->a16_copy == 0) widen_rows(g, ws, sr->mb, sr->mr7, sr->pack_a16, b0, b1, ws->a16);
}

/* Whether no block of mr7 rows of the caller's int8 or uint8 rows could run
 * on the 7-bit kernel (prepare_rows: every row's range at most 127), read
 * from the input itself: a block is settled by its first row whose range
 * passes 127, which for full-range rows takes a few bytes. It gives up (0)
 * after `budget` bytes; the staging then decides, and either way the blocks
 * run the same kernels. */
static int no_block_fits7(const struct q8_stage* s, size_t m, size_t mr7, size_t budget) {
  for (size_t r0 = 0; r0 < m; r0 += mr7) {
    const size_t rows = m - r0 < mr7 ? m - r0 : mr7;
    int fits = 1;
    for (size_t i = r0; i < r0 + rows && fits; i++) {
      const uint8_t* row = s->a + i * s->k;
      int32_t lo = 127, hi = -128;
      size_t l = 0;
      for (; l < s->k; l++) {
        const int32_t v = (int8_t) (row[l] ^ s->flip);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        if (hi - lo > 127) break;
      }
      if (l >= budget) return 0;
      budget -= l + 1;
      fits = l == s->k;
    }
    if (fits) return 0;
  }
  return 1;
}

/* How the GEMM region splits: into about qdq_task_count tasks, column pieces of
 * whole column blocks first (col_blocks of them: each task then widens and
 * streams one L2 block), then row pieces, and column groups finer than a
 * block only when there are too few blocks and rows for the threads. */
static void split_tasks(double work, size_t threads, size_t col_blocks, size_t groups, size_t blocks,
                        size_t* col_tasks, size_t* row_tasks) {
  const size_t want = qdq_task_count(work, threads, groups * blocks);
  size_t c = want < col_blocks ? want : col_blocks;
  size_t r = (want + c - 1) / c;
  if (r > blocks) r = blocks;
  if (c * r < want) {
    c = (want + r - 1) / r;
    if (c > groups) c = groups;
  }
  *col_tasks = c;
  *row_tasks = r;
}

/* Stages A through `stage` (one row of k int8 values at a time), split by
 * row blocks, then runs the microkernels over column blocks x row blocks
 * and the output stage, split by columns; both over the host's threads.
 * q8: the caller's int8 or uint8 A, which a split call may widen without
 * staging (raw, below), or NULL. */
static int gemm_execute(const struct gemm_job* g, stage_fn stage, const void* ctx, const struct q8_stage* q8) {
  const struct qdq_config* config = qdq_config();
  const size_t mr = config->qs8_gemm_mr;
  const size_t mr7 = config->qs8_gemm7 != NULL ? config->qs8_gemm7_mr : 0;
  const size_t mb = mr7 != 0 ? mr7 : mr; /* rows per block */
  const size_t tile_rows = mb > mr ? mb : mr;
  size_t nc = (QDQ_GEMM_BLOCK_BYTES / (g->kpad + sizeof(int32_t))) / NR * NR;
  if (nc < NR) nc = NR;
  if (nc > round_up(g->n, NR)) nc = round_up(g->n, NR);
  const size_t groups = (g->n + NR - 1) / NR, blocks = (g->m + mb - 1) / mb;
  const double work = (double) g->m * (double) g->n * (double) g->k;
  const size_t threads = qdq_parallel_tasks(work, groups * blocks, QDQ_SPLIT_KERNELS);
  size_t col_tasks, row_tasks;
  split_tasks(work, threads, (g->n + nc - 1) / nc, groups, blocks, &col_tasks, &row_tasks);
  /* Weights widened to int16 once per column block pay for themselves when
   * enough row blocks reuse them: measured a loss at 4 blocks (m = 16,
   * k = n = 1024), a gain of ~12% at 32 and more (docs/gemm.md, "xw"). The
   * decision depends on m only, never on the thread count. The xw kernel's
   * 4 rows are the row block (mb), packed as it reads them. (m > 4 mb > 1:
   * workspace_alloc gives such calls a16.) */
  const int xw = xw_kernels(config) && g->m > 4 * mb;
  const double a16_copy_bytes = (double) round_up(g->m, 4) * (double) g->kpad * sizeof(int16_t);
  const size_t a16_copies = xw && threads > 1 && a16_copy_bytes <= QDQ_GEMM_PRIVATE_A16_BYTES &&
                                    a16_copy_bytes * (double) threads <= QDQ_GEMM_SHARED_WX_BYTES
                                ? threads
                                : 1;
  int any_zb = 0;
  for (size_t j = 0; j < g->n; j++) any_zb |= g->zb[j] != 0;
  /* With copies of their own, int8 or uint8 activations need no staging
   * when nothing reads the int8 rows (no row sums for a weight zero point,
   * no 7-bit blocks): each thread widens the input into its copy at its
   * first GEMM task (widen_copy), with no region before the GEMM's. The
   * relaxed build's 7-bit blocks need staged rows (shifted by their minimum,
   * G7), so there a short serial scan of the input decides (no_block_fits7:
   * a few bytes a block for full-range rows); with no block fitting, every
   * block runs the kernels the staging would have chosen (run.mr7 below).
   * The staging region and its join took 7-8 + 9 us at 128x768x768 on
   * Node 20, 17-38 and 40-103 at 128x768x768 and 512^3 on Node 22, two
   * threads (bench/probes/split-gap.js). */
  const int raw = q8 != NULL && a16_copies > 1 && !any_zb &&
                  (mr7 == 0 || no_block_fits7(q8, g->m, mr7, g->m * g->k / 16 + g->k));
  struct gemm_workspace ws;
  int error;
  void* base = workspace_alloc(g, tile_rows, nc, threads, a16_copies, &ws, &error);
  if (base == NULL) return error;
  /* Staging is per row block, so it splits over row blocks; a staged
   * element costs about 32 int8 multiply-adds of the GEMM (bench/threads.js
   * --staging: 3.5 ns against 0.1 ns). */
  const double stage_work = 32.0 * (double) g->m * (double) g->k;
  const size_t stage_threads = qdq_parallel_tasks(stage_work, blocks, QDQ_SPLIT_KERNELS);
  const size_t group_elems = widened_group_elems(g->kpad);
  /* All the weights widened fit one shared buffer (else one block per thread;
   * one thread, which needs no shared copy, always). */
  const int wx_fits = (double) groups * (double) group_elems * sizeof(int16_t) <= QDQ_GEMM_SHARED_WX_BYTES;
  int16_t* wx_all = NULL;
  if (xw && g->kept != NULL) {
    /* Kept with the weights: nothing to widen, whatever its size (the GEMM
     * only reads a shared wx, so the cast drops no promise). */
    wx_all = (int16_t*) g->kept;
  } else if (xw && wx_fits && threads > 1) {
    wx_all = malloc(groups * group_elems * sizeof(int16_t) + groups * sizeof(uint32_t));
    if (wx_all == NULL) {
      free(base);
      return QDQ_ERROR_OUT_OF_MEMORY;
    }
  }
  struct stage_run sr = {.g = g,
                         .ws = &ws,
                         .stage = stage,
                         .ctx = ctx,
                         .mr7 = mr7,
                         .mb = mb,
                         .any_zb = any_zb,
                         .pack_a16 = xw,
                         .tasks = qdq_task_count(stage_work, stage_threads, blocks)};
  /* The shared copy is widened in the GEMM region, each column group by the
   * first row block that reads it (xw_first_rows): none taken yet. */
  uint32_t* wx_state = NULL;
  if (wx_all != NULL && wx_all != g->kept) {
    wx_state = (uint32_t*) (wx_all + groups * group_elems);
    memset(wx_state, 0, groups * sizeof(uint32_t));
  }
  if (raw) {
    /* What output_tile reads of the staging: no G3 row terms. */
    memset(ws.rs, 0, g->m * sizeof(int32_t));
    memset(ws.shift, 0, g->m * sizeof(int32_t));
  } else {
    qdq_parallelize(stage_task, &sr, sr.tasks, stage_threads);
    memset(ws.a + g->m * g->kpad, 0, QDQ_EXTRA_BYTES);
  }
  if (ws.a16 != NULL && a16_copies == 1) {
    const size_t end = (xw ? round_up(g->m, 4) : g->m) * g->kpad;
    for (size_t i = 0; i < QDQ_EXTRA_BYTES / 2; i++) ws.a16[end + i] = 0;
  }
  int colcorr_zero = 1;
  const uint32_t d = (uint32_t) g->za - (uint32_t) g->za0;
  for (size_t j = 0; j < g->n; j++) {
    ws.colcorr[j] = (int32_t) (d * ((uint32_t) g->k * (uint32_t) g->zb[j] - (uint32_t) g->cs[j]));
    colcorr_zero &= ws.colcorr[j] == 0;
  }

  size_t wx_block[QDQ_MAX_THREADS];
  uint8_t a16_ready[QDQ_MAX_THREADS] = {0};
  qdq_affine_span spans[QDQ_GEMM_BANDS * QDQ_MAX_THREADS];
  struct gemm_run run = {.g = g,
                         .ws = &ws,
                         .mr = mr,
                         .mr7 = raw ? 0 : mr7, /* raw: no block runs the 7-bit kernel */
                         .mb = mb,
                         .nc = nc,
                         .tile_stride = nc,
                         .col_tasks = col_tasks,
                         .row_tasks = row_tasks,
                         .bands = 1,
                         .parts = threads,
                         .spans = spans,
                         .any_zb = any_zb,
                         .wx = NULL,
                         .wx_elems = 0,
                         .wx_block = wx_block,
                         .wx_shared = wx_all != NULL,
                         .wx_state = wx_state,
                         .tile_ints = tile_rows * nc,
                         /* G3's terms are all zero: the activation zero point is the one
                          * folded in (u8 activations at 128 on weights packed for them), no
                          * weight zero point, and no row shift outside 7-bit blocks. */
                         .direct = g->y_kind == QDQ_GEMM_OUT_INT32 && colcorr_zero && !any_zb,
                         .a16_ready = a16_copies > 1 ? a16_ready : NULL,
                         .raw = raw ? q8 : NULL};
  if (wx_all != NULL) {
    run.wx = wx_all;
  } else if (xw) {
    run.wx_elems = (nc / NR) * group_elems;
    size_t wx_bytes;
    if (qdq_mul_overflows(run.wx_elems * sizeof(int16_t), threads, &wx_bytes)) {
      free(base);
      return QDQ_ERROR_SIZE_OVERFLOW;
    }
    run.wx = malloc(wx_bytes);
    if (run.wx == NULL) {
      free(base);
      return QDQ_ERROR_OUT_OF_MEMORY;
    }
  }
  for (size_t t = 0; t < threads; t++) wx_block[t] = SIZE_MAX;
  /* With weights widened once for the call (shared), bands cost no widening,
   * and the host can copy out each finished band's rows while the later
   * bands run. Otherwise a thread's widened block follows its tasks, which
   * one band keeps on a column block for longest; so do kept weights beyond
   * QDQ_GEMM_SHARED_WX_BYTES, which every band would stream again (64 x
   * 2048 x 2048 on one thread: 0.965x widening them per call, with bands). */
  uint32_t marks[2 * QDQ_GEMM_BANDS];
  run.bands = run.wx_shared && row_tasks > 1 && wx_fits ? (row_tasks < QDQ_GEMM_BANDS ? row_tasks : QDQ_GEMM_BANDS) : 1;
  const size_t y_bytes = g->y_kind == QDQ_GEMM_OUT_INT32 || g->y_kind == QDQ_GEMM_OUT_FLOAT ? 4 : 1;
  for (size_t b = 0; b < run.bands; b++) {
    size_t r0, r1, b1, unused;
    qdq_part_range(row_tasks, b, run.bands, &r0, &r1);
    qdq_part_range(blocks, r1 - 1, row_tasks, &unused, &b1);
    const size_t rows = b1 * mb < g->m ? b1 * mb : g->m;
    marks[2 * b] = (uint32_t) (col_tasks * r1);
    marks[2 * b + 1] = (uint32_t) (rows * g->n * y_bytes);
    qdq_affine_split(spans + b * threads, threads, col_tasks, r1 - r0);
  }
  qdq_parallelize_marked(gemm_task, &run, col_tasks * row_tasks, threads, marks, run.bands > 1 ? run.bands : 0);
  if (run.wx != g->kept) free(run.wx);
  free(base);
  return 0;
}

/* Reads the packed trailer: cs[n], zb[n], za0, kept. */
static void job_from_packed(struct gemm_job* g, size_t m, size_t n, size_t k, const void* packed) {
  g->m = m;
  g->n = n;
  g->k = k;
  g->kpad = round_up(k, qdq_config()->qs8_gemm_kr);
  g->packed = (const uint8_t*) packed;
  g->cs = (const int32_t*) (g->packed + round_up(n, NR) * (sizeof(int32_t) + g->kpad));
  g->zb = g->cs + n;
  g->za0 = g->zb[n];
  const uint32_t kept = (uint32_t) g->zb[n + 1];
  g->kept = kept != 0 ? (const int16_t*) (g->packed + kept) : NULL;
}

size_t qdq_qs8_gemm_widened_size(size_t n, size_t k) {
  const struct qdq_config* config = qdq_config();
  size_t groups, kpad, elems, bytes;
  if (!xw_kernels(config) || qdq_round_up_overflows(n, NR, &groups) ||
      qdq_round_up_overflows(k, config->qs8_gemm_kr, &kpad) || qdq_mul_overflows(kpad, NR, &elems) ||
      qdq_add_overflows(elems, NR * sizeof(int32_t) / sizeof(int16_t), &elems) ||
      qdq_mul_overflows(groups / NR, elems, &elems) || qdq_mul_overflows(elems, sizeof(int16_t), &bytes) ||
      qdq_add_overflows(bytes, 15, &bytes)) {
    return 0;
  }
  return bytes;
}

int qdq_qs8_gemm_keep_widened(size_t n, size_t k, void* packed) {
  if (qdq_qs8_gemm_widened_size(n, k) == 0) return 0;
  const size_t base = qdq_qs8_gemm_packed_size(n, k);
  struct gemm_job g;
  job_from_packed(&g, 0, n, k, packed);
  /* The copy starts 16-aligned in memory: the kernels load it in vectors. */
  const size_t at = base + ((16 - ((uintptr_t) packed + base) % 16) % 16);
  qdq_qs8_gemm_widen_w((n + NR - 1) / NR, g.kpad, packed, (uint8_t*) packed + at);
  /* kept, the trailer's last word after zb[n] and za, where job_from_packed reads it (the job's
   * pointers are const for the operators; this is the one writer). */
  *(int32_t*) (g.zb + n + 1) = (int32_t) (uint32_t) at;
  return 0;
}

static void stage_q8(const void* ctx, size_t i, int8_t* restrict row) {
  const struct q8_stage* s = ctx;
  /* k in a local: an int8 store may alias s->k, and reloading it each
   * iteration kept LLVM from vectorizing the loop (1.6 ns per element). */
  const size_t k = s->k;
  const uint8_t* restrict src = s->a + i * k;
  if (s->flip == 0) {
    memcpy(row, src, k);
  } else {
    for (size_t l = 0; l < k; l++) row[l] = (int8_t) (src[l] ^ 0x80);
  }
}

int qdq_qs8_gemm(size_t m, size_t n, size_t k, const void* a, uint32_t a_flags,
                 int32_t a_zero_point, const void* packed, void* y, uint32_t y_kind,
                 const float* multipliers, const float* bias, int32_t y_zero_point,
                 int32_t y_min, int32_t y_max) {
  if (k > QDQ_GEMM_MAX_K) return QDQ_ERROR_K_TOO_LARGE;
  /* k = 0 is rejected by js/ (ONNX gives zeros; nothing here needs it). */
  if (m == 0 || n == 0 || k == 0) return 0;
  struct gemm_job g;
  job_from_packed(&g, m, n, k, packed);
  const int uint8 = (a_flags & QDQ_FLAG_UINT8) != 0;
  g.za = uint8 ? a_zero_point - 128 : a_zero_point;
  g.y_kind = y_kind;
  g.y = y;
  g.mult = multipliers;
  g.bias = bias;
  g.yzp = y_zero_point;
  g.ymin = y_min;
  g.ymax = y_max;
  const struct q8_stage s = {(const uint8_t*) a, k, uint8 ? 0x80 : 0};
  return gemm_execute(&g, stage_q8, &s, &s);
}

struct f32_stage {
  const float* x;
  size_t k;
  struct qdq_f32_q8_cvt_params p;
  qdq_f32_qs8_vcvt_fn cvt;
};

static void stage_f32(const void* ctx, size_t i, int8_t* row) {
  const struct f32_stage* s = ctx;
  s->cvt(s->k * sizeof(float), s->x + i * s->k, row, &s->p);
}

void qdq_dynamic_qparams(float min, float max, uint32_t flags, float* out) {
  const int32_t qmin = 0, qmax = (flags & QDQ_FLAG_REDUCE_RANGE) ? 127 : 255;
  min = min < 0.0f ? min : 0.0f;
  max = max > 0.0f ? max : 0.0f;
  if (flags & QDQ_FLAG_ONNX_QPARAMS) {
    /* onnxruntime GetQuantizationParameter (DynamicQuantizeLinear), in float. */
    const float scale = max == min ? 1.0f : (max - min) / (float) (qmax - qmin);
    float zp = (float) qmin - min / scale;
    zp = zp < (float) qmin ? (float) qmin : zp > (float) qmax ? (float) qmax : zp;
    out[0] = scale;
    out[1] = nearbyintf(zp);
    return;
  }
  /* torch 1.13 quant_utils::ChooseQuantizationParams, without sparsity
   * (src/operators/choose-qparams.c, shared with QAT's fake-quantize). */
  float scale;
  int32_t zp;
  qdq_choose_qparams(1, &min, &max, qmin, qmax, 0, &scale, &zp);
  out[0] = scale;
  out[1] = (float) zp;
}

long qdq_dynamic_linear(size_t m, size_t n, size_t k, const float* x, const void* packed,
                        const float* w_scales, const float* bias, float* y, uint32_t flags,
                        float* qparams_out) {
  const struct qdq_config* config = qdq_config();
  if (k > QDQ_GEMM_MAX_K) return QDQ_ERROR_K_TOO_LARGE;
  float lo = INFINITY, hi = -INFINITY;
  size_t elems, bytes;
  if (qdq_mul_overflows(m, k, &elems) || qdq_mul_overflows(elems, sizeof(float), &bytes)) {
    return QDQ_ERROR_SIZE_OVERFLOW;
  }
  if (elems != 0 && (flags & QDQ_FLAG_INPUT_STREAMED)) {
    /* On every thread the host has, as the GEMM after it. A zero extreme's
     * sign cannot matter: the range goes through min(0, lo) and max(0, hi). */
    long bad;
    const int error = qdq_streamed_range(x, elems, SIZE_MAX, &lo, &hi, &bad);
    if (error != 0) return error;
    if (bad >= 0) return 1 + bad;
  } else if (elems != 0) {
    /* qdq_minmax, on the calling thread (its work weight is 0; a split, as the
     * suites force, gives the one-call fold's range: statistics.c). */
    const long bad = qdq_minmax(x, elems, 0, 1, elems, &lo, &hi);
    if (bad >= 0) return 1 + bad;
  } else {
    lo = hi = 0.0f;
  }
  float qp[2];
  qdq_dynamic_qparams(lo, hi, flags, qp);
  if (qparams_out != NULL) {
    qparams_out[0] = qp[0];
    qparams_out[1] = qp[1];
  }
  if (m == 0 || n == 0 || k == 0) return 0;
  const int32_t zp = (int32_t) qp[1];
  const int32_t qmax = (flags & QDQ_FLAG_REDUCE_RANGE) ? 127 : 255;
  float* mult = malloc(n * sizeof(float));
  if (mult == NULL) return QDQ_ERROR_OUT_OF_MEMORY;
  /* G8: PyTorch's requantization scale weight_scale * input_scale, in float. */
  for (size_t j = 0; j < n; j++) mult[j] = w_scales[j] * qp[0];
  struct gemm_job g;
  job_from_packed(&g, m, n, k, packed);
  g.za = zp - 128;
  g.y_kind = QDQ_GEMM_OUT_FLOAT;
  g.y = y;
  g.mult = mult;
  g.bias = bias;
  g.yzp = g.ymin = g.ymax = 0;
  struct f32_stage s;
  s.x = x;
  s.k = k;
  s.cvt = config->f32_qs8_vcvt;
  /* Quantize straight into the int8 domain: uint8 q - 128, so zero point and
   * bounds shift by -128 (E5 in the shifted range is the same rounding). */
  qdq_init_f32_q8_cvt_params(&s.p, qp[0], zp - 128, -128, qmax - 128,
                             (flags & QDQ_FLAG_ONNX_QPARAMS) != 0);
  const int r = gemm_execute(&g, stage_f32, &s, NULL);
  free(mult);
  return r;
}

struct f32_gemm_run {
  size_t m, n, k, nc, mr, tasks;
  const float* a;
  const float* packed;
  float* y;
};

/* Task t computes the column groups of NR [groups * t / tasks,
 * groups * (t + 1) / tasks) for every row, with the kernels of the
 * single-threaded path: each output depends on its own column only. */
static void f32_gemm_task(void* ctx, size_t task, size_t thread) {
  (void) thread;
  const struct f32_gemm_run* r = ctx;
  const struct qdq_config* config = qdq_config();
  size_t j_begin, j_end;
  qdq_task_columns(r->n, NR, task, r->tasks, &j_begin, &j_end);
  for (size_t j0 = j_begin; j0 < j_end; j0 += r->nc) {
    const size_t nb = j_end - j0 < r->nc ? j_end - j0 : r->nc;
    const float* w = r->packed + (j0 / NR) * NR * (r->k + 1);
    for (size_t i0 = 0; i0 < r->m; i0 += r->mr) {
      const size_t rows = r->m - i0 < r->mr ? r->m - i0 : r->mr;
      (rows == 1 ? config->f32_gemm1 : config->f32_gemm)(rows, nb, r->k * sizeof(float),
                                                          r->a + i0 * r->k, r->k * sizeof(float), w,
                                                          r->y + i0 * r->n + j0, r->n * sizeof(float));
    }
  }
}

int qdq_f32_gemm(size_t m, size_t n, size_t k, const float* a, const void* packed, float* y) {
  const struct qdq_config* config = qdq_config();
  if (m == 0 || n == 0 || k == 0) return 0;
  /* Column blocks whose packed weights stay in L2 while all rows pass. */
  size_t nc = (QDQ_GEMM_BLOCK_BYTES / ((k + 1) * sizeof(float))) / NR * NR;
  if (nc < NR) nc = NR;
  struct f32_gemm_run run = {m, n, k, nc, config->f32_gemm_mr, 1, a, (const float*) packed, y};
  /* A float multiply-add costs about as much as four int8 ones here. Tasks of ~QDQ_TASK_WORK
   * each, handed out in order, so that a late or slowed thread takes fewer (T1). */
  size_t threads;
  run.tasks = qdq_column_tasks(4.0 * (double) m * (double) n * (double) k, (n + NR - 1) / NR, &threads);
  qdq_parallelize(f32_gemm_task, &run, run.tasks, threads);
  return 0;
}
