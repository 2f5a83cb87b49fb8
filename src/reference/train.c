/* Reference training arithmetic (T1-T3 of qdq.h): plain loops that define the meaning of the
 * f32-matmul, f32-vrelugrad and f32-vsgd kernels. */
#include "fma-f32.h"
#include "qdq.h"

void qdq_reference_f32_matmul(size_t m, size_t n, size_t k, const float* a, uint32_t a_flags,
                              const float* b, float* y) {
  const int t = (a_flags & QDQ_FLAG_TRANSPOSED) != 0;
  for (size_t i = 0; i < m; i++) {
    for (size_t j = 0; j < n; j++) {
      float acc = 0.0f;
      for (size_t l = 0; l < k; l++) acc = acc + (t ? a[l * m + i] : a[i * k + l]) * b[l * n + j];
      y[i * n + j] = acc;
    }
  }
}

void qdq_reference_f32_relu_backward(size_t n, const float* y, const float* dy, float* dx) {
  for (size_t i = 0; i < n; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

void qdq_reference_f32_sgd(size_t n, float* param, const float* grad, float* buffer,
                           const struct qdq_f32_sgd_params* p) {
  for (size_t i = 0; i < n; i++) {
    float d = grad[i];
    if (p->weight_decay != 0.0f) d = qdq_fma_f32(p->weight_decay, param[i], d);
    float b = d;
    if (p->read_buffer) b = p->momentum * buffer[i] + d;
    if (buffer) buffer[i] = b;
    param[i] = qdq_fma_f32(-p->lr, b, param[i]);
  }
}
