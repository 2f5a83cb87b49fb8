#include "qdq.h"

/* 64 Ki elements: 256 KiB of float in and 64 KiB of int8 out (quantize), or
 * 64 KiB in and 256 KiB out (dequantize), stay in a 512 KiB L2 cache, so
 * js/ streams big tensors through hot cache lines instead of copying them
 * whole through memory. Measured with bench/quantize.js (AMD EPYC, Node 20,
 * interleaved runs, 4 Ki to 256 Ki): 32 Ki and 64 Ki tie for fastest, about
 * 5% ahead of 16 Ki on quantize (fewer JS round trips per tensor); 4 Ki
 * loses 15-20%, 256 Ki loses 5-10% (out of L2). */
size_t qdq_staging_elements(void) { return 65536; }
