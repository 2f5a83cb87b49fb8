/* Weight packing for the int8 and float GEMM kernels (G3). Layouts are
 * documented at qdq_qs8_gemm_pack and qdq_f32_gemm_pack in qdq.h. */
#include <string.h>

#include "config.h"
#include "size-math.h"

#define NR 8

static size_t round_up(size_t x, size_t q) { return (x + q - 1) / q * q; }

size_t qdq_qs8_gemm_packed_size_tile(size_t n, size_t k, size_t kr) {
  /* round_up(n, NR) * (4 + round_up(k, kr)) bytes of weights, then cs[n],
   * zb[n] and za: (2n + 1) * 4 bytes. 0 when any step wraps size_t. */
  size_t np, kp, row, weights, tail, total;
  if (kr == 0 || qdq_round_up_overflows(n, NR, &np) || qdq_round_up_overflows(k, kr, &kp) ||
      qdq_add_overflows(kp, sizeof(int32_t), &row) || qdq_mul_overflows(np, row, &weights) ||
      qdq_mul_overflows(n, 2 * sizeof(int32_t), &tail) ||
      qdq_add_overflows(tail, sizeof(int32_t), &tail) || qdq_add_overflows(weights, tail, &total)) {
    return 0;
  }
  return total;
}

size_t qdq_qs8_gemm_packed_size(size_t n, size_t k) {
  return qdq_qs8_gemm_packed_size_tile(n, k, qdq_config()->qs8_gemm_kr);
}

int qdq_qs8_gemm_pack(size_t n, size_t k, const void* b, uint32_t b_flags,
                      const int32_t* b_zero_points, const int32_t* bias,
                      int32_t a_zero_point, void* packed) {
  return qdq_qs8_gemm_pack_tile(n, k, b, b_flags, b_zero_points, bias, a_zero_point,
                                qdq_config()->qs8_gemm_kr, packed);
}

/* The value of B[l][j] in the int8 domain (uint8 minus 128). */
static int32_t b_value(const void* b, uint32_t flags, size_t n, size_t k, size_t l, size_t j) {
  const size_t idx = (flags & QDQ_FLAG_TRANSPOSED) ? j * k + l : l * n + j;
  return (flags & QDQ_FLAG_UINT8) ? (int32_t) ((const uint8_t*) b)[idx] - 128
                                  : (int32_t) ((const int8_t*) b)[idx];
}

int qdq_qs8_gemm_pack_tile(size_t n, size_t k, const void* b, uint32_t b_flags,
                           const int32_t* b_zero_points, const int32_t* bias,
                           int32_t a_zero_point, size_t kr, void* packed) {
  if (k > QDQ_GEMM_MAX_K) return QDQ_ERROR_K_TOO_LARGE;
  const size_t total = qdq_qs8_gemm_packed_size_tile(n, k, kr);
  if (total == 0) return QDQ_ERROR_SIZE_OVERFLOW;
  const size_t kpad = round_up(k, kr);
  const int32_t shift = (b_flags & QDQ_FLAG_UINT8) ? 128 : 0;
  /* The trailer cs[n], zb[n], za ends the packed buffer. */
  int32_t* cs = (int32_t*) ((uint8_t*) packed + total) - (2 * n + 1);
  int32_t* zb = cs + n;
  uint8_t* out = (uint8_t*) packed;
  for (size_t j0 = 0; j0 < n; j0 += NR) {
    int32_t* pb = (int32_t*) out;
    int8_t* wk = (int8_t*) (out + NR * sizeof(int32_t));
    for (size_t jj = 0; jj < NR; jj++) {
      const size_t j = j0 + jj;
      if (j >= n) {
        pb[jj] = 0;
        continue;
      }
      uint32_t sum = 0;
      for (size_t l = 0; l < k; l++) sum += (uint32_t) b_value(b, b_flags, n, k, l, j);
      cs[j] = (int32_t) sum;
      zb[j] = b_zero_points[j] - shift;
      /* G3, in wrapping uint32 arithmetic: the int32 result is exact modulo
       * 2^32, which is all the final Y needs (G2). */
      const uint32_t za = (uint32_t) a_zero_point;
      pb[jj] = (int32_t) ((bias != NULL ? (uint32_t) bias[j] : 0u) - za * sum +
                          (uint32_t) k * za * (uint32_t) zb[j]);
    }
    for (size_t l0 = 0; l0 < kpad; l0 += kr) {
      for (size_t jj = 0; jj < NR; jj++) {
        for (size_t r = 0; r < kr; r++) {
          const size_t j = j0 + jj, l = l0 + r;
          wk[jj * kr + r] = (int8_t) (j < n && l < k ? b_value(b, b_flags, n, k, l, j) : 0);
        }
      }
      wk += NR * kr;
    }
    out = (uint8_t*) wk;
  }
  zb[n] = a_zero_point;
  return 0;
}

size_t qdq_f32_gemm_packed_size(size_t n, size_t k) {
  /* round_up(n, NR) * (k + 1) floats; 0 when any step wraps size_t. */
  size_t np, k1, elems, bytes;
  if (qdq_round_up_overflows(n, NR, &np) || qdq_add_overflows(k, 1, &k1) ||
      qdq_mul_overflows(np, k1, &elems) || qdq_mul_overflows(elems, sizeof(float), &bytes)) {
    return 0;
  }
  return bytes;
}

int qdq_f32_gemm_pack(size_t n, size_t k, const float* b, uint32_t b_flags, const float* bias,
                      void* packed) {
  if (qdq_f32_gemm_packed_size(n, k) == 0) return QDQ_ERROR_SIZE_OVERFLOW;
  const int transposed = (b_flags & QDQ_FLAG_TRANSPOSED) != 0;
  float* out = (float*) packed;
  for (size_t j0 = 0; j0 < n; j0 += NR) {
    for (size_t jj = 0; jj < NR; jj++) {
      const size_t j = j0 + jj;
      out[jj] = j < n && bias != NULL ? bias[j] : 0.0f;
    }
    out += NR;
    for (size_t l = 0; l < k; l++) {
      for (size_t jj = 0; jj < NR; jj++) {
        const size_t j = j0 + jj;
        out[jj] = j < n ? b[transposed ? j * k + l : l * n + j] : 0.0f;
      }
      out += NR;
    }
  }
  return 0;
}

void qdq_qs8_gemm_widen_w(size_t blocks, size_t kpad, const void* packed, void* out) {
  const uint8_t* in = (const uint8_t*) packed;
  uint8_t* o = (uint8_t*) out;
  for (size_t b = 0; b < blocks; b++) {
    memcpy(o, in, NR * sizeof(int32_t));
    const int8_t* restrict w8 = (const int8_t*) (in + NR * sizeof(int32_t));
    int16_t* restrict w16 = (int16_t*) (o + NR * sizeof(int32_t));
    /* A plain widening loop: compilers vectorize it to sign extensions. */
    for (size_t i = 0; i < kpad * NR; i++) w16[i] = w8[i];
    in += NR * sizeof(int32_t) + kpad * NR;
    o += NR * sizeof(int32_t) + kpad * NR * sizeof(int16_t);
  }
}
