#include "qdq.h"

/* 64 Ki elements: 256 KiB of float in and 64 KiB of int8 out (quantize), or
 * 64 KiB in and 256 KiB out (dequantize), stay in a 512 KiB L2 cache, so
 * js/ streams big tensors through hot cache lines instead of copying them
 * whole through memory. Measured with bench/quantize.js (AMD EPYC, Node 20,
 * interleaved runs, 4 Ki to 256 Ki): 32 Ki and 64 Ki tie for fastest, about
 * 5% ahead of 16 Ki on quantize (fewer JS round trips per tensor); 4 Ki
 * loses 15-20%, 256 Ki loses 5-10% (out of L2).
 * The shared-memory builds stream QDQ_STAGING_BLOCKS blocks of 64 Ki
 * (operators/blocks.h) per call instead, so that one call has blocks to
 * share among up to 4 threads; no more, because the calling thread copies
 * the chunk in first and a chunk past L2 costs that copy a round trip
 * through memory (4 Mi elements quantized on one thread, Xeon, 2 MiB L2:
 * 6.3 ms in 64 Ki chunks, 7.2 ms in 256 Ki, 11.3 ms in 1 Mi; on two threads
 * 256 Ki and 1 Mi tie): bench/threads-elementwise.js --chunks, docs/threads.md T5. */
#if defined(QDQ_THREADS)
#define QDQ_STAGING_BLOCKS 4
#else
#define QDQ_STAGING_BLOCKS 1
#endif
size_t qdq_staging_elements(void) { return QDQ_STAGING_BLOCKS * 65536; }
