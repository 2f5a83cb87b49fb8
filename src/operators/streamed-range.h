/*
 * The range of a whole float tensor that the host streams in
 * (QDQ_FLAG_INPUT_STREAMED), for the operators whose first pass over x is its
 * min/max and whose next pass needs that range first: the dynamic Linear's
 * activations (gemm.c) and HistogramObserver's batch (histogram.c). The
 * other threads fold the blocks the host has written while it writes the
 * next ones, so that the copy into wasm memory, which only the host can
 * make, overlaps the reduction (docs/threads.md T3).
 */
#ifndef QDQ_STREAMED_RANGE_H
#define QDQ_STREAMED_RANGE_H

#include <stddef.h>

/* Folds x[0, n), n > 0, into *lo and *hi (lo = min(lo, x), hi likewise) on
 * up to `threads` threads: task t reduces input block t (QDQ_INPUT_BLOCK_BYTES)
 * from (+inf, -inf) into a slot of its own, and the slots are folded in block
 * order. *first gets the index of the first NaN or infinity, or -1; after
 * one, *lo and *hi hold a partial fold. The values are qdq_minmax's for any
 * thread count; a zero extreme's sign is not (the kernel's lanes fold
 * blocks of another size there), so callers take it from elsewhere or
 * compute nothing that depends on it (each says why). Returns 0, or
 * QDQ_ERROR_OUT_OF_MEMORY (the slots: 12 bytes a block in wasm32) before anything
 * is read; the host has then not written x either. */
int qdq_streamed_range(const float* x, size_t n, size_t threads, float* lo, float* hi, long* first);

#endif
