#define QDQ_MR 2
#define QDQ_NAME qdq_qs8_qc8w_gemm_ukernel_2x8c4__wasmsimd_dot16x2
#include "qs8-qc8w-gemm/wasmsimd-dot16x2-c4.h"
