/* Internal: the shape arithmetic of blockwise weights (ORT layout and the
 * packed layout of qdq_nbits_pack), with overflow checks. Not public API. */
#ifndef QDQ_NBITS_LAYOUT_H
#define QDQ_NBITS_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "qdq.h"

#define QDQ_NBITS_NR 8
#define QDQ_NBITS_HEADER_BYTES 16
/* Per block of a column group: 8 float scales, 8 uint8 zero points. */
#define QDQ_NBITS_BLOCK_META_BYTES 40

struct qdq_nbits_shape {
  size_t kb;          /* blocks per column */
  size_t blob;        /* bytes per block in the ORT layout */
  size_t zp_row;      /* zero-point bytes per column in the ORT layout */
  size_t block_bytes; /* packed bytes per block of a column group */
  size_t group_bytes; /* packed bytes per column group */
  size_t groups;      /* ceil(n / 8) */
  size_t packed;      /* qdq_nbits_packed_size */
  size_t nk;          /* n * k */
};

/* Fills s; returns 0, QDQ_ERROR_BAD_SIZE for unsupported bits or block
 * sizes, or QDQ_ERROR_SIZE_OVERFLOW for any product that overflows size_t. */
static inline int qdq_nbits_shape(size_t n, size_t k, int bits, size_t block_size,
                                  struct qdq_nbits_shape* s) {
  if (bits != 4 && bits != 8) return QDQ_ERROR_BAD_SIZE;
  if (block_size != 16 && block_size != 32 && block_size != 64 && block_size != 128 &&
      block_size != 256) {
    return QDQ_ERROR_BAD_SIZE;
  }
  if (k > SIZE_MAX - block_size) return QDQ_ERROR_SIZE_OVERFLOW;
  s->kb = (k + block_size - 1) / block_size;
  s->blob = block_size * (size_t) bits / 8;
  s->zp_row = bits == 8 ? s->kb : (s->kb + 1) / 2;
  s->block_bytes = QDQ_NBITS_BLOCK_META_BYTES + block_size * (size_t) bits;
  s->groups = n / QDQ_NBITS_NR + (n % QDQ_NBITS_NR != 0);
  size_t t;
  if (__builtin_mul_overflow(s->kb, s->block_bytes, &s->group_bytes) ||
      __builtin_mul_overflow(s->groups, s->group_bytes, &t) ||
      __builtin_add_overflow(t, (size_t) QDQ_NBITS_HEADER_BYTES, &s->packed) ||
      __builtin_mul_overflow(n, k, &s->nk) ||
      /* The ORT layout's b, scales and the float weights must be addressable too. */
      __builtin_mul_overflow(n, s->kb * block_size, &t) || __builtin_mul_overflow(t, sizeof(float), &t) ||
      __builtin_mul_overflow(n, s->kb * 3 * sizeof(double), &t)) {
    return QDQ_ERROR_SIZE_OVERFLOW;
  }
  return 0;
}

/* src/packing/nbits-unpack.c: `groups` column groups of packed weights (w at
 * the first one's start) to the float GEMM's packed layout, with bias (8 per
 * group) as its biases, or +0 when bias is NULL (qdq_nbits_matmul adds the bias
 * after the k sum, B7). out holds groups * 8 * (1 + kb * bs) floats. */
void qdq_nbits_unpack_f32(size_t groups, size_t kb, size_t bs, int bits, const void* w,
                          const float* bias, float* out);

#endif
