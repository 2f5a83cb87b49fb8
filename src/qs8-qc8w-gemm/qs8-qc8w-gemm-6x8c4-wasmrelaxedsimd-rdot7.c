#define QDQ_MR 6
#define QDQ_NAME qdq_qs8_qc8w_gemm_ukernel_6x8c4__wasmrelaxedsimd_rdot7
#include "qs8-qc8w-gemm/wasmrelaxedsimd-rdot7-c4.h"
