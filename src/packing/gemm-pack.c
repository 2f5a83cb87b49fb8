/* Weight packing for the int8 and float GEMM kernels (G3). Layouts are
 * documented at qdq_qs8_gemm_pack and qdq_f32_gemm_pack in qdq.h. */
#include <assert.h>
#include <string.h>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

#include "config.h"
#include "size-math.h"

#define NR 8

static size_t round_up(size_t x, size_t q) { return (x + q - 1) / q * q; }

size_t qdq_qs8_gemm_packed_size_tile(size_t n, size_t k, size_t kr) {
  /* round_up(n, NR) * (4 + round_up(k, kr)) bytes of weights, then cs[n],
   * zb[n], za and the kept copy's offset: (2n + 2) * 4 bytes. 0 when any
   * step wraps size_t. */
  size_t np, kp, row, weights, tail, total;
  if (kr == 0 || qdq_round_up_overflows(n, NR, &np) || qdq_round_up_overflows(k, kr, &kp) ||
      qdq_add_overflows(kp, sizeof(int32_t), &row) || qdq_mul_overflows(np, row, &weights) ||
      qdq_mul_overflows(n, 2 * sizeof(int32_t), &tail) ||
      qdq_add_overflows(tail, 2 * sizeof(int32_t), &tail) || qdq_add_overflows(weights, tail, &total)) {
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
  /* The trailer cs[n], zb[n], za, kept ends the packed buffer; kept (the
   * offset of a widened copy, qdq_qs8_gemm_keep_widened) is 0: none. */
  int32_t* cs = (int32_t*) ((uint8_t*) packed + total) - (2 * n + 2);
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
  zb[n + 1] = 0;
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

void qdq_qs8_gemm_pack_a16(size_t rows, size_t k, size_t kpad, const int8_t* a, size_t a_stride, uint8_t flip,
                           int16_t* out) {
  assert(rows >= 1 && rows <= 4 && kpad % 4 == 0 && k <= kpad && kpad < k + 4);
  size_t l = 0;
#if defined(__wasm_simd128__)
  /* 16 k of 4 rows per step: sign-extend each row's 16 bytes into two
   * vectors of 2 chunks, then pair rows' 64-bit chunks (~0.1 ns per value
   * where the plain loop below took ~1). */
  const int8_t* r[4];
  for (size_t i = 0; i < 4; i++) r[i] = a + (i < rows ? i : 0) * a_stride;
  const v128_t vflip = wasm_i8x16_splat((int8_t) flip);
  const v128_t keep[4] = {wasm_i8x16_splat(-1), wasm_i8x16_splat(rows > 1 ? -1 : 0),
                          wasm_i8x16_splat(rows > 2 ? -1 : 0), wasm_i8x16_splat(rows > 3 ? -1 : 0)};
  for (; l + 16 <= k; l += 16) {
    v128_t lo[4], hi[4];
    for (size_t i = 0; i < 4; i++) {
      const v128_t v = wasm_v128_and(wasm_v128_xor(wasm_v128_load(r[i] + l), vflip), keep[i]);
      lo[i] = wasm_i16x8_extend_low_i8x16(v);
      hi[i] = wasm_i16x8_extend_high_i8x16(v);
    }
    int16_t* o = out + 4 * l;
    wasm_v128_store(o, wasm_i64x2_shuffle(lo[0], lo[1], 0, 2));
    wasm_v128_store(o + 8, wasm_i64x2_shuffle(lo[2], lo[3], 0, 2));
    wasm_v128_store(o + 16, wasm_i64x2_shuffle(lo[0], lo[1], 1, 3));
    wasm_v128_store(o + 24, wasm_i64x2_shuffle(lo[2], lo[3], 1, 3));
    wasm_v128_store(o + 32, wasm_i64x2_shuffle(hi[0], hi[1], 0, 2));
    wasm_v128_store(o + 40, wasm_i64x2_shuffle(hi[2], hi[3], 0, 2));
    wasm_v128_store(o + 48, wasm_i64x2_shuffle(hi[0], hi[1], 1, 3));
    wasm_v128_store(o + 56, wasm_i64x2_shuffle(hi[2], hi[3], 1, 3));
  }
#endif
  for (; l < kpad; l += 4) {
    for (size_t i = 0; i < 4; i++) {
      for (size_t q = 0; q < 4; q++) {
        out[4 * l + 4 * i + q] = i < rows && l + q < k ? (int8_t) (a[i * a_stride + l + q] ^ flip) : 0;
      }
    }
  }
}
