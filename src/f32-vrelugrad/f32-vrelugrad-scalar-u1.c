/* Scalar ReLU backward (T2 of qdq.h), one element per iteration. */
#include "kernel-common.h"

void qdq_f32_vrelugrad_ukernel__scalar_u1(size_t batch, const float* restrict y, const float* restrict dy,
                                          float* restrict dx) {
  assert(batch % sizeof(float) == 0);
  const size_t n = batch / sizeof(float);
  for (size_t i = 0; i < n; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}
