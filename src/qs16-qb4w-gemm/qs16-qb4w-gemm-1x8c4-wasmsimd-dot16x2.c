#define QDQ_MR 1
#define QDQ_NAME qdq_qs16_qb4w_gemm_ukernel_1x8c4__wasmsimd_dot16x2
#include "qs16-qb4w-gemm/wasmsimd-dot16x2-c4.h"
