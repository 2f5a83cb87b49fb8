/*
 * Native tests of the training operators (T1-T3 of qdq.h) on the scalar kernels (the native
 * build's dispatch), under ASan and UBSan: bit-exact against the reference for every m, n, k in
 * 0..13 in both A layouts, and every length 0..67 for ReLU backward and each SGD setting, with a
 * guard after every output.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qdq.h"

void qdq_test_train(int* passed, int* failed);

static uint32_t rng = 4242u;
static float next(void) {
  rng = rng * 1664525u + 1013904223u;
  /* Mostly values in [-4, 4), some exact zeros and negative zeros (ReLU's boundary). */
  const uint32_t r = rng >> 8;
  if (r % 13 == 0) return r % 2 ? 0.0f : -0.0f;
  return ((float) r / 16777216.0f - 0.5f) * 8.0f;
}

#define GUARD 5
static const float SENTINEL = 1234.5f;

static int guard_ok(const float* y, size_t n) {
  for (size_t i = n; i < n + GUARD; i++) if (y[i] != SENTINEL) return 0;
  return 1;
}

void qdq_test_train(int* passed, int* failed) {
  enum { MAX = 13, LEN = 67 };
  int bad = 0, checked = 0;
  static float a[MAX * MAX + QDQ_EXTRA_BYTES], b[MAX * MAX + QDQ_EXTRA_BYTES], y[MAX * MAX + GUARD],
      ref[MAX * MAX];
  for (size_t m = 0; m <= MAX; m++)
    for (size_t n = 0; n <= MAX; n++)
      for (size_t k = 0; k <= MAX; k++)
        for (uint32_t flags = 0; flags <= QDQ_FLAG_TRANSPOSED; flags += QDQ_FLAG_TRANSPOSED) {
          for (size_t i = 0; i < m * k; i++) a[i] = next();
          for (size_t i = 0; i < k * n; i++) b[i] = next();
          for (size_t i = 0; i < m * n + GUARD; i++) y[i] = SENTINEL;
          qdq_reference_f32_matmul(m, n, k, a, flags, b, ref);
          const int status = qdq_f32_matmul(m, n, k, a, flags, b, y);
          checked++;
          if (status != 0 || memcmp(y, ref, m * n * sizeof(float)) != 0 || !guard_ok(y, m * n)) {
            if (bad++ < 5) fprintf(stderr, "FAIL f32_matmul m=%zu n=%zu k=%zu flags=%u status=%d\n", m, n, k, flags, status);
          }
        }
  static float yy[LEN], dy[LEN], dx[LEN + GUARD], want[LEN];
  for (size_t n = 0; n <= LEN; n++) {
    for (size_t i = 0; i < n; i++) {
      yy[i] = i % 7 == 0 ? NAN : next();
      dy[i] = next();
    }
    for (size_t i = 0; i < n + GUARD; i++) dx[i] = SENTINEL;
    qdq_reference_f32_relu_backward(n, yy, dy, want);
    qdq_relu_backward(n, yy, dy, dx);
    checked++;
    if (memcmp(dx, want, n * sizeof(float)) != 0 || !guard_ok(dx, n)) {
      if (bad++ < 5) fprintf(stderr, "FAIL relu_backward n=%zu\n", n);
    }
  }
  /* lr, momentum, weight decay, first step: every branch of T3. */
  static const float settings[][4] = {{0.05f, 0.9f, 0.0f, 0}, {0.05f, 0.9f, 0.0f, 1}, {0.1f, 0.9f, 1e-4f, 0},
                                      {0.01f, 0.0f, 0.0f, 0}, {0.01f, 0.0f, 0.3f, 1}, {0.2f, 0.5f, 0.3f, 1}};
  static float p[LEN + GUARD], g[LEN], buf[LEN + GUARD], rp[LEN], rbuf[LEN];
  for (size_t s = 0; s < sizeof settings / sizeof settings[0]; s++) {
    const uint32_t flags = settings[s][3] != 0 ? QDQ_SGD_FIRST_STEP : 0;
    struct qdq_f32_sgd_params params;
    qdq_init_f32_sgd_params(&params, settings[s][0], settings[s][1], settings[s][2], flags);
    for (size_t n = 0; n <= LEN; n++) {
      for (size_t i = 0; i < n; i++) {
        rp[i] = p[i] = next();
        g[i] = next();
        rbuf[i] = buf[i] = next();
      }
      for (size_t i = n; i < n + GUARD; i++) p[i] = buf[i] = SENTINEL;
      qdq_reference_f32_sgd(n, rp, g, rbuf, &params);
      qdq_sgd_step(n, p, g, buf, settings[s][0], settings[s][1], settings[s][2], flags);
      checked++;
      if (memcmp(p, rp, n * sizeof(float)) != 0 || memcmp(buf, rbuf, n * sizeof(float)) != 0 ||
          !guard_ok(p, n) || !guard_ok(buf, n)) {
        if (bad++ < 5) fprintf(stderr, "FAIL sgd_step setting=%zu n=%zu\n", s, n);
      }
    }
  }
  /* Momentum 0 keeps no buffer: NULL is never touched. */
  rp[0] = p[0] = 1.0f;
  g[0] = 0.5f;
  qdq_sgd_step(1, p, g, NULL, 0.25f, 0.0f, 0.0f, 0);
  checked++;
  if (p[0] != 0.875f) bad++;
  *passed += checked - bad;
  *failed += bad;
}
