#define QDQ_MR 4
#define QDQ_NAME qdq_qs16_qb4w_gemm_ukernel_4x8c4__scalar
#include "qs16-qb4w-gemm/scalar-c4.h"
