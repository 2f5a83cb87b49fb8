/*
 * Checked size arithmetic. On wasm32 size_t is 32 bits, so a byte count such
 * as m * k or 4 * m * n wraps long before a JavaScript number would notice;
 * a wrapped count under-allocates and the kernels then write past the end.
 * Every size the library computes from caller dimensions goes through these.
 * Not part of the public API.
 */
#ifndef QDQ_SIZE_MATH_H
#define QDQ_SIZE_MATH_H

#include <stddef.h>

/* *out = a * b; returns 1 (and leaves *out unspecified) when it wraps. */
static inline int qdq_mul_overflows(size_t a, size_t b, size_t* out) {
  return __builtin_mul_overflow(a, b, out);
}

/* *out = a + b; returns 1 when it wraps. */
static inline int qdq_add_overflows(size_t a, size_t b, size_t* out) {
  return __builtin_add_overflow(a, b, out);
}

/* *out = round_up(x, q) for q > 0; returns 1 when it wraps. */
static inline int qdq_round_up_overflows(size_t x, size_t q, size_t* out) {
  size_t t;
  if (qdq_add_overflows(x, q - 1, &t)) return 1;
  *out = t / q * q;
  return 0;
}

#endif
