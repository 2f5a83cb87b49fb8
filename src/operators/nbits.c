/*
 * Operators of blockwise weights in the ORT layout (B1-B4, B8): quantize,
 * dequantize, per-block error statistics, and conversion to and from the
 * opset-21 blockwise DequantizeLinear layout. They walk shapes and call the
 * per-value reference functions, which are the definition: these run once
 * per weight, off the inference path.
 */
#include <math.h>
#include <string.h>

#include "nbits-layout.h"

static int32_t get_q(const uint8_t* blk, int bits, size_t r) {
  if (bits == 8) return blk[r];
  return (r & 1) ? blk[r / 2] >> 4 : blk[r / 2] & 15;
}

static void set_q(uint8_t* blk, int bits, size_t r, int32_t q) {
  if (bits == 8) {
    blk[r] = (uint8_t) q;
  } else if (r & 1) {
    blk[r / 2] = (uint8_t) ((blk[r / 2] & 0x0F) | (q << 4));
  } else {
    blk[r / 2] = (uint8_t) ((blk[r / 2] & 0xF0) | (q & 15));
  }
}

static int32_t get_zp(const uint8_t* zp, int bits, const struct qdq_nbits_shape* s, size_t j, size_t b) {
  if (zp == NULL) return 1 << (bits - 1);
  return get_q(zp + j * s->zp_row, bits, b);
}

long qdq_quantize_blockwise(size_t n, size_t k, int bits, size_t block_size, const float* w,
                            uint32_t flags, uint8_t* b, float* scales, uint8_t* zero_points) {
  struct qdq_nbits_shape s;
  const int err = qdq_nbits_shape(n, k, bits, block_size, &s);
  if (err != 0) return err;
  for (size_t i = 0; i < s.nk; i++) {
    if (!isfinite(w[i])) return 1 + (long) i;
  }
  const int symmetric = (flags & QDQ_NBITS_SYMMETRIC) != 0;
  if (!symmetric && bits == 4) {
    /* An odd block count leaves the last byte's high nibble unused:
     * onnxruntime writes the default zero point there. */
    memset(zero_points, 0x88, n * s.zp_row);
  }
  for (size_t j = 0; j < n; j++) {
    for (size_t bb = 0; bb < s.kb; bb++) {
      const size_t l0 = bb * block_size;
      const size_t len = k - l0 < block_size ? k - l0 : block_size;
      const float* x = w + j * k + l0;
      float scale;
      int32_t zp;
      qdq_reference_nbits_block_params(len, x, bits, flags, &scale, &zp);
      scales[j * s.kb + bb] = scale;
      if (!symmetric) set_q(zero_points + j * s.zp_row, bits, bb, zp);
      uint8_t* blk = b + (j * s.kb + bb) * s.blob;
      for (size_t r = 0; r < block_size; r++) {
        set_q(blk, bits, r, r < len ? qdq_reference_nbits_quantize_value(x[r], scale, zp, bits, flags) : zp);
      }
    }
  }
  return 0;
}

int qdq_dequantize_blockwise(size_t n, size_t k, int bits, size_t block_size, const uint8_t* b,
                             const float* scales, const uint8_t* zero_points, float* w) {
  struct qdq_nbits_shape s;
  const int err = qdq_nbits_shape(n, k, bits, block_size, &s);
  if (err != 0) return err;
  for (size_t j = 0; j < n; j++) {
    for (size_t l = 0; l < k; l++) {
      const size_t bb = l / block_size;
      const int32_t q = get_q(b + (j * s.kb + bb) * s.blob, bits, l % block_size);
      w[j * k + l] = (float) (q - get_zp(zero_points, bits, &s, j, bb)) * scales[j * s.kb + bb];
    }
  }
  return 0;
}

int qdq_blockwise_error_stats(size_t n, size_t k, size_t block_size, const float* w,
                              const float* w_hat, double* acc) {
  struct qdq_nbits_shape s;
  const int err = qdq_nbits_shape(n, k, 8, block_size, &s);
  if (err != 0) return err;
  for (size_t j = 0; j < n; j++) {
    for (size_t bb = 0; bb < s.kb; bb++) {
      double se = 0.0, sx = 0.0, mx = 0.0;
      for (size_t l = bb * block_size; l < k && l < (bb + 1) * block_size; l++) {
        const double x = w[j * k + l], e = x - (double) w_hat[j * k + l];
        se += e * e;
        sx += x * x;
        mx = fabs(e) > mx ? fabs(e) : mx;
      }
      double* a = acc + 3 * (j * s.kb + bb);
      a[0] = se;
      a[1] = sx;
      a[2] = mx;
    }
  }
  return 0;
}

/* Element i of a flat DequantizeLinear tensor of `bits` bits (int4/uint4 two
 * per byte, low nibble first), as the raw unsigned field. */
static int32_t dq_get(const uint8_t* x, int bits, size_t i) {
  if (bits == 8) return x[i];
  return (i & 1) ? x[i / 2] >> 4 : x[i / 2] & 15;
}

static void dq_set(uint8_t* x, int bits, size_t i, int32_t v) { set_q(x, bits, i, v); }

int qdq_nbits_to_dq(size_t n, size_t k, int bits, size_t block_size, const uint8_t* b,
                    const float* scales, const uint8_t* zero_points, uint32_t flags, uint8_t* x,
                    float* dq_scales, uint8_t* dq_zero_points) {
  struct qdq_nbits_shape s;
  const int err = qdq_nbits_shape(n, k, bits, block_size, &s);
  if (err != 0) return err;
  const int32_t mask = (1 << bits) - 1;
  /* Signed: q - mid as a two's-complement field, i.e. q XOR mid. */
  const int32_t flip = (flags & QDQ_NBITS_DQ_SIGNED) ? 1 << (bits - 1) : 0;
  /* An odd element count leaves a high nibble unused: ONNX wants it 0. */
  if (bits == 4 && (s.nk & 1)) x[s.nk / 2] = 0;
  if (bits == 4 && dq_zero_points != NULL && ((s.kb * n) & 1)) dq_zero_points[s.kb * n / 2] = 0;
  for (size_t l = 0; l < k; l++) {
    for (size_t j = 0; j < n; j++) {
      const int32_t q = get_q(b + (j * s.kb + l / block_size) * s.blob, bits, l % block_size);
      dq_set(x, bits, l * n + j, (q ^ flip) & mask);
    }
  }
  for (size_t bb = 0; bb < s.kb; bb++) {
    for (size_t j = 0; j < n; j++) {
      dq_scales[bb * n + j] = scales[j * s.kb + bb];
      if (dq_zero_points != NULL) dq_set(dq_zero_points, bits, bb * n + j, (get_zp(zero_points, bits, &s, j, bb) ^ flip) & mask);
    }
  }
  return 0;
}

int qdq_nbits_from_dq(size_t n, size_t k, int bits, size_t block_size, const uint8_t* x,
                      const float* dq_scales, const uint8_t* dq_zero_points, uint32_t flags,
                      uint8_t* b, float* scales, uint8_t* zero_points) {
  struct qdq_nbits_shape s;
  const int err = qdq_nbits_shape(n, k, bits, block_size, &s);
  if (err != 0) return err;
  const int32_t flip = (flags & QDQ_NBITS_DQ_SIGNED) ? 1 << (bits - 1) : 0;
  if (bits == 4) memset(zero_points, 0x88, n * s.zp_row);
  for (size_t j = 0; j < n; j++) {
    for (size_t bb = 0; bb < s.kb; bb++) {
      /* A missing DQ zero point is 0 in the DQ type: the field 0, then flipped. */
      const int32_t zp = (dq_zero_points != NULL ? dq_get(dq_zero_points, bits, bb * n + j) : 0) ^ flip;
      set_q(zero_points + j * s.zp_row, bits, bb, zp);
      scales[j * s.kb + bb] = dq_scales[bb * n + j];
      uint8_t* blk = b + (j * s.kb + bb) * s.blob;
      for (size_t r = 0; r < block_size; r++) {
        const size_t l = bb * block_size + r;
        set_q(blk, bits, r, l < k ? dq_get(x, bits, l * n + j) ^ flip : zp);
      }
    }
  }
  return 0;
}
