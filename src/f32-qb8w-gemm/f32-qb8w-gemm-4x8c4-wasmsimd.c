#define QDQ_MR 4
#define QDQ_BITS 8
#define QDQ_NAME qdq_f32_qb8w_gemm_ukernel_4x8c4__wasmsimd
#include "f32-qb4w-gemm/wasmsimd-c4.h"
