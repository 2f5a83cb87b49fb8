#define QDQ_MR 1
#define QDQ_NAME qdq_f32_gemm_ukernel_1x8__wasmsimd_splat
#include "f32-gemm/wasmsimd-splat.h"
