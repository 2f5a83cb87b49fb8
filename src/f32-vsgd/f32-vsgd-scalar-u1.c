/* Scalar SGD step (T3 of qdq.h), one element per iteration. */
#include "fma-f32.h"
#include "kernel-common.h"

void qdq_f32_vsgd_ukernel__scalar_u1(size_t batch, float* restrict param, const float* restrict grad,
                                     float* restrict buffer, const struct qdq_f32_sgd_params* params) {
  assert(batch % sizeof(float) == 0);
  const size_t n = batch / sizeof(float);
  const float lr = params->lr, momentum = params->momentum, wd = params->weight_decay;
  const int decay = wd != 0.0f;
  const int read = params->read_buffer != 0;
  for (size_t i = 0; i < n; i++) {
    const float d = decay ? qdq_fma_f32(wd, param[i], grad[i]) : grad[i];
    const float b = read ? momentum * buffer[i] + d : d;
    if (buffer != NULL) buffer[i] = b;
    param[i] = qdq_fma_f32(-lr, b, param[i]);
  }
}
