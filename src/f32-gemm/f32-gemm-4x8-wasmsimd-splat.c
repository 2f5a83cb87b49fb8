#define QDQ_MR 4
#define QDQ_NAME qdq_f32_gemm_ukernel_4x8__wasmsimd_splat
#include "f32-gemm/wasmsimd-splat.h"
