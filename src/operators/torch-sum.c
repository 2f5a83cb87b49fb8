/* torch.sum of a contiguous float32 tensor as torch 1.13 computes it on CPU
 * (H9; aten/src/ATen/native/cpu/SumKernel.cpp: vectorized_inner_sum ->
 * row_sum -> multi_row_sum). Float accumulators throughout. The lane count
 * is Vectorized<float>::size(): 8 in the AVX2 kernels torch 1.13 dispatches
 * to by default on x86 (and in its generic build); the AVX512 kernels
 * (ATEN_CPU_CAPABILITY=avx512) would use 16 and give other roundings.
 * Fewer than 8 elements take scalar_inner_sum: the same row_sum on scalars,
 * which is this code with one lane.
 * tests/fixtures/gen_observers.py checks this order against torch.sum. */
#include <string.h>

#include "qdq.h"

enum { LANES = 8, ILP = 4, LEVELS = 4 };


struct vec8 {
  float v[LANES];
};

/* acc += x over the first `lanes` lanes (8 for Vectorized<float>, 1 for scalars). */
static void vadd(struct vec8* acc, const float* x, size_t lanes) {
  for (size_t l = 0; l < lanes; l++) acc->v[l] += x[l];
}

static int64_t ceil_log2(int64_t x) {
  int64_t r = 0;
  while (((int64_t) 1 << r) < x) r++;
  return r;
}

float qdq_torch_sum_f32(size_t n, const float* x) {
  const size_t lanes = n >= LANES ? LANES : 1;
  const size_t vec_size = n / lanes;
  const int64_t rows = (int64_t) (vec_size / ILP);
  /* multi_row_sum: rows of ILP vectors, summed into a cascade of LEVELS
   * accumulators that flushes upward every 2^level_power rows. */
  int64_t level_power = ceil_log2(rows) / LEVELS;
  if (level_power < 4) level_power = 4;
  const int64_t level_step = (int64_t) 1 << level_power;
  const int64_t level_mask = level_step - 1;
  struct vec8 acc[LEVELS][ILP];
  memset(acc, 0, sizeof acc);
  int64_t i = 0;
  while (i + level_step <= rows) {
    for (int64_t j = 0; j < level_step; j++, i++) {
      for (int k = 0; k < ILP; k++) vadd(&acc[0][k], x + ((size_t) i * ILP + (size_t) k) * lanes, lanes);
    }
    for (int j = 1; j < LEVELS; j++) {
      for (int k = 0; k < ILP; k++) {
        vadd(&acc[j][k], acc[j - 1][k].v, lanes);
        memset(&acc[j - 1][k], 0, sizeof acc[j - 1][k]);
      }
      if ((i & (level_mask << (j * level_power))) != 0) break;
    }
  }
  for (; i < rows; i++) {
    for (int k = 0; k < ILP; k++) vadd(&acc[0][k], x + ((size_t) i * ILP + (size_t) k) * lanes, lanes);
  }
  for (int j = 1; j < LEVELS; j++) {
    for (int k = 0; k < ILP; k++) vadd(&acc[0][k], acc[j][k].v, lanes);
  }
  /* row_sum: the vectors left over after the rows, then the ILP partials. */
  for (size_t v = (size_t) rows * ILP; v < vec_size; v++) vadd(&acc[0][0], x + v * lanes, lanes);
  for (int k = 1; k < ILP; k++) vadd(&acc[0][0], acc[0][k].v, lanes);
  /* vectorized_inner_sum: the scalar tail first, then the lanes in order. */
  if (lanes == 1) return 0.0f + acc[0][0].v[0]; /* the zero-filled output plus the row */
  float total = 0.0f;
  for (size_t k = vec_size * LANES; k < n; k++) total += x[k];
  for (int l = 0; l < LANES; l++) total += acc[0][0].v[l];
  return total;
}
