/* Internal: running an operator's work on the host's thread pool. Operators
 * split their work into `tasks` independent ranges (at most
 * qdq_parallel_tasks), allocate every per-task workspace BEFORE calling
 * qdq_parallelize (workers never allocate: malloc is not thread-safe in the
 * shared-memory builds), and run the same kernels in every task, so results
 * do not depend on the thread count. docs/threads.md. */
#ifndef QDQ_PARALLEL_H
#define QDQ_PARALLEL_H

#include <stddef.h>

typedef void (*qdq_task_fn)(void* ctx, size_t task);

/* Runs fn(ctx, t) for every t < tasks (tasks from qdq_parallel_tasks),
 * task 0 on the calling thread, and returns when all have finished. */
void qdq_parallelize(qdq_task_fn fn, void* ctx, size_t tasks);

/* Tasks worth running for `work` int8 multiply-adds (or operations weighted
 * alike) split into at most `units` independent pieces, in [1, units]: the
 * host's choice (js/runtime/pool.js: its threads, fewer when a worker's share
 * is below the measured threshold where waking it costs more than it saves,
 * docs/threads.md); 1 in builds without shared memory. */
size_t qdq_parallel_tasks(double work, size_t units);

/* The columns [*begin, *end) of task `task` of `tasks` when n columns are
 * split in groups of nr (the kernels' column tile): the task owns groups
 * [G task / tasks, G (task + 1) / tasks), G = ceil(n / nr). */
static inline void qdq_task_columns(size_t n, size_t nr, size_t task, size_t tasks, size_t* begin,
                                    size_t* end) {
  const size_t groups = (n + nr - 1) / nr;
  *begin = groups * task / tasks * nr;
  const size_t e = groups * (task + 1) / tasks * nr;
  *end = e < n ? e : n;
}

#endif
