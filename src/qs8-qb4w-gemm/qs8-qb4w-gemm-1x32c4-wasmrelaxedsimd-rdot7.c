#define QDQ_NAME qdq_qs8_qb4w_gemm_ukernel_1x32c4__wasmrelaxedsimd_rdot7
#include "qs8-qb4w-gemm/wasmrelaxedsimd-rdot7-1xg.h"
