#define QDQ_MR 4
#define QDQ_NAME qdq_qs8_qc8w_gemm_ukernel_4x8c4__scalar
#include "qs8-qc8w-gemm/scalar-c4.h"
