/*
 * Native tests of the histogram observer (src/f32-rhistc, src/operators/
 * histogram*.c, torch-sum.c) under ASan and UBSan: the binning kernel of this
 * build against the reference on every length 0..67 and a few large ones
 * (bit for bit, guard after the histogram), histc's edge rules, a hand-worked
 * combine, the error codes where torch raises, and the sum order. The torch
 * 1.13 fixtures run at the wasm level (tests/unit/observers-histogram.test.js).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "qdq.h"
#include "check.h"

void qdq_test_observers(int* passed, int* failed);



static uint32_t rng = 4242u;
static uint32_t next(void) {
  rng = rng * 1664525u + 1013904223u;
  return rng >> 8;
}
static float uniform(float lo, float hi) { return lo + (hi - lo) * (float) next() / 16777216.0f; }

/* Property: the build's kernel bins exactly as the reference, including
 * values on and outside the edges, NaN, infinities and -0, runs of one value,
 * into 1 or 4 interleaved copies, for every tail. */
static void test_kernel_vs_reference(void) {
  enum { MAXN = 4099, MAXBINS = 2048, MAXCOUNTS = MAXBINS * 4, GUARD = 8 };
  static float x[MAXN + QDQ_EXTRA_BYTES / 4], got[MAXCOUNTS + GUARD], want[MAXCOUNTS];
  const size_t bin_counts[] = {1, 7, 100, 2048};
  size_t lengths[68 + 3];
  for (size_t i = 0; i < 68; i++) lengths[i] = i;
  lengths[68] = 255, lengths[69] = 1000, lengths[70] = MAXN;
  for (size_t b = 0; b < 4; b++) {
    for (size_t li = 0; li < 71; li++) {
      const size_t n = lengths[li], bins = bin_counts[b];
      const float lo = uniform(-50.0f, 10.0f), hi = lo + uniform(0.001f, 60.0f);
      struct qdq_f32_histc_params p;
      qdq_init_f32_histc_params(&p, bins, lo, hi);
      p.copies = n % 2 ? 4 : 1;
      const size_t counts = bins * p.copies;
      for (size_t i = 0; i < n; i++) {
        const uint32_t r = next() % 40;
        x[i] = r == 0 ? p.left : r == 1 ? p.right : r == 2 ? NAN : r == 3 ? INFINITY
             : r == 4 ? -INFINITY : r == 5 ? -0.0f : r < 12 && i > 0 ? x[i - 1]
             : uniform(lo - 5.0f, hi + 5.0f);
      }
      for (size_t i = 0; i < counts + GUARD; i++) got[i] = i < counts ? (float) (i % 3) : -7.0f;
      for (size_t i = 0; i < counts; i++) want[i] = (float) (i % 3);
      qdq_config()->f32_rhistc(n * sizeof(float), x, got, &p);
      qdq_reference_f32_rhistc(n, x, want, &p);
      int guard_ok = 1;
      for (size_t i = counts; i < counts + GUARD; i++) guard_ok &= got[i] == -7.0f;
      CHECK(memcmp(got, want, counts * sizeof(float)) == 0 && guard_ok, "f32_rhistc n=%zu bins=%zu copies=%zu",
            n, bins, counts / bins);
    }
  }
}

/* Property: the build's collector binning kernel (src/f32-f64-rhist) counts
 * exactly as the reference, x and |x|, values on exact edges (an integer
 * first edge, width 1/8), below the first edge and past the last, NaN,
 * infinities and -0, for every tail, from counts that start at -0. */
static void test_calib_kernel_vs_reference(void) {
  enum { MAXN = 1000, MAXBINS = 100, GUARD = 8 };
  static float x[MAXN + QDQ_EXTRA_BYTES / 4];
  static double got[MAXBINS + GUARD], want[MAXBINS];
  size_t lengths[68 + 1];
  for (size_t i = 0; i < 68; i++) lengths[i] = i;
  lengths[68] = MAXN;
  for (uint32_t absolute = 0; absolute < 2; absolute++) {
    for (size_t li = 0; li < 69; li++) {
      const size_t n = lengths[li];
      const uint32_t bins = n % 2 ? 100 : 7;
      const struct qdq_f32_f64_hist_params p = {(double) (int) uniform(-20.0f, 5.0f), 0.125, bins, absolute};
      for (size_t i = 0; i < n; i++) {
        const uint32_t r = next() % 40;
        const float edge = (float) (p.lo + (double) (next() % (bins + 2)) * p.width);
        x[i] = r < 4 ? edge : r < 6 ? -edge : r == 6 ? NAN : r == 7 ? INFINITY : r == 8 ? -INFINITY
             : r == 9 ? -0.0f : uniform((float) p.lo - 3.0f, (float) p.lo + 0.125f * (float) (bins + 3));
      }
      for (size_t i = 0; i < bins + GUARD; i++) got[i] = i < bins ? (i % 3 == 0 ? -0.0 : (double) (i % 3)) : -7.0;
      for (size_t i = 0; i < bins; i++) want[i] = i % 3 == 0 ? -0.0 : (double) (i % 3);
      qdq_config()->f32_f64_rhist(n * sizeof(float), x, got, &p);
      qdq_reference_f32_f64_rhist(n, x, want, &p);
      int guard_ok = 1;
      for (size_t i = bins; i < bins + GUARD; i++) guard_ok &= got[i] == -7.0;
      CHECK(memcmp(got, want, bins * sizeof(double)) == 0 && guard_ok, "f32_f64_rhist n=%zu absolute=%u", n, absolute);
    }
  }
}

/* Property: histc's edges. x == max goes to the last bin, values outside
 * [min, max] and NaN are skipped, a range that overflows float bins nothing,
 * and the undefined cases of torch take the documented bins. */
static void test_histc_edges(void) {
  struct qdq_f32_histc_params p;
  float h[4] = {0};
  const float x[] = {0.0f, 0.25f, 1.0f, -0.1f, 1.1f, NAN, 0.999f, -0.0f};
  qdq_init_f32_histc_params(&p, 4, 0.0, 1.0);
  qdq_reference_f32_rhistc(8, x, h, &p);
  CHECK(h[0] == 2 && h[1] == 1 && h[2] == 0 && h[3] == 2, "edges: %g %g %g %g", h[0], h[1], h[2], h[3]);
  /* lo - 1 and hi + 1 (doubles) round back to 1e10 in float: left == right,
   * v = 0 / 0. torch writes out of bounds; here bin 0. */
  float d[2] = {0};
  const float big = 1e10f;
  qdq_init_f32_histc_params(&p, 2, 1e10 - 1, 1e10 + 1);
  qdq_config()->f32_rhistc(sizeof(float), &big, d, &p);
  CHECK(p.left == p.right && d[0] == 1 && d[1] == 0, "degenerate range -> bin 0");
  /* (hi - lo) overflows float: linspace's ends are NaN, nothing is binned. */
  float o[3] = {0};
  const float mid = 1.0f;
  qdq_init_f32_histc_params(&p, 3, -3e38, 3e38);
  qdq_config()->f32_rhistc(sizeof(float), &mid, o, &p);
  CHECK(isnan(p.left) && o[0] + o[1] + o[2] == 0, "overflowing range bins nothing");
  /* torch 1.13 divides before it multiplies, so huge ranges do not
   * overflow: (2e38 / 3e38) * 2048 = 1365.33 -> bin 1365. */
  float l[2048] = {0};
  const float far = 2e38f;
  qdq_init_f32_histc_params(&p, 2048, 0.0, 3e38);
  qdq_config()->f32_rhistc(sizeof(float), &far, l, &p);
  CHECK(l[1365] == 1, "huge range, no overflow");
  /* The order shows on bin edges: x = 0.0625 over [-3.25, 3] in 100 bins is
   * (3.3125 / 6.25) * 100 = 52.999996 in float -> bin 52, as torch 1.13
   * puts it; multiplying first, 331.25 / 6.25 = 53 exactly -> bin 53. */
  float e[100] = {0};
  const float x53 = 0.0625f;
  qdq_init_f32_histc_params(&p, 100, -3.25, 3.0);
  qdq_reference_f32_rhistc(1, &x53, e, &p);
  qdq_config()->f32_rhistc(sizeof(float), &x53, e, &p);
  CHECK(e[52] == 2 && e[53] == 0, "divide first: bin 52");
}

/* torch.linspace(lo, hi, bins + 1)[-1] from Debian's torch 1.13 on this
 * machine's AVX2 kernels (H1, L1-L3): for bins + 1 a multiple of 16 the last
 * edge is a vector's lane 7 and may lie below float(hi), else it is float(hi);
 * cases with subnormal and extreme ends. The bits were printed by
 * torch.linspace(lo, hi, bins + 1)[-1] (tests/fixtures/gen_observers.py's
 * "linspace" checks the same rule on 4,000 cases through the JS emulation). */
static void test_histc_torch_last_edge(void) {
  static const struct { double lo, hi; size_t bins; uint32_t right; } cases[] = {
    {-36.0, 8.0, 15, 0x40fffffe},        {0.0, 1.0, 31, 0x3f800000},
    {-3.4e38, 0.0, 2047, 0x00000000},    {1e-40, 3e-39, 63, 0x0020aac8},
    {-1.0, 0.001, 2047, 0x3a83126e},     {-100.0, -99.0, 16383, 0xc2c60000},
    {5.0, 5.5, 255, 0x40b00000},         {-2.5e-44, 1e-44, 15, 0x00000007},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct qdq_f32_histc_params p;
    qdq_init_f32_histc_params(&p, cases[i].bins, cases[i].lo, cases[i].hi);
    uint32_t bits;
    memcpy(&bits, &p.right, sizeof bits);
    CHECK(bits == cases[i].right && p.left == (float) cases[i].lo,
          "linspace(%g, %g, %zu): right 0x%08x, torch 0x%08x", cases[i].lo, cases[i].hi,
          cases[i].bins + 1, bits, cases[i].right);
  }
  /* The batch of the audit's repro: 8.0 lies above torch's last edge of 15
   * bins over [-36, 8], so it is not counted. */
  struct qdq_f32_histc_params p;
  float h[15] = {0};
  const float x[] = {-36.4f, -28.3f, 8.0f, -22.0f};
  qdq_init_f32_histc_params(&p, 15, -36.0, 8.0);
  qdq_config()->f32_rhistc(sizeof x, x, h, &p);
  CHECK(h[2] == 1 && h[4] == 1 && h[14] == 0, "8.0 above the last edge: %g %g %g", h[2], h[4], h[14]);
}

/* Property: a combine worked by hand (H5-H7). bins 2, upsample 2, state
 * [0, 2] with histogram {1, 3}; the batch {3} widens the range to [0, 3]:
 * downsample 3, start 0, e = 0; the old histogram upsampled, {1,1,3,3,0,0},
 * sums to {5, 8} at cells 2 and 5; halves of the differences {2.5, 1.5} add
 * to the batch's histc over [int(0), int(3)] = {0, 1}. */
static void test_combine_by_hand(void) {
  float state[4] = {0.0f, 2.0f, 1.0f, 3.0f}, scratch[2];
  const float x[1] = {3.0f};
  struct qdq_histogram_update u;
  CHECK(qdq_histogram_observer_prepare(state, 2, 2, 3.0f, 3.0f, 0, &u) == 0, "prepare");
  CHECK(u.kind == QDQ_HISTOGRAM_COMBINE && u.downsample_rate == 3 && u.start_idx == 0 && u.max == 3.0f,
        "kind %u rate %llu start %llu max %g", u.kind, (unsigned long long) u.downsample_rate,
        (unsigned long long) u.start_idx, u.max);
  CHECK(qdq_histogram_observer_observe(state, 2, 2, x, 1, 0, scratch) == 0, "observe");
  CHECK(state[0] == 0.0f && state[1] == 3.0f && state[2] == 2.5f && state[3] == 2.5f,
        "combined: [%g, %g] {%g, %g}", state[0], state[1], state[2], state[3]);
  /* A batch inside the range adds bin by bin (ADD). */
  const float y[2] = {0.5f, 2.9f};
  CHECK(qdq_histogram_observer_observe(state, 2, 2, y, 2, 0, scratch) == 0, "observe inside");
  CHECK(state[2] == 3.5f && state[3] == 3.5f, "added: {%g, %g}", state[2], state[3]);
}

/* Property: inputs where torch raises return an error and leave the state alone. */
static void test_errors(void) {
  float state[2 + 8] = {INFINITY, -INFINITY};
  float scratch[8];
  struct qdq_histogram_update u;
  /* int(1e19) does not fit int64: torch 1.13 raises "Overflow when unpacking long". */
  CHECK(qdq_histogram_observer_prepare(state, 8, 128, 1e19f, 2e19f, 0, &u) == QDQ_ERROR_HISTOGRAM_INT64, "int64");
  CHECK(qdq_histogram_observer_prepare(state, 8, 128, 1e19f, 2e19f, QDQ_HISTOGRAM_EXACT_BOUNDS, &u) == 0,
        "exact bounds need no int");
  /* A subnormal range makes the fine bin width 0 and the rate infinite (int(inf) raises). */
  float tiny[2 + 8] = {0.0f, 1e-40f};
  CHECK(qdq_histogram_observer_prepare(tiny, 8, 128, -1.0f, 1.0f, 0, &u) == QDQ_ERROR_HISTOGRAM_RANGE, "rate");
  /* NaN in x: 1 + its index, state unchanged. */
  const float x[3] = {1.0f, NAN, 2.0f};
  CHECK(qdq_histogram_observer_observe(state, 8, 128, x, 3, 0, scratch) == 2 && state[0] == INFINITY,
        "NaN rejected");
  /* Nothing observed: scale 1, zero point 0, as torch (E4). */
  float out[3];
  int32_t zp = 7;
  CHECK(qdq_histogram_observer_qparams(state, 8, 0, 255, QDQ_QPARAMS_UINT8, 1.1920928955078125e-07f, out, &zp) == 0 &&
            out[0] == 1.0f && zp == 0,
        "unobserved qparams");
}

/* Property: torch.sum's order, not the sequential one. Seven elements take
 * the scalar row sum: {1, 1, 1, 1} in four accumulators, the tail {1, 1e8}
 * into the first (1e8 + 3 rounds to 1e8), then the others (each +1 lost);
 * in order, 6 + 1e8 would round up to 100000008. */
static void test_torch_sum_order(void) {
  const float x[7] = {1, 1, 1, 1, 1, 1, 1e8f};
  CHECK(qdq_torch_sum_f32(7, x) == 1e8f, "torch sum %.1f", qdq_torch_sum_f32(7, x));
  CHECK(qdq_torch_sum_f32(0, x) == 0.0f, "empty sum");
}

/* Property: the calibration histogram grows by whole bins, keeping old bins
 * in place (P1, P2). Signed, 4 bins over [-2, 2] (width 1); a batch with
 * |x| = 3.5 adds half = (3.5 - 2) // 1 + 1 = 2 bins each side: 8 bins over
 * [-4, 4], the old counts shifted by 2. Absolute, 4 bins over [1, 3]
 * (width 0.5); max |x| = 4.2 appends ceil(1.2 / 0.5) = 3 bins. */
static void test_calibration_growth(void) {
  double s[QDQ_CALIB_STATE_HEADER + 8] = {0, 0, INFINITY, -INFINITY, 4, 0};
  const float a[3] = {-2.0f, 0.5f, 2.0f}, b[1] = {3.5f};
  CHECK(qdq_calib_histogram_observe(s, a, 3, -2.0f, 2.0f, 0) == 0 && s[0] == -2 && s[1] == 1 && s[5] == 2,
        "signed first batch: lo %g width %g T %g", s[0], s[1], s[5]);
  const double* h = s + QDQ_CALIB_STATE_HEADER;
  CHECK(h[0] == 1 && h[1] == 0 && h[2] == 1 && h[3] == 1, "signed counts");
  CHECK(qdq_calib_histogram_bins_after(s, 3.5f, 3.5f, 0) == 8, "signed growth");
  CHECK(qdq_calib_histogram_observe(s, b, 1, 3.5f, 3.5f, 0) == 0 && s[0] == -4 && s[4] == 8 && s[5] == 4,
        "signed grown: lo %g bins %g T %g", s[0], s[4], s[5]);
  CHECK(h[0] == 0 && h[1] == 0 && h[2] == 1 && h[3] == 0 && h[4] == 1 && h[5] == 1 && h[6] == 0 && h[7] == 1,
        "signed counts shifted, 3.5 in bin 7");
  double t[QDQ_CALIB_STATE_HEADER + 8] = {0, 0, INFINITY, -INFINITY, 4, 0};
  const float c[2] = {-1.0f, 3.0f}, d[2] = {-4.2f, 0.2f};
  CHECK(qdq_calib_histogram_observe(t, c, 2, -1.0f, 3.0f, QDQ_CALIB_ABSOLUTE) == 0 && t[0] == 1 && t[1] == 0.5,
        "absolute first batch over [min |x|, max |x|]");
  CHECK(qdq_calib_histogram_bins_after(t, -4.2f, 0.2f, QDQ_CALIB_ABSOLUTE) == 7, "absolute growth");
  CHECK(qdq_calib_histogram_observe(t, d, 2, -4.2f, 0.2f, QDQ_CALIB_ABSOLUTE) == 0 && t[4] == 7 &&
            t[QDQ_CALIB_STATE_HEADER + 6] == 1 && t[2] == -4.2f && t[3] == 3.0f,
        "absolute: 4.2 in the last new bin, 0.2 below the first edge dropped");
  float out[2];
  double empty[QDQ_CALIB_STATE_HEADER + 4] = {0, 0, INFINITY, -INFINITY, 4, 0};
  CHECK(qdq_calib_percentile_range(empty, 99.0, 0, out) == -1 && qdq_calib_entropy_range(empty, 2, 0, out) == -1,
        "nothing observed");
  CHECK(qdq_calib_entropy_range(s, 128, 0, out) == QDQ_ERROR_HISTOGRAM_RANGE, "fewer bins than quantized bins");
}

void qdq_test_observers(int* passed, int* failed) {
  check_counters(passed, failed);
  test_kernel_vs_reference();
  test_calib_kernel_vs_reference();
  test_histc_edges();
  test_histc_torch_last_edge();
  test_combine_by_hand();
  test_errors();
  test_torch_sum_order();
  test_calibration_growth();
}
