/*
 * Size formulas and the parameters of quantized Linear layers. Under UBSan,
 * a size computation that wraps would be silent (unsigned wrap is defined),
 * so each formula is checked directly: a product that does not fit size_t
 * must be reported as 0 or QDQ_ERROR_SIZE_OVERFLOW, never as a small size.
 * The native size_t is 64-bit; the wasm32 reproducers (m = 43700, k = 32768)
 * are tested through the wasm builds in tests/unit/binding.test.js.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qdq.h"
#include "check.h"

void qdq_test_sizes(int* passed, int* failed);


/* Property: packed sizes are exact where they fit and 0 where they do not. */
static void test_packed_sizes(void) {
  CHECK(qdq_qs8_gemm_packed_size_tile(8, 4, 4) == 8 * (4 + 4) + 18 * 4, "qs8 8x4");
  CHECK(qdq_qs8_gemm_packed_size_tile(9, 5, 4) == 16 * (4 + 8) + 20 * 4, "qs8 9x5 pads n and k");
  CHECK(qdq_qs8_gemm_packed_size_tile(SIZE_MAX / 2, 4, 4) == 0, "qs8 n near SIZE_MAX/2 wraps");
  CHECK(qdq_qs8_gemm_packed_size_tile(SIZE_MAX - 3, 1, 4) == 0, "qs8 round_up(n, 8) wraps");
  CHECK(qdq_qs8_gemm_packed_size_tile((size_t) 1 << 40, (size_t) 1 << 30, 4) == 0, "qs8 n * k wraps");
  CHECK(qdq_qs8_gemm_packed_size_tile(8, 4, 0) == 0, "kr 0 is refused");
  CHECK(qdq_f32_gemm_packed_size(8, 3) == 8 * 4 * 4, "f32 8x3");
  CHECK(qdq_f32_gemm_packed_size(1, 3) == 8 * 4 * 4, "f32 pads n to 8");
  CHECK(qdq_f32_gemm_packed_size((size_t) 1 << 40, (size_t) 1 << 30) == 0, "f32 n * k wraps");
  CHECK(qdq_f32_gemm_packed_size(8, SIZE_MAX) == 0, "f32 k + 1 wraps");
  CHECK(qdq_f32_gemm_packed_size(SIZE_MAX / 8, 1) == 0, "f32 bytes wrap (2^61 columns * 2 * 4)");
  CHECK(qdq_qs8_gemm_pack(SIZE_MAX / 2, 4, NULL, 0, NULL, NULL, 0, NULL) == QDQ_ERROR_SIZE_OVERFLOW,
        "pack refuses an overflowing size before touching memory");
  CHECK(qdq_f32_gemm_pack(SIZE_MAX / 2, 4, NULL, 0, NULL, NULL) == QDQ_ERROR_SIZE_OVERFLOW,
        "f32 pack refuses an overflowing size before touching memory");
}

/* Property: an operator whose workspace would wrap returns an error and
 * writes nothing (the buffers passed are too small to be written safely). */
static void test_operator_overflow(void) {
  int8_t a[16] = {0};
  int32_t y[4] = {7, 7, 7, 7};
  const size_t k = 4, n = 8;
  void* packed = malloc(qdq_qs8_gemm_packed_size(n, k));
  int8_t b[32] = {0};
  int32_t zb[8] = {0};
  CHECK(qdq_qs8_gemm_pack(n, k, b, 0, zb, NULL, 0, packed) == 0, "pack");
  const size_t huge_m = SIZE_MAX / 2;
  CHECK(qdq_qs8_gemm(huge_m, n, k, a, 0, 0, packed, y, QDQ_GEMM_OUT_INT32, NULL, NULL, 0, 0, 0) ==
            QDQ_ERROR_SIZE_OVERFLOW,
        "gemm workspace m * kpad wraps");
  CHECK(y[0] == 7 && y[3] == 7, "nothing written");
  float x[4] = {0};
  float w_scales[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  CHECK(qdq_dynamic_linear(huge_m, n, k, x, packed, w_scales, NULL, (float*) y, 0, NULL) ==
            QDQ_ERROR_SIZE_OVERFLOW,
        "dynamic linear m * k * 4 wraps");
  CHECK(y[0] == 7, "nothing written");
  free(packed);
}

/* Property: the Linear parameters match torch's formulas on exact cases. */
static void test_linear_params(void) {
  const float b_scales[3] = {0.5f, 0.25f, 3.0f};
  float mult[3];
  qdq_requantization_multipliers(3, 0.1f, b_scales, 0.2f, mult);
  for (int j = 0; j < 3; j++) {
    const float want = (0.1f * b_scales[j]) / 0.2f;
    CHECK(mult[j] == want, "multiplier %d: %.9g vs %.9g", j, mult[j], want);
  }
  /* QNNPACK's form (G4b): (w * x) * float(1 / y). torch 1.13 on a quint8
   * Linear with w = -81, x = 47 - 128: acc = 6561, and 6561 * M lands next to
   * 47.5: the quotient (G4a) gives 48 and QNNPACK's product gives 47 (y = 175
   * with zero point 128, torch's output; the audit's repro). */
  const float ws[1] = {0.02025424689054489f};
  const float xs = 0.0037226348649710417f, ys = 0.010414608754217625f;
  float quotient[1], product[1];
  qdq_requantization_multipliers(1, xs, ws, ys, quotient);
  qdq_qnnpack_requantization_multipliers(1, xs, ws, ys, product);
  const float inverse = 1.0f / ys;
  CHECK(product[0] == (ws[0] * xs) * inverse, "G4b: %.9g", product[0]);
  CHECK(quotient[0] == (xs * ws[0]) / ys, "G4a: %.9g", quotient[0]);
  CHECK(nextafterf(quotient[0], 0.0f) == product[0], "one ulp apart: %a %a", quotient[0], product[0]);
  CHECK(qdq_reference_requantize_value(6561, product[0], 128, 0, 255) == 175, "torch's 175");
  CHECK(qdq_reference_requantize_value(6561, quotient[0], 128, 0, 255) == 176, "the quotient's 176");
  /* Per channel, each multiplier from its own scale; exact cases agree. */
  qdq_qnnpack_requantization_multipliers(3, 0.1f, b_scales, 0.25f, mult);
  for (int j = 0; j < 3; j++) {
    const float want = (b_scales[j] * 0.1f) * 4.0f;
    CHECK(mult[j] == want, "qnnpack multiplier %d: %.9g vs %.9g", j, mult[j], want);
  }
  /* bias / (w_scale * input_scale), rounded half to even: 2.5 -> 2, 3.5 -> 4,
   * -2.5 -> -2; huge clamps; a NaN bias is refused. */
  const float w_scales[5] = {1, 1, 1, 1, 1};
  const float bias[5] = {2.5f, 3.5f, -2.5f, 1e30f, -1e30f};
  int32_t q[5];
  CHECK(qdq_quantize_bias(5, bias, w_scales, 1.0, q) == -1, "finite bias accepted");
  CHECK(q[0] == 2 && q[1] == 4 && q[2] == -2, "ties to even: %d %d %d", q[0], q[1], q[2]);
  CHECK(q[3] == INT32_MAX && q[4] == INT32_MIN, "clamped: %d %d", q[3], q[4]);
  const float bad[3] = {1, NAN, INFINITY};
  q[0] = 99;
  CHECK(qdq_quantize_bias(3, bad, w_scales, 1.0, q) == 1, "first non-finite index");
  CHECK(q[0] == 99, "nothing written when a bias is refused");
  /* A bias scale that underflows float: 1e-30 * 1e-30 in double is 1e-60, 0 in float. */
  const float tiny[1] = {1e-30f};
  const float zero_bias[1] = {0.0f};
  CHECK(qdq_quantize_bias(1, zero_bias, tiny, 1e-30, q) == -1 && q[0] == 0, "0 * inf gives 0");

  /* Symmetric per-channel weights: row 0 spans [-1, 2] -> scale 2/127.5. */
  const float w[6] = {-1.0f, 0.5f, 2.0f, 0.0f, 0.0f, 0.0f};
  int8_t qw[6];
  float scales[2];
  CHECK(qdq_linear_weight_quantize(2, 3, w, QDQ_WEIGHT_PER_CHANNEL, qw, scales) == -1, "weights");
  const float s0 = 2.0f / 127.5f;
  CHECK(scales[0] == s0, "row scale %.9g vs %.9g", scales[0], s0);
  CHECK(scales[1] == 0x1p-23f, "all-zero row gets eps, got %.9g", scales[1]);
  CHECK(qw[2] == 127 && qw[0] == (int8_t) nearbyintf(-1.0f * (1.0f / s0)), "row 0 codes %d %d", qw[0], qw[2]);
  CHECK(qw[3] == 0 && qw[5] == 0, "row 1 codes");
  CHECK(qdq_linear_weight_quantize(2, 3, w, 0, qw, scales) == -1 && scales[0] == s0 && scales[1] == s0,
        "per tensor: one scale repeated");
  const float wbad[4] = {0, 1, NAN, 2};
  CHECK(qdq_linear_weight_quantize(2, 2, wbad, QDQ_WEIGHT_PER_CHANNEL, qw, scales) == 2,
        "index of the first NaN weight");
  CHECK(qdq_linear_weight_quantize(SIZE_MAX / 2, 4, w, 0, qw, scales) == QDQ_ERROR_SIZE_OVERFLOW,
        "n * k wraps");
}

void qdq_test_sizes(int* passed, int* failed) {
  check_counters(passed, failed);
  test_packed_sizes();
  test_operator_overflow();
  test_linear_params();
}
