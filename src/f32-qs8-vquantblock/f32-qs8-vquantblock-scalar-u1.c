/* B5 one element at a time: MatMulNBits level 4's per-block activation quantization. */
#include <math.h>
#include <string.h>

#include "kernel-common.h"

/* roundf (half away from zero) by truncation, which wasm has as one
 * instruction (musl's roundf is a library call): x - trunc(x) is exact. */
static inline float round_away(float x) {
  const float t = truncf(x);
  return fabsf(x - t) >= 0.5f ? t + copysignf(1.0f, x) : t;
}

void qdq_f32_qs8_vquantblock_ukernel__scalar_u1(size_t k, size_t block_size, const float* restrict a,
                                                int8_t* restrict q, int16_t* restrict q16,
                                                float* restrict scales, int32_t* restrict sums) {
  assert(block_size != 0 && block_size % 16 == 0);
  assert(k == 0 || (a != NULL && q != NULL && scales != NULL && sums != NULL));
  const size_t kb = (k + block_size - 1) / block_size;
  for (size_t b = 0; b < kb; b++) {
    const size_t l0 = b * block_size;
    const size_t len = k - l0 < block_size ? k - l0 : block_size;
    float amax = 0.0f;
    for (size_t l = 0; l < len; l++) {
      const float v = fabsf(a[l0 + l]);
      amax = amax < v ? v : amax;
    }
    const float s = amax / 127.0f;
    /* Below amax = 2^-64, 1 / s' from a and amax scaled by 2^64 (exact), as
     * the reference: 1 / s would overflow from amax = 127 * 2^-128 down. */
    const float m = s != 0.0f && amax < 0x1p-64f ? 0x1p64f : 1.0f;
    const float r = s != 0.0f ? 1.0f / (amax * m / 127.0f) : 0.0f;
    int32_t sum = 0;
    for (size_t l = 0; l < len; l++) {
      float v = round_away(a[l0 + l] * m * r);
      v = v < -128.0f ? -128.0f : v;
      v = v > 127.0f ? 127.0f : v;
      const int32_t qi = (int32_t) v;
      q[l0 + l] = (int8_t) qi;
      sum += qi;
    }
    memset(q + l0 + len, 0, block_size - len);
    scales[b] = s;
    sums[b] = sum;
  }
  if (q16 != NULL) {
    /* k = 4t + r at 4t + {0, 2, 1, 3}[r]: a 32-bit load then gives {a0, a2} or {a1, a3}. */
    for (size_t l = 0; l < kb * block_size; l += 4) {
      q16[l] = q[l];
      q16[l + 1] = q[l + 2];
      q16[l + 2] = q[l + 1];
      q16[l + 3] = q[l + 3];
    }
  }
}
