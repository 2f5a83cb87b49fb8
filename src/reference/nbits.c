/*
 * Reference semantics of blockwise 4- and 8-bit weights (B1-B7,
 * docs/blockwise.md): onnxruntime's block quantizer, MatMulNBits's
 * dequantization, MLAS's level-4 activation quantization, and the block GEMM
 * at accuracy levels 0 and 4. Plain loops on the ORT layout, never optimized.
 */
#include <math.h>

#include "qdq.h"

void qdq_reference_nbits_block_params(size_t len, const float* x, int bits, uint32_t flags,
                                      float* scale, int32_t* zero_point) {
  const int32_t qmax = (1 << bits) - 1, mid = 1 << (bits - 1);
  float lo = x[0], hi = x[0];
  for (size_t l = 1; l < len; l++) {
    lo = x[l] < lo ? x[l] : lo;
    hi = x[l] > hi ? x[l] : hi;
  }
  if (flags & QDQ_NBITS_SYMMETRIC) {
    /* B2: the signed extreme of larger magnitude (the minimum on a tie),
     * mapped to -mid. */
    const float v = fabsf(hi) > fabsf(lo) ? hi : lo;
    *scale = -v / (float) mid;
    *zero_point = mid;
    return;
  }
  /* B1 */
  lo = lo < 0.0f ? lo : 0.0f;
  hi = hi > 0.0f ? hi : 0.0f;
  float s = (hi - lo) / (float) qmax;
  if (isinf(s)) {
    /* hi - lo overflows float although both are finite (a block spanning more
     * than FLT_MAX): MLAS's scale is then infinite and the whole block
     * dequantizes to NaN. Halving first is exact (overflow needs both
     * magnitudes above 2^102), so this is the same formula rounded once with
     * an unbounded exponent, as B3 treats 1 / scale: a finite scale. */
    s = 2.0f * ((0.5f * hi - 0.5f * lo) / (float) qmax);
  }
  float zp = lo; /* 0 when s == 0: then lo == hi == 0 */
  if (s != 0.0f) zp = 0.0f - lo / s;
  *zero_point = zp < 0.0f ? 0 : zp > (float) qmax ? qmax : (int32_t) roundf(zp);
  *scale = s;
}

int32_t qdq_reference_nbits_quantize_value(float x, float scale, int32_t zero_point, int bits,
                                           uint32_t flags) {
  /* B3: r = 1 / scale rounded to float's 24 bits but not bounded by its
   * range. Below |scale| = 2^-64 (1 / scale overflows from about 2^-128 down),
   * x and scale are scaled by 2^64 first: both products are exact, and
   * (x 2^64) (1 / (scale 2^64)) is the one rounding of x r. */
  const float m = scale != 0.0f && fabsf(scale) < 0x1p-64f ? 0x1p64f : 1.0f;
  const float r = scale != 0.0f ? 1.0f / (scale * m) : 0.0f;
  const float v = x * m * r + (float) zero_point; /* three roundings, the first exact: -ffp-contract=off */
  const float q = (flags & QDQ_NBITS_ROUND_EVEN) ? nearbyintf(v) : roundf(v);
  const float qmax = (float) ((1 << bits) - 1);
  return (int32_t) (q < 0.0f ? 0.0f : q > qmax ? qmax : q);
}

void qdq_reference_nbits_quantize_activations(size_t k, size_t block_size, const float* a,
                                              int8_t* q, float* scales, int32_t* sums) {
  for (size_t b = 0, l0 = 0; l0 < k; b++, l0 += block_size) {
    const size_t len = k - l0 < block_size ? k - l0 : block_size;
    float amax = 0.0f;
    for (size_t l = 0; l < len; l++) {
      const float v = fabsf(a[l0 + l]);
      amax = amax < v ? v : amax; /* std::max(amax, v) */
    }
    /* B5: s = amax / 127 in float; r = 1 / s' with s' = amax / 127 and both
     * rounded to float's 24 bits but not bounded by its range (s' = s unless s
     * is subnormal). Below amax = 2^-64, a and amax are scaled by 2^64 first
     * (exactly), so that 1 / s' cannot overflow and qa = roundf(a r) keeps
     * |qa| <= 127. */
    const float s = amax / 127.0f;
    const float m = s != 0.0f && amax < 0x1p-64f ? 0x1p64f : 1.0f;
    const float r = s != 0.0f ? 1.0f / (amax * m / 127.0f) : 0.0f;
    int32_t sum = 0;
    for (size_t l = 0; l < len; l++) {
      const float v = roundf(a[l0 + l] * m * r);
      const int32_t qi = (int32_t) (v < -128.0f ? -128.0f : v > 127.0f ? 127.0f : v);
      q[l0 + l] = (int8_t) qi;
      sum += qi;
    }
    scales[b] = s;
    sums[b] = sum;
  }
}

/* q[j][l] from the ORT layout. */
static int32_t weight(const uint8_t* b, int bits, size_t kb, size_t block_size, size_t j, size_t l) {
  const size_t blob = block_size * (size_t) bits / 8;
  const size_t bb = l / block_size, r = l % block_size;
  const uint8_t* p = b + (j * kb + bb) * blob;
  if (bits == 8) return p[r];
  return (r & 1) ? p[r / 2] >> 4 : p[r / 2] & 15;
}

static int32_t zero_point(const uint8_t* zp, int bits, size_t kb, size_t j, size_t bb) {
  if (zp == NULL) return 1 << (bits - 1);
  if (bits == 8) return zp[j * kb + bb];
  const uint8_t v = zp[j * ((kb + 1) / 2) + bb / 2];
  return (bb & 1) ? v >> 4 : v & 15;
}

void qdq_reference_nbits_gemm(size_t m, size_t n, size_t k, int bits, size_t block_size,
                              const float* a, const uint8_t* b, const float* scales,
                              const uint8_t* zero_points, const float* bias, float* y,
                              uint32_t flags) {
  const size_t kb = (k + block_size - 1) / block_size;
  for (size_t i = 0; i < m; i++) {
    const float* ar = a + i * k;
    for (size_t j = 0; j < n; j++) {
      float acc;
      if (flags & QDQ_NBITS_ACCURACY_INT8) {
        acc = bias != NULL ? bias[j] : 0.0f;
        for (size_t bb = 0; bb < kb; bb++) {
          const size_t l0 = bb * block_size;
          const size_t len = k - l0 < block_size ? k - l0 : block_size;
          int8_t qa[256];
          float sa;
          int32_t suma;
          qdq_reference_nbits_quantize_activations(len, block_size, ar + l0, qa, &sa, &suma);
          const int32_t zp = zero_point(zero_points, bits, kb, j, bb);
          int32_t d = 0;
          for (size_t l = 0; l < len; l++) d += qa[l] * (weight(b, bits, kb, block_size, j, l0 + l) - zp);
          acc = acc + (float) d * sa * scales[j * kb + bb];
        }
      } else {
        /* B7: the k sum from +0, then the bias, as MLAS (the bias after the
         * GEMM) and the ONNX formula A x dequant(B) + bias. */
        acc = 0.0f;
        for (size_t l = 0; l < kb * block_size; l++) {
          const size_t bb = l / block_size;
          const int32_t zp = zero_point(zero_points, bits, kb, j, bb);
          const int32_t q = l < k ? weight(b, bits, kb, block_size, j, l) : zp;
          const float w = (float) (q - zp) * scales[j * kb + bb];
          const float av = l < k ? ar[l] : 0.0f;
          acc = acc + av * w;
        }
        if (bias != NULL) acc = acc + bias[j];
      }
      y[i * n + j] = acc;
    }
  }
}
