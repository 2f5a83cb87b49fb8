#define QDQ_MR 1
#define QDQ_NAME qdq_qs16_qb4w_gemm_ukernel_1x8c4__scalar
#include "qs16-qb4w-gemm/scalar-c4.h"
