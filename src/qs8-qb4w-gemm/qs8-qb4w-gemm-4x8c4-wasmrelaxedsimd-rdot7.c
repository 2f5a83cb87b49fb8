#define QDQ_MR 4
#define QDQ_BITS 4
#define QDQ_NAME qdq_qs8_qb4w_gemm_ukernel_4x8c4__wasmrelaxedsimd_rdot7
#include "qs8-qb4w-gemm/wasmrelaxedsimd-rdot7-c4.h"
