#define QDQ_MR 5
#define QDQ_NAME qdq_qs16_qc8w_gemm_ukernel_5x8c2__wasmsimd_dot16x2
#include "qs16-qc8w-gemm/wasmsimd-dot16x2-c2.h"
