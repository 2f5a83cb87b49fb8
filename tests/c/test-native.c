/*
 * Native unit tests, built by build.sh with gcc under ASan and UBSan.
 * They pin the reference semantics on exact cases and check that every
 * scalar kernel (the native build's dispatch) agrees with the reference on
 * random inputs of every length 0..67, with guard bytes around each buffer.
 * Prints "N passed, N failed" and exits non-zero on any failure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "operators/streamed-range.h"
#include "qdq.h"
#include "check.h"

static int passed, failed;


static uint32_t rng = 12345u;
static float rand_float(float scale) {
  rng = rng * 1664525u + 1013904223u;
  return ((float) (rng >> 8) / 16777216.0f - 0.5f) * scale;
}

/* Property: exact .5 ties round to even, +-Inf saturate, NaN maps to the zero point. */
static void test_reference_rounding(void) {
  struct qdq_f32_q8_cvt_params p;
  qdq_init_f32_q8_cvt_params(&p, 0.5f, 3, -128, 127, 1);
  CHECK(qdq_reference_quantize_value(0.25f, &p) == 3, "0.25/0.5 = 0.5 -> 0 (+3)");
  CHECK(qdq_reference_quantize_value(0.75f, &p) == 5, "0.75/0.5 = 1.5 -> 2 (+3)");
  CHECK(qdq_reference_quantize_value(-0.25f, &p) == 3, "-0.5 -> -0 (+3)");
  CHECK(qdq_reference_quantize_value(-0.75f, &p) == 1, "-1.5 -> -2 (+3)");
  CHECK(qdq_reference_quantize_value(INFINITY, &p) == 127, "+inf -> qmax");
  CHECK(qdq_reference_quantize_value(-INFINITY, &p) == -128, "-inf -> qmin");
  CHECK(qdq_reference_quantize_value(NAN, &p) == 3, "NaN -> zero point");
  CHECK(qdq_reference_quantize_value(1e30f, &p) == 127, "huge -> qmax");
  CHECK(qdq_reference_quantize_value(-0.0f, &p) == 3, "-0 -> zero point");
  uint8_t m;
  CHECK(qdq_reference_fake_quantize_value(100.0f, &p, &m) == 62.0f && m == 0, "fake clamps, mask 0");
  CHECK(qdq_reference_fake_quantize_value(1.0f, &p, &m) == 1.0f && m == 1, "fake exact, mask 1");
  CHECK(qdq_reference_fake_quantize_value(NAN, &p, &m) == 0.0f && m == 0, "fake NaN -> 0, mask 0");
}

/* Property: the article's 2x3 example, per tensor, int8, as torch 1.13 gives it. */
static void test_article_example(void) {
  const float mins[1] = {1.0f}, maxs[1] = {6.0f};
  float scale;
  int32_t zp;
  qdq_calculate_qparams(1, mins, maxs, -128, 127, 0, 1.1920928955078125e-07f, &scale, &zp, NULL);
  CHECK(scale == 6.0f / 255.0f && zp == -128, "scale %.9g zp %d", scale, zp);
  const float x[6] = {1, 2, 3, 4, 5, 6};
  const int8_t want[6] = {-86, -43, 0, 42, 84, 127};
  int8_t q[6];
  qdq_quantize(x, q, 6, 0, 1, 6, &scale, &zp, -128, 127, QDQ_FLAG_PYTORCH);
  CHECK(memcmp(q, want, 6) == 0, "q = %d %d %d %d %d %d", q[0], q[1], q[2], q[3], q[4], q[5]);
  /* Per channel on axis 0: channels of 3 elements. */
  const float cmins[2] = {1, 4}, cmaxs[2] = {3, 6};
  float cscales[2];
  int32_t czps[2];
  qdq_calculate_qparams(2, cmins, cmaxs, -128, 127, 0, 1.1920928955078125e-07f, cscales, czps, NULL);
  CHECK(cscales[0] == 3.0f / 255.0f && cscales[1] == 6.0f / 255.0f && czps[0] == -128 && czps[1] == -128,
        "per-channel qparams");
  const int8_t cwant[6] = {-43, 42, 127, 42, 84, 127};
  qdq_quantize(x, q, 6, 0, 2, 3, cscales, czps, -128, 127, QDQ_FLAG_PYTORCH);
  CHECK(memcmp(q, cwant, 6) == 0, "per-channel q");
}

/* Property: qparams edge cases follow E1-E4. */
static void test_qparams_edges(void) {
  const float eps = 1.1920928955078125e-07f;
  const float mins[3] = {0.0f, INFINITY, -2.0f}, maxs[3] = {0.0f, -INFINITY, 1.0f};
  float s[3];
  int32_t z[3];
  qdq_calculate_qparams(3, mins, maxs, -128, 127, 0, eps, s, z, NULL);
  CHECK(s[0] == eps && z[0] == -128, "all zero: eps, qmin");
  CHECK(s[1] == 1.0f && z[1] == 0, "unobserved: 1, 0");
  CHECK(s[2] == 3.0f / 255.0f, "affine scale");
  qdq_calculate_qparams(3, mins, maxs, 0, 255, QDQ_QPARAMS_SYMMETRIC | QDQ_QPARAMS_UINT8, eps, s, z, NULL);
  CHECK(s[2] == 2.0f / 127.5f && z[2] == 128, "symmetric uint8: scale %.9g zp %d", s[2], z[2]);
  /* Without E1 the article's range [1, 6] needs zero point -179: outside int8. */
  const float amin[1] = {1.0f}, amax[1] = {6.0f};
  int32_t zu;
  qdq_calculate_qparams(1, amin, amax, -128, 127, QDQ_QPARAMS_RAW_RANGE, eps, s, z, &zu);
  CHECK(s[0] == 5.0f / 255.0f && zu == -179 && z[0] == -128, "raw range: scale %.9g zp %d (clamped %d)", s[0], zu, z[0]);
}

/* Property: qdq_choose_qparams follows torch 1.13's ChooseQuantizationParams
 * step by step (E12). Expected values are torch's (FusedMovingAvgObsFakeQuantize
 * after one batch, whose running min/max are the batch's). */
static void test_choose_qparams(void) {
  float s[2];
  int32_t z[2];
  /* Symmetric with a custom range: max_scale = max(|min / -128|, |max / 127|)
   * divides in float. In double the scale would be 0.031530048698186874. */
  const float mins[1] = {-1.4971684217453003f}, maxs[1] = {3.9886128902435303f};
  qdq_choose_qparams(1, mins, maxs, -127, 127, QDQ_CHOOSE_PRESERVE_SPARSITY, s, z);
  CHECK(s[0] == 0.031530044972896576f && z[0] == 0, "custom symmetric: scale %.17g zp %d", s[0], z[0]);
  const double in_double = fmax(fabs(mins[0] / -128.0), fabs(maxs[0] / 127.0));
  CHECK((float) (((double) (float) (in_double * 127) - (float) (in_double * -128)) / 254) != s[0],
        "the double division gives another scale");
  /* Subnormal min and max: both float quotients underflow, the range becomes
   * [-0, 0], the scale 0.1, and the zero point comes from max (127), not the
   * symmetric middle, because torch tests min < 0 < max again. */
  const float sub = 1.40129846e-45f;
  const float smin[2] = {-sub, -1e-40f}, smax[2] = {3 * sub, 1e-40f};
  qdq_choose_qparams(2, smin, smax, -128, 127, QDQ_CHOOSE_PRESERVE_SPARSITY, s, z);
  CHECK(s[0] == 0.1f && z[0] == 127, "collapsed symmetric range: scale %.9g zp %d", s[0], z[0]);
  CHECK(s[1] == 0.1f && z[1] == 0, "tiny symmetric range: scale %.9g zp %d", s[1], z[1]);
  /* Affine uint8 [-1, 3]: scale 4/255 in double, zp round(255 / 4) = 64. */
  const float amin[1] = {-1.0f}, amax[1] = {3.0f};
  qdq_choose_qparams(1, amin, amax, 0, 255, 0, s, z);
  CHECK(s[0] == (float) (4.0 / 255.0) && z[0] == 64, "affine: scale %.9g zp %d", s[0], z[0]);
  /* Small scale: [0, 1e-3] over 255 steps is under 6.1e-5f: scale 6.1e-5f. */
  const float tmin[1] = {0.0f}, tmax[1] = {1e-3f};
  qdq_choose_qparams(1, tmin, tmax, 0, 255, 0, s, z);
  CHECK(s[0] == 6.1e-5f && z[0] == 0, "small scale: %.9g zp %d", s[0], z[0]);
  /* A 1-step symmetric range: torch raises (scale NaN); here NaN and qmin. */
  const float one_min[1] = {-1.0f}, one_max[1] = {1.0f};
  qdq_choose_qparams(1, one_min, one_max, 0, 1, QDQ_CHOOSE_PRESERVE_SPARSITY, s, z);
  CHECK(isnan(s[0]) && z[0] == 0, "1-step symmetric range: scale %.9g zp %d", s[0], z[0]);
}

/* Every scalar kernel agrees with the reference; no write outside its buffer. */
static void test_kernels_vs_reference(void) {
  const struct qdq_config* config = qdq_config();
  enum { GUARD = 16, MAXN = 68 };
  for (size_t n = 0; n < MAXN; n++) {
    for (int trial = 0; trial < 8; trial++) {
      float x[MAXN];
      for (size_t i = 0; i < n; i++) x[i] = rand_float(trial < 4 ? 300.0f : 3.0f);
      if (n > 3) { x[0] = INFINITY; x[1] = -INFINITY; x[2] = NAN; x[3] = 0.5f; }
      const float scale = trial % 2 ? 0.5f : 0.0123f;
      const int32_t zp_s8 = (int32_t) (trial * 13) - 50, zp_u8 = trial * 31;
      const int divide = trial % 3 != 0;
      struct qdq_f32_q8_cvt_params ps, pu;
      qdq_init_f32_q8_cvt_params(&ps, scale, zp_s8, -128, 127, divide);
      qdq_init_f32_q8_cvt_params(&pu, scale, zp_u8, 0, 255, divide);

      int8_t ys[MAXN + GUARD], ws[MAXN];
      memset(ys, 0x5A, sizeof ys);
      config->f32_qs8_vcvt(n * sizeof(float), x, ys, &ps);
      qdq_reference_f32_qs8_vcvt(n, x, ws, &ps);
      CHECK(memcmp(ys, ws, n) == 0 && ys[n] == 0x5A, "f32_qs8_vcvt n=%zu trial=%d", n, trial);

      uint8_t yu[MAXN + GUARD], wu[MAXN];
      memset(yu, 0x5A, sizeof yu);
      config->f32_qu8_vcvt(n * sizeof(float), x, yu, &pu);
      qdq_reference_f32_qu8_vcvt(n, x, wu, &pu);
      CHECK(memcmp(yu, wu, n) == 0 && yu[n] == 0x5A, "f32_qu8_vcvt n=%zu trial=%d", n, trial);

      struct qdq_q8_f32_cvt_params ds, du;
      qdq_init_q8_f32_cvt_params(&ds, scale, zp_s8);
      qdq_init_q8_f32_cvt_params(&du, scale, zp_u8);
      float f[MAXN + GUARD], w[MAXN];
      memset(f, 0x5A, sizeof f);
      config->qs8_f32_vcvt(n, ws, f, &ds);
      qdq_reference_qs8_f32_vcvt(n, ws, w, &ds);
      CHECK(memcmp(f, w, n * sizeof(float)) == 0, "qs8_f32_vcvt n=%zu", n);
      config->qu8_f32_vcvt(n, wu, f, &du);
      qdq_reference_qu8_f32_vcvt(n, wu, w, &du);
      CHECK(memcmp(f, w, n * sizeof(float)) == 0, "qu8_f32_vcvt n=%zu", n);

      uint8_t m[MAXN + GUARD], wm[MAXN];
      memset(m, 0x5A, sizeof m);
      config->f32_vfakequant(n * sizeof(float), x, f, m, &ps);
      qdq_reference_f32_vfakequant(n, x, w, wm, &ps);
      CHECK(memcmp(f, w, n * sizeof(float)) == 0 && memcmp(m, wm, n) == 0 && m[n] == 0x5A,
            "f32_vfakequant n=%zu trial=%d", n, trial);

      float lo = INFINITY, hi = -INFINITY, rlo = INFINITY, rhi = -INFINITY;
      const long bad = config->f32_rminmax(n * sizeof(float), x, &lo, &hi);
      const long rbad = qdq_reference_f32_rminmax(n, x, &rlo, &rhi);
      CHECK(bad == rbad && (bad >= 0 || (lo == rlo && hi == rhi)), "f32_rminmax n=%zu", n);
    }
  }
}

/* Operators walk [outer, channels, inner] in chunks: every element gets its
 * channel's parameters, whatever the chunking, and nothing touches memory
 * outside exact-size heap buffers (ASan watches). */
static void test_operators_chunked(void) {
  for (int trial = 0; trial < 300; trial++) {
    rng = rng * 1664525u + 1013904223u;
    const size_t outer = 1 + (rng >> 8) % 4, channels = 1 + (rng >> 12) % 9, inner = 1 + (rng >> 16) % 40;
    const size_t n = outer * channels * inner;
    float* x = malloc(n * sizeof(float));
    float* y = malloc(n * sizeof(float));
    float* xh = malloc(n * sizeof(float));
    int8_t* q = malloc(n);
    uint8_t* mask = malloc(n);
    float* scales = malloc(channels * sizeof(float));
    int32_t* zps = malloc(channels * sizeof(int32_t));
    float* mins = malloc(channels * sizeof(float));
    float* maxs = malloc(channels * sizeof(float));
    double* acc = calloc(3 * channels, sizeof(double));
    for (size_t i = 0; i < n; i++) x[i] = rand_float(8.0f);
    for (size_t c = 0; c < channels; c++) {
      scales[c] = 0.01f + (float) c * 0.013f;
      zps[c] = (int32_t) c * 7 - 20;
      mins[c] = INFINITY;
      maxs[c] = -INFINITY;
    }
    const uint32_t flags = trial % 2 ? QDQ_FLAG_PYTORCH : 0;
    /* Irregular chunks, as js/ streams them (there: fixed size; here: random). */
    for (size_t start = 0; start < n;) {
      rng = rng * 1664525u + 1013904223u;
      size_t len = 1 + (rng >> 10) % 50;
      if (len > n - start) len = n - start;
      qdq_quantize(x + start, q + start, len, start, channels, inner, scales, zps, -128, 127, flags);
      qdq_dequantize(q + start, y + start, len, start, channels, inner, scales, zps, 0);
      qdq_fake_quantize(x + start, xh + start, mask + start, len, start, channels, inner, scales, zps, -128, 127, flags);
      CHECK(qdq_minmax(x + start, len, start, channels, inner, mins, maxs) == -1, "minmax finite");
      qdq_error_stats(x + start, y + start, len, start, channels, inner, acc);
      start += len;
    }
    int bad = 0;
    double sse[16] = {0};
    for (size_t i = 0; i < n; i++) {
      const size_t c = (i / inner) % channels;
      struct qdq_f32_q8_cvt_params p;
      qdq_init_f32_q8_cvt_params(&p, scales[c], zps[c], -128, 127, !(flags & QDQ_FLAG_PYTORCH));
      struct qdq_q8_f32_cvt_params d;
      qdq_init_q8_f32_cvt_params(&d, scales[c], zps[c]);
      uint8_t m;
      const float fq = qdq_reference_fake_quantize_value(x[i], &p, &m);
      const int32_t want = qdq_reference_quantize_value(x[i], &p);
      bad += q[i] != want || y[i] != qdq_reference_dequantize_value(want, &d) || xh[i] != fq || mask[i] != m;
      bad += x[i] < mins[c] || x[i] > maxs[c];
      sse[c] += ((double) x[i] - y[i]) * ((double) x[i] - y[i]);
    }
    /* The operator sums each run, then adds the run to acc: another order of
     * the same double additions, so equal to ~1e-15 relative, not bit for bit. */
    for (size_t c = 0; c < channels; c++) bad += fabs(acc[3 * c] - sse[c]) > 1e-9 * (1.0 + sse[c]);
    CHECK(bad == 0, "operators trial %d (outer %zu, channels %zu, inner %zu): %d mismatches", trial, outer, channels, inner, bad);
    free(x); free(y); free(xh); free(q); free(mask); free(scales); free(zps); free(mins); free(maxs); free(acc);
  }
}

void qdq_test_gemm(int* passed, int* failed);      /* tests/c/test-gemm.c */
void qdq_test_sizes(int* passed, int* failed);     /* tests/c/test-sizes.c */
void qdq_test_affine(int* passed, int* failed);    /* tests/c/test-affine.c */
void qdq_test_observers(int* passed, int* failed); /* tests/c/test-observers.c */
void qdq_test_nbits(int* passed, int* failed);     /* tests/c/test-nbits.c */
void qdq_test_train(int* passed, int* failed);     /* tests/c/test-train.c */


/* qdq_minmax_streamed folds what qdq_minmax folds with one channel, signed
 * zeros and the first non-finite index included, at any start, and
 * qdq_error_stats_streamed sums what qdq_error_stats sums, bit for bit (here
 * their one region runs in place, task after task). */
static void test_minmax_streamed(void) {
  const size_t max_n = 5 * 65536 + 777;
  float* x = malloc(max_n * sizeof(float));
  for (int trial = 0; trial < 40; trial++) {
    rng = rng * 1664525u + 1013904223u;
    const size_t n = trial == 0 ? 0 : 1 + (rng >> 8) % max_n;
    rng = rng * 1664525u + 1013904223u;
    const size_t start = trial % 3 == 0 ? ((rng >> 8) % 64) * 16384 : (rng >> 8) % 1000000;
    for (size_t i = 0; i < n; i++) x[i] = trial % 4 == 1 ? (i % 3 == 0 ? -0.0f : 0.0f) : rand_float(5.0f);
    if (trial % 5 == 2 && n > 0) x[(rng >> 4) % n] = trial % 2 ? NAN : -INFINITY;
    /* One channel, then channels outermost and innermost (runs of 1 element); running ranges that
     * start as zeros of either sign, or empty. */
    const size_t layouts[3][2] = {{1, 1}, {1 + trial % 7, 1000 + 97 * (size_t) trial}, {3, 1}};
    for (int l = 0; l < 3; l++) {
      const size_t channels = layouts[l][0], inner = layouts[l][1];
      float lo1[7], hi1[7], lo2[7], hi2[7];
      for (size_t c = 0; c < 7; c++) {
        lo1[c] = lo2[c] = trial % 3 == 2 ? (c % 2 ? -0.0f : 0.0f) : INFINITY;
        hi1[c] = hi2[c] = trial % 3 == 2 ? (c % 2 ? 0.0f : -0.0f) : -INFINITY;
      }
      const long want = qdq_minmax(x, n, start, channels, inner, lo1, hi1);
      const long got = qdq_minmax_streamed(x, n, start, channels, inner, lo2, hi2);
      CHECK(got == want, "minmax streamed trial %d (n %zu, start %zu, channels %zu): index %ld, want %ld",
            trial, n, start, channels, got, want);
      if (want < 0) {
        CHECK(memcmp(lo1, lo2, sizeof lo1) == 0 && memcmp(hi1, hi2, sizeof hi1) == 0,
              "minmax streamed trial %d (n %zu, start %zu, channels %zu): [%g, %g], want [%g, %g]",
              trial, n, start, channels, lo2[0], hi2[0], lo1[0], hi1[0]);
      }
    }
    /* The error statistics against x shifted by a little, from a nonzero start. */
    float* x_hat = malloc((n + 1) * sizeof(float));
    for (size_t i = 0; i < n; i++) x_hat[i] = x[i] + (float) ((int) (i % 13) - 6) / 1024.0f;
    /* The same three layouts. */
    for (int l = 0; l < 3; l++) {
      const size_t channels = layouts[l][0], inner = layouts[l][1];
      double acc1[3 * 7], acc2[3 * 7];
      for (size_t i = 0; i < 3 * 7; i++) acc1[i] = acc2[i] = 0.25 * (double) i;
      CHECK(qdq_error_stats(x, x_hat, n, start, channels, inner, acc1) == 0, "error stats");
      CHECK(qdq_error_stats_streamed(x, x_hat, n, start, channels, inner, acc2) == 0, "error stats streamed");
      CHECK(memcmp(acc1, acc2, sizeof acc1) == 0, "error stats streamed trial %d (n %zu, start %zu, channels %zu, inner %zu): "
            "[%.17g %.17g %.17g], want [%.17g %.17g %.17g]", trial, n, start, channels, inner,
            acc2[0], acc2[1], acc2[2], acc1[0], acc1[1], acc1[2]);
    }
    free(x_hat);
  }
  float lo = INFINITY, hi = -INFINITY;
  CHECK(qdq_minmax_streamed(x, 64 * 65536 + 1, 0, 1, 1, &lo, &hi) == QDQ_ERROR_SIZE_OVERFLOW && lo == INFINITY,
        "minmax streamed: more than 64 blocks must be refused before reading");
  double acc[3] = {0, 0, 0};
  CHECK(qdq_error_stats_streamed(x, x, 64 * 65536 + 1, 0, 1, 1, acc) == QDQ_ERROR_SIZE_OVERFLOW && acc[0] == 0,
        "error stats streamed: more than 64 blocks must be refused before reading");
  free(x);
}

/* qdq_streamed_range's values and first non-finite index are the reference
 * fold's, across its 16 Ki-element blocks and tails, from running ranges of
 * either kind; and HistogramObserver fed that way (x streamed, here in
 * place) leaves the state qdq_histogram_observer_observe leaves otherwise
 * (the scalar kernel folds signed zeros in index order either way). */
static void test_streamed_range(void) {
  const size_t max_n = 3 * 16384 + 9;
  float* x = malloc(max_n * sizeof(float));
  for (int trial = 0; trial < 60; trial++) {
    rng = rng * 1664525u + 1013904223u;
    const size_t n = trial < 3 ? (size_t[]){1, 16384, 16385}[trial] : 1 + (rng >> 8) % max_n;
    for (size_t i = 0; i < n; i++) x[i] = trial % 4 == 1 ? (i % 3 == 0 ? -0.0f : 0.25f) : rand_float(5.0f);
    if (trial % 5 == 2) x[(rng >> 4) % n] = trial % 2 ? NAN : INFINITY;
    float lo1 = trial % 3 == 0 ? INFINITY : -1.0f, hi1 = trial % 3 == 0 ? -INFINITY : 1.0f;
    float lo2 = lo1, hi2 = hi1;
    long first = -2;
    const long want = qdq_reference_f32_rminmax(n, x, &lo1, &hi1);
    CHECK(qdq_streamed_range(x, n, 4, &lo2, &hi2, &first) == 0 && first == want,
          "streamed range trial %d (n %zu): index %ld, want %ld", trial, n, first, want);
    if (want < 0) {
      CHECK(lo1 == lo2 && hi1 == hi2, "streamed range trial %d (n %zu): [%g, %g], want [%g, %g]", trial, n, lo2, hi2, lo1, hi1);
    }
  }
  /* Two batches into a fresh state, the second growing the range: the same bytes both ways. */
  float a[2 + 64], b[2 + 64], scratch[64];
  const uint32_t seed = rng;
  for (int s = 0; s < 2; s++) {
    float* state = s == 0 ? a : b;
    rng = seed; /* the same batches both ways */
    memset(state, 0, sizeof a);
    state[0] = INFINITY;
    state[1] = -INFINITY;
    for (int batch = 0; batch < 2; batch++) {
      const size_t n = batch == 0 ? 40000 : 20001;
      for (size_t i = 0; i < n; i++) x[i] = rand_float(batch == 0 ? 3.0f : 7.0f);
      x[1] = -0.0f;
      CHECK(qdq_histogram_observer_observe(state, 64, 128, x, n, s == 0 ? 0 : QDQ_FLAG_INPUT_STREAMED, scratch) == 0,
            "histogram observe, batch %d", batch);
    }
  }
  CHECK(memcmp(a, b, sizeof a) == 0, "HistogramObserver streamed: the state differs");
  free(x);
}

int main(void) {
  check_counters(&passed, &failed);
  test_minmax_streamed();
  test_streamed_range();
  test_operators_chunked();
  test_reference_rounding();
  test_article_example();
  test_qparams_edges();
  test_choose_qparams();
  test_kernels_vs_reference();
  qdq_test_gemm(&passed, &failed);
  qdq_test_sizes(&passed, &failed);
  qdq_test_affine(&passed, &failed);
  qdq_test_observers(&passed, &failed);
  qdq_test_nbits(&passed, &failed);
  qdq_test_train(&passed, &failed);
  printf("native: %d passed, %d failed\n", passed, failed);
  return failed != 0;
}
