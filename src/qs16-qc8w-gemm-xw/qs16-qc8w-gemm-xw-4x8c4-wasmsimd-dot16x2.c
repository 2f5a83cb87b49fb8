#define QDQ_XWIDEN 0
#define QDQ_NAME qdq_qs16_qc8w_gemm_xw_ukernel_4x8c4__wasmsimd_dot16x2
#include "qs16-qc8w-gemm-xw/wasmsimd-xw-c4.h"
