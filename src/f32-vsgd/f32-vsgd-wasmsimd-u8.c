/* SIMD128 SGD step (T3 of qdq.h), eight elements per iteration: the same operations per element
 * as the scalar kernel, the two fused ones through qdq_fma_f32x4 (exact, in double), so the results
 * are identical. The branches on the parameters are taken once per call, outside the loops. */
#include <wasm_simd128.h>

#include "fma-f32.h"
#include "kernel-common.h"

static inline v128_t sgd_direction(v128_t vg, v128_t vp, v128_t vwd, int decay) {
  return decay ? qdq_fma_f32x4(vwd, vp, vg) : vg;
}

void qdq_f32_vsgd_ukernel__wasmsimd_u8(size_t batch, float* restrict param, const float* restrict grad,
                                       float* restrict buffer, const struct qdq_f32_sgd_params* params) {
  assert(batch % sizeof(float) == 0);
  const size_t n = batch / sizeof(float);
  const float lr = params->lr, momentum = params->momentum, wd = params->weight_decay;
  const int decay = wd != 0.0f;
  const int read = params->read_buffer != 0;
  const v128_t vnlr = wasm_f32x4_splat(-lr);
  const v128_t vmom = wasm_f32x4_splat(momentum);
  const v128_t vwd = wasm_f32x4_splat(wd);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const v128_t vp0 = wasm_v128_load(param + i);
    const v128_t vp1 = wasm_v128_load(param + i + 4);
    v128_t vb0 = sgd_direction(wasm_v128_load(grad + i), vp0, vwd, decay);
    v128_t vb1 = sgd_direction(wasm_v128_load(grad + i + 4), vp1, vwd, decay);
    if (read) {
      vb0 = wasm_f32x4_add(wasm_f32x4_mul(vmom, wasm_v128_load(buffer + i)), vb0);
      vb1 = wasm_f32x4_add(wasm_f32x4_mul(vmom, wasm_v128_load(buffer + i + 4)), vb1);
    }
    if (buffer != NULL) {
      wasm_v128_store(buffer + i, vb0);
      wasm_v128_store(buffer + i + 4, vb1);
    }
    wasm_v128_store(param + i, qdq_fma_f32x4(vnlr, vb0, vp0));
    wasm_v128_store(param + i + 4, qdq_fma_f32x4(vnlr, vb1, vp1));
  }
  for (; i < n; i++) {
    const float d = decay ? qdq_fma_f32(wd, param[i], grad[i]) : grad[i];
    const float b = read ? momentum * buffer[i] + d : d;
    if (buffer != NULL) buffer[i] = b;
    param[i] = qdq_fma_f32(-lr, b, param[i]);
  }
}
