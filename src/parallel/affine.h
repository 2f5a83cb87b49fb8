/* Internal: a region's pieces handed out with thread affinity, under the
 * pool's in-order hand-out (parallel.h). The pool numbers a region's tasks
 * in the order threads take them, so a task's number cannot say which
 * thread runs it. Here a task's number only says that one piece is due (of
 * a band, say: marks still hold, since a band's tasks take exactly its
 * pieces); which piece is the running thread's choice: the next of its own
 * part of the pieces (its home, the same for every call with the same
 * shape and thread count), else one from the back of the part with most
 * left. A thread so mostly writes again the lines it wrote last call and
 * reads what it wrote itself this call: on the EPYC VM a write to a line
 * the other vCPU holds cost 5-7 ns, against 0.7-2.6 when it does not
 * (bench/probes/shared-writes.c, docs/threads.md T1). Each piece runs
 * exactly once whoever takes it, and results depend on the piece alone. */
#ifndef QDQ_AFFINE_H
#define QDQ_AFFINE_H

#include <stddef.h>
#include <stdint.h>

#include "parallel/parallel.h"

/* One part's pieces still to run, [begin, end): begin in the low 32 bits,
 * end in the high. One word, so taking from the front and the back is one
 * compare-and-swap (i64.atomic.rmw.cmpxchg in the shared-memory builds;
 * without atomics, LLVM lowers it to plain loads and stores, and the tasks
 * run on one thread). */
typedef uint64_t qdq_affine_span;

static inline qdq_affine_span qdq_affine_pack(size_t begin, size_t end) {
  return (uint64_t) (uint32_t) begin | (uint64_t) (uint32_t) end << 32;
}

/* Homes of `units` units of `per_unit` consecutive pieces each: home t
 * gets units [U t / parts, U (t + 1) / parts), U = units (qdq_part_range). */
static inline void qdq_affine_split(qdq_affine_span* spans, size_t parts, size_t units, size_t per_unit) {
  for (size_t t = 0; t < parts; t++) {
    size_t u0, u1;
    qdq_part_range(units, t, parts, &u0, &u1);
    spans[t] = qdq_affine_pack(u0 * per_unit, u1 * per_unit);
  }
}

/* Takes one piece for `thread`: the front of its home (thread % parts),
 * else the back of the part with the most left. Returns SIZE_MAX only when
 * no piece is left, which a region with as many tasks as pieces never sees:
 * every task takes one, and taken pieces never return. */
static inline size_t qdq_affine_take(qdq_affine_span* spans, size_t parts, size_t thread) {
  qdq_affine_span* home = spans + thread % parts;
  qdq_affine_span s = __atomic_load_n(home, __ATOMIC_SEQ_CST);
  while ((uint32_t) s < (uint32_t) (s >> 32)) {
    if (__atomic_compare_exchange_n(home, &s, s + 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) return (uint32_t) s;
  }
  for (;;) {
    qdq_affine_span* victim = NULL;
    uint32_t most = 0;
    for (size_t t = 0; t < parts; t++) {
      const qdq_affine_span v = __atomic_load_n(spans + t, __ATOMIC_SEQ_CST);
      const uint32_t left = (uint32_t) (v >> 32) - (uint32_t) v;
      if ((uint32_t) v < (uint32_t) (v >> 32) && left > most) {
        most = left;
        victim = spans + t;
      }
    }
    if (victim == NULL) return SIZE_MAX;
    s = __atomic_load_n(victim, __ATOMIC_SEQ_CST);
    while ((uint32_t) s < (uint32_t) (s >> 32)) {
      const uint32_t end = (uint32_t) (s >> 32) - 1;
      if (__atomic_compare_exchange_n(victim, &s, qdq_affine_pack((uint32_t) s, end), 0, __ATOMIC_SEQ_CST,
                                      __ATOMIC_SEQ_CST)) {
        return end;
      }
    }
  }
}

#endif
