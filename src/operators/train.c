/* The operators of float training (T1-T3 of qdq.h): the products of a Linear's backward pass on
 * unpacked operands, ReLU backward and the SGD step, on the kernels src/config.c selected. */
#include "config.h"
#include "size-math.h"

void qdq_init_f32_sgd_params(struct qdq_f32_sgd_params* params, float lr, float momentum,
                             float weight_decay, uint32_t flags) {
  params->lr = lr;
  params->momentum = momentum;
  params->weight_decay = weight_decay;
  /* Momentum 0 never reads the buffer, as torch keeps none. */
  params->read_buffer = momentum != 0.0f && (flags & QDQ_SGD_FIRST_STEP) == 0;
}

/* Column blocks of B that stay in cache while every row block passes over them (as gemm.c's). */
#define MATMUL_BLOCK_BYTES (96 * 1024)

int qdq_f32_matmul(size_t m, size_t n, size_t k, const float* a, uint32_t a_flags, const float* b, float* y) {
  size_t mn, mk, kn;
  if (qdq_mul_overflows(m, n, &mn) || qdq_mul_overflows(mn, sizeof(float), &mn) ||
      qdq_mul_overflows(m, k, &mk) || qdq_mul_overflows(mk, sizeof(float), &mk) ||
      qdq_mul_overflows(k, n, &kn) || qdq_mul_overflows(kn, sizeof(float), &kn)) {
    return QDQ_ERROR_SIZE_OVERFLOW;
  }
  if (m == 0 || n == 0) return 0;
  const struct qdq_config* config = qdq_config();
  const size_t mr = config->f32_matmul_mr;
  const int t = (a_flags & QDQ_FLAG_TRANSPOSED) != 0;
  /* A [m][k] steps k elements between rows and 1 along l; A^T stored [k][m] the other way round. */
  const size_t a_stride = (t ? 1 : k) * sizeof(float);
  const size_t ak_stride = (t ? m : 1) * sizeof(float);
  if (k == 0) {
    for (size_t i = 0; i < m * n; i++) y[i] = 0.0f;
    return 0;
  }
  /* Column blocks of B that stay in L1/L2 while every row block passes over them. */
  size_t nc = (MATMUL_BLOCK_BYTES / (k * sizeof(float))) / 8 * 8;
  if (nc < 8) nc = 8;
  for (size_t j0 = 0; j0 < n; j0 += nc) {
    const size_t nb = n - j0 < nc ? n - j0 : nc;
    for (size_t i0 = 0; i0 < m; i0 += mr) {
      const size_t rows = m - i0 < mr ? m - i0 : mr;
      config->f32_matmul(rows, nb, k * sizeof(float), (const float*) ((const uint8_t*) a + i0 * a_stride), a_stride, ak_stride,
                         b + j0, n * sizeof(float), y + i0 * n + j0, n * sizeof(float));
    }
  }
  return 0;
}

int qdq_relu_backward(size_t n, const float* y, const float* dy, float* dx) {
  if (n != 0) qdq_config()->f32_vrelugrad(n * sizeof(float), y, dy, dx);
  return 0;
}

int qdq_sgd_step(size_t n, float* param, const float* grad, float* momentum_buffer, float lr,
                 float momentum, float weight_decay, uint32_t flags) {
  struct qdq_f32_sgd_params params;
  qdq_init_f32_sgd_params(&params, lr, momentum, weight_decay, flags);
  if (n != 0) qdq_config()->f32_vsgd(n * sizeof(float), param, grad, momentum_buffer, &params);
  return 0;
}
