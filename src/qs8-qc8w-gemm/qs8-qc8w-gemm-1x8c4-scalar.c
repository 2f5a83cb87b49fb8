#define QDQ_MR 1
#define QDQ_NAME qdq_qs8_qc8w_gemm_ukernel_1x8c4__scalar
#include "qs8-qc8w-gemm/scalar-c4.h"
