#include "qdq.h"

/* 16 Ki elements: 64 KiB of float in, 64 KiB out and a 16 KiB mask stay in L2,
 * with room to spare, so js/ streams big tensors through hot cache lines
 * instead of copying them whole through memory. */
size_t qdq_staging_elements(void) { return 16384; }
