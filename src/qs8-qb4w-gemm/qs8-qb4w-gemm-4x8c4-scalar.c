#define QDQ_MR 4
#define QDQ_BITS 4
#define QDQ_NAME qdq_qs8_qb4w_gemm_ukernel_4x8c4__scalar
#include "qs8-qb4w-gemm/scalar-c4.h"
