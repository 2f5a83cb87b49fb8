#define QDQ_XWIDEN 1
#define QDQ_NAME qdq_qs16_qc8w_gemm_xwiden_ukernel_4x8c4__wasmsimd_dot16x2
#include "qs16-qc8w-gemm-xw/wasmsimd-xw-c4.h"
