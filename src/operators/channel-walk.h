/*
 * Walks a chunk of a tensor viewed as [outer, channels, inner] in runs of
 * elements that share one channel. Per-tensor is channels = 1, inner = n.
 */
#ifndef QDQ_CHANNEL_WALK_H
#define QDQ_CHANNEL_WALK_H

#include <stddef.h>

struct qdq_channel_run {
  size_t offset;  /* chunk-relative index of the run's first element */
  size_t length;  /* elements in the run */
  size_t channel; /* channel shared by the run */
};

/* First run of the chunk [start, start + n). */
static inline struct qdq_channel_run qdq_first_run(size_t n, size_t start, size_t channels,
                                                   size_t inner) {
  struct qdq_channel_run r;
  r.offset = 0;
  r.channel = (start / inner) % channels;
  r.length = inner - start % inner;
  if (r.length > n) r.length = n;
  return r;
}

/* Run after r; its length is 0 once the chunk is done. */
static inline struct qdq_channel_run qdq_next_run(struct qdq_channel_run r, size_t n,
                                                  size_t channels, size_t inner) {
  r.offset += r.length;
  r.channel = r.channel + 1 == channels ? 0 : r.channel + 1;
  r.length = n - r.offset < inner ? n - r.offset : inner;
  return r;
}

#endif
