/* The operators of float training (T1-T3 of qdq.h): the products of a Linear's backward pass on
 * unpacked operands, ReLU backward and the SGD step, on the kernels src/config.c selected. */
#include "config.h"
#include "parallel/parallel.h"
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

/* Columns per group of the tasks' split: the kernels' tile width. */
#define MATMUL_NR 8

struct f32_matmul_run {
  size_t m, n, k, nc, mr, tasks;
  const float* a;
  size_t a_stride, ak_stride; /* bytes between rows of A, and along k */
  const float* b;
  float* y;
};

/* Task t computes the column groups [G t / tasks, G (t + 1) / tasks) (G =
 * ceil(n / MATMUL_NR)) for every row, in column blocks of nc and row blocks
 * of mr, with the kernels of the single-threaded path: an output depends on
 * its row of A and its column of B alone, summed along k in the kernel's
 * order, whichever call computes it. */
static void f32_matmul_task(void* ctx, size_t task, size_t thread) {
  (void) thread;
  const struct f32_matmul_run* r = ctx;
  const struct qdq_config* config = qdq_config();
  size_t j_begin, j_end;
  qdq_task_columns(r->n, MATMUL_NR, task, r->tasks, &j_begin, &j_end);
  for (size_t j0 = j_begin; j0 < j_end; j0 += r->nc) {
    const size_t nb = j_end - j0 < r->nc ? j_end - j0 : r->nc;
    for (size_t i0 = 0; i0 < r->m; i0 += r->mr) {
      const size_t rows = r->m - i0 < r->mr ? r->m - i0 : r->mr;
      config->f32_matmul(rows, nb, r->k * sizeof(float), (const float*) ((const uint8_t*) r->a + i0 * r->a_stride),
                         r->a_stride, r->ak_stride, r->b + j0, r->n * sizeof(float), r->y + i0 * r->n + j0,
                         r->n * sizeof(float));
    }
  }
}

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
  size_t nc = (MATMUL_BLOCK_BYTES / (k * sizeof(float))) / MATMUL_NR * MATMUL_NR;
  if (nc < MATMUL_NR) nc = MATMUL_NR;
  struct f32_matmul_run run = {m, n, k, nc, mr, 1, a, a_stride, ak_stride, b, y};
  /* A float multiply-add costs about as much as four int8 ones (as qdq_f32_gemm's); tasks of
   * ~QDQ_TASK_WORK each, so that a late or slowed thread takes fewer (docs/threads.md T1). */
  size_t threads;
  run.tasks = qdq_column_tasks(4.0 * (double) m * (double) n * (double) k, (n + MATMUL_NR - 1) / MATMUL_NR, &threads);
  qdq_parallelize(f32_matmul_task, &run, run.tasks, threads);
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
