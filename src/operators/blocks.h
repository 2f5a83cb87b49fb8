/*
 * The unit of work of the streaming operators (quantize, dequantize,
 * fake-quantize, min/max, error statistics): blocks of QDQ_BLOCK_ELEMENTS
 * elements aligned on the tensor's flat index, so a block is the same
 * elements whatever chunk of the tensor a call receives. Operators process a
 * chunk block by block, with the same kernel calls on one thread as on many
 * (threads take contiguous ranges of blocks), and reductions sum each block
 * from zero and fold the blocks in index order: the bytes do not depend on
 * the thread count or on the chunk size. 64 Ki is js/'s staging chunk of the
 * single-threaded builds (staging.c), so those stream exactly one block per
 * call, as before blocks existed. docs/threads.md, T5.
 */
#ifndef QDQ_BLOCKS_H
#define QDQ_BLOCKS_H

#include <stddef.h>

#define QDQ_BLOCK_ELEMENTS ((size_t) 65536)

/* Blocks that the chunk [start, start + n) touches, n > 0. */
static inline size_t qdq_chunk_blocks(size_t n, size_t start) {
  return (start + n - 1) / QDQ_BLOCK_ELEMENTS - start / QDQ_BLOCK_ELEMENTS + 1;
}

/* Chunk-relative index where the chunk's block b (0 = the first) begins, for
 * b <= qdq_chunk_blocks(n, start); the end of the last block is n. */
static inline size_t qdq_chunk_block_begin(size_t b, size_t n, size_t start) {
  if (b == 0) return 0;
  const size_t at = (start / QDQ_BLOCK_ELEMENTS + b) * QDQ_BLOCK_ELEMENTS - start;
  return at < n ? at : n;
}

#endif
