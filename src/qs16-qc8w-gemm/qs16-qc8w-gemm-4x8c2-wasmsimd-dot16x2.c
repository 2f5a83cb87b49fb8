#define QDQ_MR 4
#define QDQ_NAME qdq_qs16_qc8w_gemm_ukernel_4x8c2__wasmsimd_dot16x2
#include "qs16-qc8w-gemm/wasmsimd-dot16x2-c2.h"
